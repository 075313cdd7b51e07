"""Reading JSON / JSON-lines record files with line-numbered errors.

SWE-bench tooling writes instances and predictions as a JSON array, a JSON
object keyed by instance id, or one object per line; ``rfsn.inputs`` reads all three.
Every record comes back with the line it started on, so that a malformed or
invalid record is reported as ``file:line: what is wrong``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from rfsn.errors import ConfigError
from rfsn.inputs import json_records

M = TypeVar("M", bound=BaseModel)


def read_records(path: Path) -> list[tuple[int, Any]]:
    """``(line number, decoded value)`` for every record in a JSON or JSON-lines file."""
    return json_records(path)


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "record"
    return f"{where}: {first['msg'].removeprefix('Value error, ')}"


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def load_models(path: Path, model: type[M], what: str, check: Callable[[M], None] | None = None) -> list[M]:
    """Every record of ``path`` validated as ``model``; duplicates of an id are an error."""
    items: list[M] = []
    seen: dict[str, int] = {}
    for number, value in read_records(path):
        if not isinstance(value, dict):
            raise ConfigError(
                f"{path}:{number}: {_article(what)} {what} must be a JSON object, not {type(value).__name__}"
            )
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
            raise ConfigError(f"{path}:{number}: duplicate instance_id {key!r} (first on line {seen[key]})")
        seen[key] = number
        items.append(item)
    return items
