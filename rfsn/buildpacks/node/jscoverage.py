"""Per-test line coverage for ``node --test``, mocha and jest.

The suite runs once as usual; then the driver ``v8runs.cjs`` (`driver_command`) runs each test
file that reported a test (failing first) and, when the estimate fits ``BUDGET_SECONDS``, each
outermost test alone (``--test-name-pattern``), each run one node process (``NODE_V8_COVERAGE``);
mocha's, in one more run of each file where ``v8hooks.cjs`` takes V8's coverage around each test
(else each alone, ``--grep``). jest compiles the files first, so its runs use jest's own
``--coverage``: one of the failing tests' files and one of the others, ``jesthooks.cjs`` reading
jest's counters around each test (a config of several projects: the runs per file and per test).
``v8-runs.jsonl`` holds per run its test events and what it covered, which `parse_v8_runs` reads:
a test gets the intersection of the lines of the runs it ran in. A line is covered when a
character of its code ran (the innermost V8 range wins); lines with no code never are,
module-level code counts for every test. Runs are sequential: two runs of one file at once could
collide on what its tests share. The measurements: docs/localization.md, "JavaScript coverage".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, Field, ValidationError

from rfsn.buildpacks.base import CoverageByTest
from rfsn.buildpacks.node.jsreports import parse_jest_json, parse_mocha_json, parse_node_events, relative
from rfsn.errors import InputError
from rfsn.inputs import json_value
from rfsn.models import TestStatus

#: the driver's file name in the report directory, and the report it writes there; the mocha hooks
DRIVER, RUNS_REPORT, HOOKS, JEST_HOOKS = "v8runs.cjs", "v8-runs.jsonl", "v8hooks.cjs", "jesthooks.cjs"
#: seconds the per-test runs may take (estimated), above which each file's run stands
BUDGET_SECONDS = 30
_NO_CODE = re.compile(r"[\s{}()\[\];,]*")


def driver_files() -> dict[str, str]:
    """The driver and the mocha and jest hooks it loads, by their names in the report directory."""
    return {
        name: resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
        for name in (DRIVER, HOOKS, JEST_HOOKS)
    }


def driver_command(report_dir: str, reporter: str, runner: tuple[str, ...] | None = None) -> list[str]:
    """argv of the driver, run after the suite's run wrote its events into ``report_dir``
    (with ``runner``, ``("mocha" | "jest", its executable, its options...)``: its JSON report,
    its runs)."""
    tail = list(runner) if runner else []
    return ["node", f"{report_dir}/{DRIVER}", report_dir, str(BUDGET_SECONDS), reporter, *tail]


class V8Range(BaseModel):
    """A span of a function's code (UTF-16 offsets, end exclusive) and how often it ran."""

    startOffset: int
    endOffset: int
    count: int


class V8Function(BaseModel):
    """One function of V8's block coverage: its own range first, then its blocks."""

    ranges: list[V8Range] = Field(default_factory=list)


class V8Script(BaseModel):
    url: str
    functions: list[V8Function] = Field(default_factory=list)


class SourceLine(BaseModel):
    """The driver's line giving a script's text (None: it could not be read)."""

    url: str
    source: str | None


class RunLine(BaseModel):
    """The driver's line for one run: the file, the name pattern's name (None: the whole
    file), the run's test events (:data:`NODE_REPORTER_JS` lines) and its scripts."""

    file: str
    name: str | None
    events: str
    scripts: list[V8Script]
    runner: Literal["node", "mocha", "jest"] = "node"
    #: jest's own coverage of the run (istanbul's ``coverage-final.json``), instead of scripts
    istanbul: str | None = None
    #: the lines whose statements ran per file, as the jest hooks measured one test
    lines: dict[str, list[int]] = Field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """A script's text as V8 saw it: its length, UTF-16 offsets, and where each line's code is."""

    length: int
    to_index: Callable[[int], int]
    #: (1-based line, first and last+1 index of its code) for each line holding code
    code: tuple[tuple[int, int, int], ...]

    @classmethod
    def read(cls, text: str) -> Source:
        text = text.removeprefix("\ufeff")  # node strips a byte order mark before compiling
        return cls(len(text), _utf16_to_index(text), tuple(_code_extents(text)))


def _utf16_to_index(text: str) -> Callable[[int], int]:
    """V8 offsets count UTF-16 code units; Python indexes code points."""
    if all(ord(c) <= 0xFFFF for c in text):
        return lambda offset: offset
    index = []
    for i, char in enumerate(text):
        index.extend([i] * (2 if ord(char) > 0xFFFF else 1))
    index.append(len(text))
    return lambda offset: index[min(max(offset, 0), len(index) - 1)]


def _code_extents(text: str) -> Iterator[tuple[int, int, int]]:
    """Lines that hold code, with the span from their first to their last non-blank character."""
    start, in_comment = 0, False
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if in_comment:
            in_comment = "*/" not in stripped
        elif stripped.startswith("/*"):
            in_comment = "*/" not in stripped[2:]
        elif stripped and not stripped.startswith("//") and not _NO_CODE.fullmatch(stripped):
            first = start + len(line) - len(line.lstrip())
            yield number, first, start + len(line.rstrip())
        start += len(line) + 1


def covered_lines(source: Source, functions: Sequence[V8Function]) -> set[int]:
    """Lines of ``source`` whose code ran, from one script's V8 ``functions``: per
    character the innermost range wins (its count > 0: ran)."""
    ranges = sorted(
        ((source.to_index(r.startOffset), source.to_index(r.endOffset), r.count) for f in functions for r in f.ranges),
        key=lambda r: (r[0], -r[1]),
    )  # stable: an enclosing range before those inside it
    ran = bytearray(source.length)
    for start, end, count in ranges:
        start, end = max(0, min(start, source.length)), max(0, min(end, source.length))
        if end > start:
            ran[start:end] = (b"\x01" if count > 0 else b"\x00") * (end - start)
    return {number for number, first, last in source.code if ran.find(1, first, last) >= 0}


def _records(text: str) -> Iterator[SourceLine | RunLine]:
    for line in text.splitlines():
        for model in (RunLine, SourceLine):
            try:
                yield model.model_validate_json(line)
                break
            except ValidationError:
                continue  # the other kind, or a line cut short when the driver was killed


def _path(url: str, root: str | None) -> str | None:
    """A ``file://`` URL inside ``root`` -> the path relative to it (else None)."""
    parts = urlsplit(url)
    return _inside(unquote(parts.path), root) if parts.scheme == "file" else None


def _inside(name: str, root: str | None) -> str | None:
    """A file's path relative to ``root`` (None: outside it, or a dependency's)."""
    path = relative(name, root)
    return None if path.startswith("/") or "node_modules/" in path else path


def _intersection(runs: list[dict[str, set[int]]]) -> dict[str, set[int]]:
    first, *rest = runs
    common = {path: set(lines) for path, lines in first.items()}
    for run in rest:
        common = {path: lines & run[path] for path, lines in common.items() if path in run}
    return {path: lines for path, lines in common.items() if lines}


_STATUSES: dict[str, Callable[[str, str | None], dict[str, TestStatus]]] = {
    "node": lambda events, root: parse_node_events(events),
    "mocha": parse_mocha_json,
    "jest": parse_jest_json,
}


def istanbul_lines(text: str, root: str | None) -> dict[str, set[int]]:
    """Lines whose statements ran, per file inside ``root``, from istanbul's JSON (jest's
    ``coverage-final.json``); a statement counts at its first line (an ``if`` statement
    spans its body, which need not have run)."""
    try:
        data = json_value(text, "coverage-final.json") if text else {}
    except InputError:
        return {}
    out: dict[str, set[int]] = {}
    for name, entry in data.items() if isinstance(data, dict) else ():
        path = _inside(str(name), root)
        if path is None or not isinstance(entry, dict):
            continue
        spans, counts = entry.get("statementMap") or {}, entry.get("s") or {}
        lines = {
            int(spans[k]["start"]["line"])
            for k, n in counts.items()
            if n and k in spans and isinstance(spans[k].get("start"), dict)
        }
        if lines:
            out[path] = lines
    return out


def parse_v8_runs(text: str, root: str | None) -> CoverageByTest:
    """``v8-runs.jsonl`` -> ``{test id: {file relative to root: {lines}}}``.

    A test's lines are those every run it ran in covered (see the module docstring);
    tests skipped in all runs, and scripts outside ``root``, are left out.
    """
    sources: dict[str, Source] = {}
    runs_of: dict[str, list[dict[str, set[int]]]] = defaultdict(list)
    for record in _records(text):
        if isinstance(record, SourceLine):
            if record.source is not None:
                sources[record.url] = Source.read(record.source)
            continue
        run: dict[str, set[int]] = istanbul_lines(record.istanbul or "", root)
        for name, lines in record.lines.items():
            path = _inside(name, root)
            if path is not None and lines:
                run[path] = run.get(path, set()) | set(lines)
        for script in record.scripts:
            path = _path(script.url, root)
            if path is not None and script.url in sources:
                # a script named again (a child process's, or a take of the mocha hooks'): the union
                run[path] = run.get(path, set()) | covered_lines(sources[script.url], script.functions)
        statuses = _STATUSES[record.runner](record.events, root)
        for test, status in statuses.items():
            if status is not TestStatus.SKIPPED:
                runs_of[test].append(run)
    return {test: _intersection(runs) for test, runs in runs_of.items()}
