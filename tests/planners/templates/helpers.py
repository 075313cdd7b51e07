"""Helpers: run one template (or the whole driver) on a snippet."""

from __future__ import annotations

import ast
import textwrap

from rfsn.planners.code.candidates import apply_splices
from rfsn.planners.code.location import Location
from rfsn.planners.patch.templates.python import BY_NAME, FileContext, generate_candidates


def dedent(source: str) -> str:
    return textwrap.dedent(source).lstrip("\n")


def patched(source: str, line: int, name: str, files: dict[str, str] | None = None) -> list[str]:
    """Texts produced by template ``name`` at ``line`` (all must parse)."""
    source = dedent(source)
    ctx = FileContext("m.py", source, ast.parse(source), files or {})
    out = []
    for edit in BY_NAME[name].fn(ctx, line):
        text = apply_splices(source, edit.splices)
        ast.parse(text)
        out.append(text)
    return out


def line_of(source: str, needle: str) -> int:
    return next(i for i, text in enumerate(dedent(source).splitlines(), 1) if needle in text)


def fixed_by_driver(buggy: str, fixed: str, needle: str, limit: int = 400) -> int | None:
    """1-based rank of the exact fix among the driver's candidates at the oracle line."""
    buggy, fixed = dedent(buggy), dedent(fixed)
    cands = generate_candidates({"m.py": buggy}, [Location("m.py", line_of(buggy, needle), 1.0)], limit)
    return next((i for i, c in enumerate(cands, 1) if c.patched == fixed), None)
