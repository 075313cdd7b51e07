"""Per-fix verdicts of the expressiveness measure on chosen fixes (``expressiveness.py --bugs FILE``):
for each hunk of each fix's gold patch, whether some template of the catalogue writes it, which
templates do, and how many candidates the catalogue offers at the hunk's lines.

The fixes are rows of an instances file (``bugs/candidates.jsonl``: ``instance_id``, ``repo``,
``base_commit``, ``fix_commit``, ``patch``, ``test_patch``), optionally only those a validation
found valid (``--valid results.jsonl``). Each hunk of the patch is measured alone, as the
expressiveness measure measures a single-hunk fix: its changed lines (and the unchanged lines
between them) are the locations, the target is the file before the fix with that hunk alone
applied, and in the tests-given setting the templates get the material of the test files the
patch's ``test_patch`` touches, read at the fixing commit (``givens.material_of``).
"""

from __future__ import annotations

import json
import re
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from expressiveness import HUNK, Target, _Late, _late, locations, show, writes
from givens import material_of

from rfsn.planners.patch.templates.python.base import FileContext
from rfsn.planners.patch.templates.python.catalogue import CATALOGUE
from rfsn.planners.patch.templates.python.material import EMPTY, Material

_FILE = re.compile(r"(?m)^\+\+\+ b/(\S+)")


@dataclass(frozen=True)
class Span:
    """One hunk of a patch as a zero-context edit: old lines ``[start, start + count)`` (``count`` 0:
    an insertion after line ``start``) become ``new``."""

    path: str
    start: int
    count: int
    new: tuple[str, ...]

    @property
    def header(self) -> str:
        return f"@@ -{self.start},{self.count} +{self.start},{len(self.new)} @@"

    def apply(self, before: str) -> str:
        lines = before.splitlines(keepends=True)
        first = self.start if self.count == 0 else self.start - 1
        return "".join(lines[:first] + list(self.new) + lines[first + self.count :])


def _hunk(path: str, start: int, body: list[str]) -> Span | None:
    """Pure: the changed part of one hunk (context lines outside the first and last change dropped)."""
    body = [b for b in body if not b.startswith("\\")]
    changed = [i for i, b in enumerate(body) if b[:1] in "+-"]
    if not changed:
        return None
    lo, hi = changed[0], changed[-1] + 1
    old_before = sum(1 for b in body[:lo] if b[:1] != "+")
    old = [b for b in body[lo:hi] if b[:1] != "+"]
    new = tuple(b[1:] + "\n" for b in body[lo:hi] if b[:1] != "-")
    first = start + old_before
    return Span(path, first if old else first - 1, len(old), new)


def spans(patch: str) -> list[Span]:
    """Pure: each hunk of a unified diff as a zero-context edit, in the patch's order."""
    out: list[Span] = []
    path, start, body = "", 0, list[str]()

    def close() -> None:
        span = _hunk(path, start, body) if start else None
        if span is not None:
            out.append(span)

    for line in patch.splitlines():
        if line.startswith("diff --git "):
            close()
            path, start, body = "", 0, []
        elif (found := _FILE.match(line)) is not None:
            path = found[1]
        elif (match := HUNK.match(line)) is not None:
            close()
            start, body = int(match[1]), []
        elif start and line[:1] in " +-\\":
            body.append(line)
        elif start and line == "":
            body.append(" ")
    close()
    return out


def writers(span: Span, before: str, tests: Material = EMPTY) -> tuple[list[str], int]:
    """The templates some edit of which, at the span's lines of ``before``, writes the span's
    edit (AST-equal), and how many edits the catalogue offers there."""
    after, header = span.apply(before), span.header
    target = Target(before, after)
    ctx, check = FileContext(span.path, before, target.tree, {span.path: before}, tests), writes(target, after, header)
    names, offered = list[str](), 0
    for line in locations(header):
        for tpl in CATALOGUE:
            try:
                edits = list(tpl.fn(ctx, line))
            except (ValueError, IndexError, AttributeError, TypeError, KeyError):
                continue
            offered += len(edits)
            if tpl.name not in names and any(check(edit.splices) for edit in edits):
                names.append(tpl.name)
    return names, offered


def test_files(test_patch: str) -> list[str]:
    """Pure: the files a test patch touches."""
    return sorted(set(_FILE.findall(test_patch)))


def measured(span: Span, before: str, tests: Material, limit: int) -> dict[str, Any]:
    """One hunk's verdict: the templates that write it and the edits offered at its lines
    (``candidates`` None, with a ``note``: over ``limit`` seconds, or the hunk alone does not parse)."""
    said: dict[str, Any] = {"file": span.path, "header": span.header, "templates": [], "candidates": None}
    signal.signal(signal.SIGALRM, _late)
    signal.alarm(limit)
    try:
        said["templates"], said["candidates"] = writers(span, before, tests)
    except _Late:
        said["note"] = "over the time limit"
    except (SyntaxError, ValueError):
        said["note"] = "the file with this hunk alone does not parse"
    finally:
        signal.alarm(0)
    return said


def verdict(repos: Path, instance: dict[str, Any], limit: int, cache: Path | None = None) -> dict[str, Any]:
    """One fix's verdict: each hunk's (``spans``, ``measured``), in the tests-given setting."""
    hunks = []
    for span in spans(instance["patch"]):
        row = {
            "project": instance["repo"],
            "file": span.path,
            "parent": instance["base_commit"],
            "commit": instance["fix_commit"],
            "tests": test_files(instance.get("test_patch", "")),
        }
        before = show(repos, row, row["parent"], cache)
        hunks.append(measured(span, before, material_of(repos, row, cache), limit))
    return {"instance_id": instance["instance_id"], "hunks": hunks, "written": written(hunks)}


def written(hunks: list[dict[str, Any]]) -> str:
    """Pure: ``yes``/``no`` for a single hunk; ``multi-hunk`` with each hunk's answer otherwise."""
    said = ["yes" if h["templates"] else f"no ({h['note']})" if h.get("note") else "no" for h in hunks]
    if len(said) == 1:
        return said[0]
    return f"multi-hunk ({', '.join(said)})" if said else "no hunk"


def report(instances: Path, valid: Path | None, repos: Path, limit: int, cache: Path | None) -> None:
    """Print one JSON verdict per instance (those ``valid`` says are valid, when given)."""
    rows = [json.loads(line) for line in instances.read_text().splitlines() if line.strip()]
    if valid is not None:
        ok = {r["instance_id"] for r in map(json.loads, valid.read_text().splitlines()) if r.get("valid")}
        rows = [r for r in rows if r["instance_id"] in ok]
    for row in rows:
        print(json.dumps(verdict(repos, row, limit, cache)), flush=True)
