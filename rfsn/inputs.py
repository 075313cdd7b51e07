"""The one reader of JSON, JSON lines and TOML that rfsn takes from outside: bounded.

Instances, predictions, results, settings, the gate's input lines, a model's tool
arguments, a repository's package files and its test runners' reports are all
read here, within stated limits: a file of at most ``MAX_FILE_BYTES`` (a config
or problem file: ``MAX_SMALL_BYTES``), nesting at most ``MAX_DEPTH`` deep, integers
of at most ``MAX_INT_DIGITS`` digits. Anything else is an ``InputError`` (a
ConfigError: exit 2) whose message is one line, ``FILE:LINE: reason``.

A record file is one JSON document (an array of records, one record, or
SWE-bench's ``{instance_id: record}``) or JSON lines, never both.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from rfsn.errors import InputError

#: the largest file read whole (instances, predictions, results, a model record)
MAX_FILE_BYTES = 1 << 30
#: the largest settings, policy or problem file
MAX_SMALL_BYTES = 1 << 20
#: the deepest nesting of arrays and objects (tables) in one value
MAX_DEPTH = 64
#: the most digits of one integer (Python refuses 4,300; no field rfsn reads needs 30)
MAX_INT_DIGITS = 64

_DIGITS = re.compile(rf"\d(?:_?\d){{{MAX_INT_DIGITS},}}")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fail(where: str, line: int, reason: str) -> InputError:
    return InputError(f"{where}:{line}: {_one_line(reason)}")


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES, what: str = "") -> str:
    """The UTF-8 text of ``path``, read no further than ``limit`` bytes (/dev/zero included); a
    pipe is read as its writer gives it (``<(...)``), a named pipe no one writes to as empty."""
    name = f"{what} {path}".strip()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # opening a FIFO must not wait for a writer
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size  # a regular file's: refused before it is read
            data = b"" if size > limit else handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from exc
    if size > limit or len(data) > limit:
        raise InputError(f"{name} is larger than the {_size(limit)} rfsn reads from it")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{name} is not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start}) on line {line}"
        ) from exc


def _size(limit: int) -> str:
    return f"{limit >> 30} GiB" if limit >= 1 << 30 else f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit} bytes"


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise OverflowError(f"an integer of {len(text.lstrip('-'))} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def _too_deep(value: Any) -> bool:
    """Whether ``value`` nests arrays and objects more than MAX_DEPTH deep (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _long_int(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool) and item.bit_length() > 3.33 * MAX_INT_DIGITS:
            return True
    return False


def _decoded(text: str, where: str, line: int) -> tuple[Any, int]:
    """One JSON value from the start of ``text`` (leading blanks allowed) and where it ends."""
    start = len(text) - len(text.lstrip())
    try:
        value, end = _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise _fail(where, line + exc.lineno - 1, f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise _fail(where, line, f"nested more than {MAX_DEPTH} deep") from None
    except OverflowError as exc:
        raise _fail(where, line, str(exc)) from None
    if _too_deep(value):
        raise _fail(where, line, f"nested more than {MAX_DEPTH} deep")
    return value, end


_DECODER = json.JSONDecoder(parse_int=_int)


def json_value(text: str | bytes, where: str = "<input>", line: int = 1) -> Any:
    """The one JSON value ``text`` holds (``where`` and ``line`` name it in errors)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail(where, line, f"not UTF-8 text: {exc.reason}") from None
    value, end = _decoded(text, where, line)
    if text[end:].strip():
        raise _fail(where, line + text.count("\n", 0, end), "invalid JSON: extra data after the value")
    return value


def json_lines(text: str, where: str = "<input>") -> list[tuple[int, Any]]:
    """``(line number, value)`` of each non-blank line of JSON-lines ``text``."""
    return [(n, json_value(line, where, n)) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]


def json_records(path: Path, limit: int = MAX_FILE_BYTES) -> list[tuple[int, Any]]:
    """``(line, value)`` of every record of a record file (see the module's docstring)."""
    text = read_bounded(path, limit)
    where = str(path)
    if text.lstrip().startswith("["):
        return _array(text, where)
    try:
        value = json_value(text, where)
    except InputError:
        return json_lines(text, where)  # several values: one record per line
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        return [(1, {"instance_id": k, **v}) for k, v in value.items()]  # SWE-bench's predictions
    return [(1, value)]


def _array(text: str, where: str) -> list[tuple[int, Any]]:
    """The elements of the JSON array ``text`` holds, each with its line; what follows the
    array is an error, since a file is one JSON document or JSON lines."""
    array, end = _decoded(text, where, 1)
    rest = text[end:]
    if rest.strip():
        line = text.count("\n", 0, end + len(rest) - len(rest.lstrip())) + 1
        raise _fail(
            where,
            line,
            "more follows the JSON array that ends on line "
            f"{text.count(chr(10), 0, end) + 1}: a file is one JSON array or JSON lines, not both",
        )
    lines, pos = [], text.index("[") + 1
    for _ in array:  # where each element starts: decode them again, one by one
        while text[pos] in " \t\r\n,":
            pos += 1
        lines.append(text.count("\n", 0, pos) + 1)
        _, pos = _DECODER.raw_decode(text, pos)
    return list(zip(lines, array, strict=True))


def toml_text(text: str, where: str) -> dict[str, Any]:
    """The table TOML ``text`` holds."""
    try:
        value = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)|\(at end of document\)", str(exc))
        reason = str(exc)[: found.start()].strip() if found else str(exc)
        line = int(found.group(1)) if found and found.group(1) else text.count("\n") + 1
        raise _fail(where, line, f"invalid TOML: {reason}") from None
    except RecursionError:
        raise _fail(where, 1, f"nested more than {MAX_DEPTH} deep") from None
    except ValueError:  # Python's own limit on integer digits
        value = None
    if value is None or _long_int(value):
        found = _DIGITS.search(text)
        line = text.count("\n", 0, found.start()) + 1 if found else 1
        raise _fail(where, line, f"an integer of more than {MAX_INT_DIGITS} digits")
    if _too_deep(value):
        raise _fail(where, 1, f"nested more than {MAX_DEPTH} deep")
    return value


def toml_file(path: Path, limit: int = MAX_SMALL_BYTES) -> dict[str, Any]:
    """The table of the TOML file ``path`` (at most ``limit`` bytes)."""
    return toml_text(read_bounded(path, limit), str(path))
