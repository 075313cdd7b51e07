"""Reading JSON / JSON-lines record files with line-numbered errors.

SWE-bench tooling writes instances and predictions as a JSON array, a JSON
object keyed by instance id, or one object per line; all three are read here.
Every record comes back with the line it started on, so that a malformed or
invalid record is reported as ``file:line: what is wrong``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from rfsn.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _whole_json(text: str) -> list[tuple[int, Any]] | None:
    """Records of a JSON array or object document; None when the text is JSON lines."""
    stripped = text.lstrip()
    if not stripped.startswith("["):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return None  # several objects, one per line
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            # {instance_id: record} as SWE-bench writes predictions
            return [(1, {"instance_id": k, **v}) for k, v in value.items()]
        return [(1, value)]  # one record (a missing instance_id is named by its validation)
    decoder = json.JSONDecoder()
    records: list[tuple[int, Any]] = []
    pos = len(text) - len(stripped) + 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text):
            raise ConfigError(f"{_line_of(text, pos)}: unterminated JSON array")
        if text[pos] == "]":
            return records
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{_line_of(text, exc.pos)}: invalid JSON: {exc.msg}") from exc
        records.append((_line_of(text, pos), value))
        pos = end


def read_records(path: Path) -> list[tuple[int, Any]]:
    """``(line number, decoded value)`` for every record in a JSON or JSON-lines file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    try:
        whole = _whole_json(text)
    except ConfigError as exc:
        raise ConfigError(f"{path}:{exc}") from exc
    if whole is not None:
        return whole
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{number}: invalid JSON: {exc.msg}") from exc
    return records


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "record"
    return f"{where}: {first['msg'].removeprefix('Value error, ')}"


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def load_models(path: Path, model: type[M], what: str,
                check: Callable[[M], None] | None = None) -> list[M]:
    """Every record of ``path`` validated as ``model``; duplicates of an id are an error."""
    items: list[M] = []
    seen: dict[str, int] = {}
    for number, value in read_records(path):
        if not isinstance(value, dict):
            raise ConfigError(f"{path}:{number}: {_article(what)} {what} must be a JSON object, "
                              f"not {type(value).__name__}")
        try:
            item = model.model_validate(value)
            if check is not None:
                check(item)
        except ValidationError as exc:
            raise ConfigError(f"{path}:{number}: invalid {what}: {_first_error(exc)}") from exc
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{path}:{number}: invalid {what}: {exc}") from exc
        key = str(getattr(item, "instance_id", number))
        if key in seen:
            raise ConfigError(f"{path}:{number}: duplicate instance_id {key!r} "
                              f"(first on line {seen[key]})")
        seen[key] = number
        items.append(item)
    return items
