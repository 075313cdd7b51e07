"""A pure parser for TAP, the report of ava (``--tap``), node-tap (``--reporter=tap``) and tape.

Nested subtests (node-tap: one per file, then the file's ``t.test`` calls, each indented four
spaces below its parent) are rebuilt into a tree; a test is a subtest whose children are all
assertions (a subtest's own ``t.equal`` lines count as its result), a subtest's own assertions
among its subtests (together, under its name), or a skipped childless line among subtests.
Flat lines are tests themselves (ava: ``file \u203a title``, split into titles), unless a
``# name`` comment groups them (tape: the assertions after ``# name`` are that test; ava's
comments that a hook ran group nothing). A line's
``# SKIP`` or ``# TODO`` makes it skipped. Ids: titles joined by `` > `` (``jsreports``' form).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from rfsn.buildpacks.node.jsreports import make_id
from rfsn.models import TestStatus

_RESULT = re.compile(r"^(?P<not>not )?ok\b(?:\s+\d+)?(?:\s*-)?\s*(?P<desc>.*?)\s*$")
_DIRECTIVE = re.compile(r"\s+#\s*(?P<kind>skip|todo)\b.*$|\s+#\s*time=\S+\s*$", re.I)
#: tape's summary comments and the runners' timing and coverage lines: not a test's name
_SUMMARY = re.compile(r"^(?:(?:tests|pass|fail|skip|todo)\s+\d+\s*$|ok\s*$|time=|\{|No coverage|Subtest:)", re.I)
#: ava's separator between a file's path and the titles in it
_AVA_SEP = " \u203a "
#: ava's comment that a hook ran (``# file \u203a beforeEach hook for title``): no test's name
_AVA_HOOK = re.compile(r"(?:^|\u203a )(?:before|after)(?:Each)?(?:\.always)? hook\b")
_RANK = {TestStatus.PASSED: 0, TestStatus.SKIPPED: 1, TestStatus.FAILED: 2}


@dataclass
class _Line:
    name: str
    status: TestStatus
    group: str | None = None
    children: list[_Line] = field(default_factory=list)


def _result(text: str) -> tuple[str, TestStatus] | None:
    match = _RESULT.match(text)
    if not match:
        return None
    desc = match.group("desc")
    directive = _DIRECTIVE.search(desc)
    name = desc[: directive.start()] if directive else desc
    if directive and directive.group("kind"):
        return name, TestStatus.SKIPPED
    return name, TestStatus.FAILED if match.group("not") else TestStatus.PASSED


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(depth, stripped line) of each line outside YAML blocks (a failure's details)."""
    yaml_indent: int | None = None
    for raw in text.splitlines():
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip(" "))
        if yaml_indent is not None:
            if stripped == "..." and indent <= yaml_indent:
                yaml_indent = None
            continue
        if stripped == "---":
            yaml_indent = indent
            continue
        yield indent // 4, stripped


def _tree(text: str) -> list[_Line]:
    """The top-level lines, each with its subtests' lines (those one level deeper before it)."""
    pending: dict[int, list[_Line]] = {}
    group: str | None = None
    for depth, line in _lines(text):
        if depth == 0 and line.startswith("#") and not _SUMMARY.match(line[1:].strip()):
            if _AVA_HOOK.search(line[1:].strip()):
                continue
            group = line[1:].strip()
            if group.upper().startswith("SKIP "):  # tape's skipped test: no line of its own
                pending.setdefault(0, []).append(_Line(group[5:], TestStatus.SKIPPED))
                group = None
            continue
        found = _result(line)
        if found is None:
            continue
        children = pending.pop(depth + 1, [])
        for deeper in [d for d in pending if d > depth + 1]:
            children.extend(pending.pop(deeper))
        pending.setdefault(depth, []).append(
            _Line(found[0], found[1], group if depth == 0 and not children else None, children)
        )
    return [line for depth in sorted(pending) for line in pending[depth]]


def _walk(line: _Line, titles: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], TestStatus]]:
    """A subtest's own assertions among its subtests are one test of its name (their messages
    repeat, and an error it threw is one of them); a childless skipped line is a skipped subtest."""
    titles = (*titles, line.name)
    if all(not child.children for child in line.children):
        yield titles, line.status
        return
    own = [c.status for c in line.children if not c.children and c.status is not TestStatus.SKIPPED]
    if own:
        yield titles, max(own, key=_RANK.__getitem__)
    for child in line.children:
        if child.children or child.status is TestStatus.SKIPPED:
            yield from _walk(child, titles)


def parse_tap(text: str) -> dict[str, TestStatus]:
    """Each test's status in a TAP report (the module's docstring says which lines are tests)."""
    statuses: dict[str, TestStatus] = {}
    for top in _tree(text):
        found: list[tuple[tuple[str, ...], TestStatus]]
        if top.group is not None:
            found = [((top.group,), top.status)]
        elif not top.children:
            found = [(tuple(top.name.split(_AVA_SEP)), top.status)]
        else:
            found = list(_walk(top, ()))
        for titles, status in found:
            tid = make_id(*titles)
            if tid and _RANK[status] >= _RANK[statuses.get(tid, TestStatus.PASSED)]:
                statuses[tid] = status
    return statuses
