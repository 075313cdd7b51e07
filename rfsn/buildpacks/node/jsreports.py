"""Pure parsers for JavaScript test reports: node --test events, jest/vitest JSON, mocha JSON
or the JSON lines of rfsn's mocha reporter (``mochareport.cjs``).

Every parser names a test ``<file> > <suite> > ... > <test>``: the test file
relative to the project root, then the titles from the outermost ``describe``
down to the test, joined with `` > `` (the devset harness's form:
``test/bus.test.js > once handlers run a single time``). A test file that
fails before any test runs (a syntax error, a throw at load) is one ``error``
named by the file alone.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rfsn.buildpacks.base import json_lines
from rfsn.errors import InputError
from rfsn.inputs import json_value
from rfsn.models import TestStatus
from rfsn.models.testfiles import JS_ID_SEP

SEP = JS_ID_SEP

#: the reporter node --test loads (as a data: URL): one JSON object per finished test,
#: with the file relative to the working directory. Works on node 18.19+ and 20+.
NODE_REPORTER_JS = """\
const cwd = process.cwd() + '/';
const rel = (p) => (typeof p === 'string' && p.startsWith(cwd) ? p.slice(cwd.length) : p);
export default async function* rfsnReporter(source) {
  for await (const { type, data } of source) {
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    yield JSON.stringify({
      event: type.slice(5), name: rel(data.name), nesting: data.nesting, file: rel(data.file) ?? '',
      skip: data.skip ?? false, todo: data.todo ?? false, kind: data.details?.type ?? 'test',
      duration_ms: data.details?.duration_ms ?? null,
    }) + '\\n';
  }
}
"""
#: node marks tests that --test-name-pattern filtered out as skipped with this reason
NODE_FILTERED = "test name does not match pattern"

_SEVERITY = {TestStatus.PASSED: 0, TestStatus.SKIPPED: 1, TestStatus.ERROR: 2, TestStatus.FAILED: 3}


def make_id(file: str, *titles: str) -> str:
    """The id; a lone surrogate in a title (JSON's ``"\\udead"``, a test of broken UTF-16) is
    written as its escape, so that the id can be written as UTF-8."""
    return SEP.join([file, *titles]).encode("utf-8", "backslashreplace").decode("utf-8")


def _merge(statuses: dict[str, TestStatus], tid: str, status: TestStatus) -> None:
    previous = statuses.get(tid)
    if previous is None or _SEVERITY[status] > _SEVERITY[previous]:
        statuses[tid] = status


def relative(path: str, root: str | None) -> str:
    """``path`` relative to ``root`` when it lies inside it, else unchanged."""
    if root and posixpath.isabs(path):
        root = root.rstrip("/") or "/"
        if path.startswith(root + "/"):
            return path[len(root) + 1 :]
    return path


# -- node --test ------------------------------------------------------------------


@dataclass
class _Node:
    event: dict[str, Any]
    children: list[_Node] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.event.get("name", ""))

    @property
    def failed(self) -> bool:
        return self.event.get("event") == "fail" and not self.event.get("todo")

    @property
    def status(self) -> TestStatus:
        if self.event.get("skip") or self.event.get("todo"):
            return TestStatus.SKIPPED
        return TestStatus.FAILED if self.failed else TestStatus.PASSED

    def any_failed_below(self) -> bool:
        return any(c.failed or c.any_failed_below() for c in self.children)


def _node_events(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    return (event for event in json_lines(lines) if event.get("event") in ("pass", "fail"))


def _node_trees(events: Iterable[dict[str, Any]]) -> dict[str, list[_Node]]:
    """Rebuild each file's test tree: node reports a test after its children, one level deeper."""
    pending: dict[str, dict[int, list[_Node]]] = {}
    for event in events:
        if event.get("skip") == NODE_FILTERED:
            continue
        levels = pending.setdefault(str(event.get("file") or ""), {})
        nesting = int(event.get("nesting") or 0)
        node = _Node(event, levels.pop(nesting + 1, []))
        for deeper in [n for n in levels if n > nesting + 1]:  # orphans of filtered parents
            node.children.extend(levels.pop(deeper))
        levels.setdefault(nesting, []).append(node)
    return {file: [n for level in sorted(levels) for n in levels[level]] for file, levels in pending.items()}


def _walk(node: _Node, file: str, titles: tuple[str, ...]) -> Iterator[tuple[str, TestStatus, _Node]]:
    titles = (*titles, node.name)
    for child in node.children:
        yield from _walk(child, file, titles)
    if not node.children:
        if node.event.get("kind") != "suite" or node.failed:  # a passing suite with no test is none
            yield make_id(file, *titles), node.status, node
    elif node.failed and not node.any_failed_below():
        yield make_id(file, *titles), TestStatus.FAILED, node  # a hook or the test body itself


def parse_node_events(text: str) -> dict[str, TestStatus]:
    """Statuses from the JSON lines of :data:`NODE_REPORTER_JS`; leaves only, plus
    parents that failed on their own (a failing hook, an assertion after subtests).
    A suite left without tests (empty, or all filtered out by name) is not a test."""
    statuses: dict[str, TestStatus] = {}
    for tid, status, _ in _node_tests(text):
        _merge(statuses, tid, status)
    return statuses


def node_durations(text: str) -> dict[str, float]:
    """Seconds each test of :func:`parse_node_events` took, as node measured it."""
    found: dict[str, float] = {}
    for tid, _, node in _node_tests(text):
        ms = node.event.get("duration_ms")
        if isinstance(ms, (int, float)) and ms >= 0:
            found[tid] = found.get(tid, 0.0) + ms / 1000
    return found


def _node_tests(text: str) -> Iterator[tuple[str, TestStatus, _Node]]:
    for file, roots in _node_trees(_node_events(text.splitlines())).items():
        for root in roots:
            if root.name == file and not root.children and file:
                yield file, TestStatus.ERROR if root.failed else root.status, root
            else:
                yield from _walk(root, file, ())


# -- jest and vitest -----------------------------------------------------------------

_JEST_STATUS = {
    "passed": TestStatus.PASSED,
    "failed": TestStatus.FAILED,
    "pending": TestStatus.SKIPPED,
    "skipped": TestStatus.SKIPPED,
    "todo": TestStatus.SKIPPED,
    "disabled": TestStatus.SKIPPED,
    "focused": TestStatus.PASSED,
}


def _load_json(text: str) -> Any:
    try:
        return json_value(text)
    except InputError:
        return None


def _jest_cases(text: str, root: str | None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(test id, case) of ``jest --json``; a suite without cases that failed is its file's (the
    file did not load), the suite itself its case."""
    data = _load_json(text)
    for suite in data.get("testResults") or [] if isinstance(data, dict) else []:
        file = relative(str(suite.get("name") or suite.get("testFilePath") or ""), root)
        cases = suite.get("assertionResults") or suite.get("testResults") or []
        for case in cases:
            titles = [*(case.get("ancestorTitles") or []), case.get("title", "")]
            yield make_id(file, *(str(t) for t in titles)), case
        if not cases and suite.get("status") == "failed":
            yield file, {**suite, "status": "error", "failureMessages": [suite.get("message") or ""]}


def parse_jest_json(text: str, root: str | None = None) -> dict[str, TestStatus]:
    """Statuses from ``jest --json`` or ``vitest --reporter=json`` (the same shape)."""
    statuses: dict[str, TestStatus] = {}
    for tid, case in _jest_cases(text, root):
        status = (
            TestStatus.ERROR
            if case.get("status") == "error"
            else _JEST_STATUS.get(str(case.get("status")), TestStatus.FAILED)
        )
        _merge(statuses, tid, status)
    return statuses


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: a stack frame: ``at fn (/path/file.js:12:34)`` or ``at /path/file.js:12:34``
_FRAME = re.compile(r"^\s*at (?:.*?\()?(?P<file>[^()\s]+?):\d+:\d+\)?\s*$", re.M)


def jest_reasons(text: str, root: str | None = None) -> dict[str, tuple[str, str]]:
    """Each failed test's reason from ``jest --json`` (vitest's too): the first line of its first
    failure message, and the file of its innermost frame outside ``node_modules`` (an assertion's
    ``expect`` in the test file)."""
    reasons: dict[str, tuple[str, str]] = {}
    for tid, case in _jest_cases(text, root):
        messages = [_ANSI.sub("", str(m)) for m in case.get("failureMessages") or []]
        if case.get("status") not in ("failed", "error") or not messages:
            continue
        lines = [line.strip() for line in messages[0].splitlines()]
        first = next((line for line in lines if line and not line.startswith("●")), "")  # past "● title"
        frames = [f for f in _FRAME.findall(messages[0]) if "node_modules/" not in f and not f.startswith("node:")]
        reasons.setdefault(tid, (first, relative(frames[0], root) if frames else ""))
    return reasons


# -- mocha ---------------------------------------------------------------------------


def mocha_titles(full_title: str, title: str) -> tuple[str, ...]:
    """Mocha's JSON has the full title space-joined; the parent suites become one title."""
    parent = full_title[: -len(title)].rstrip() if title and full_title.endswith(title) else ""
    return (parent, title) if parent else (title,)


#: the event of a line of rfsn's mocha reporter (``mochareport.cjs``) -> the list of mocha's JSON report
_MOCHA_EVENT_LIST = {"pass": "passes", "pending": "pending", "fail": "failures"}


def _mocha_records(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(the report's list, case) of ``mocha --reporter json`` (after any text before it), or of
    the JSON lines of ``mochareport.cjs`` (its cases, each with its event)."""
    start = text.find("{")
    data = _load_json(text[start:]) if start >= 0 else None
    if isinstance(data, dict) and "event" not in data:
        for key in ("passes", "pending", "failures"):
            yield from ((key, case) for case in data.get(key) or [] if isinstance(case, dict))
        return
    for event in json_lines(text.splitlines()):
        if (listed := _MOCHA_EVENT_LIST.get(str(event.get("event")))) is not None:
            yield listed, event


def _mocha_cases(text: str, root: str | None) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(test id, the report's list, case) of a mocha report (``_mocha_records``)."""
    for key, case in _mocha_records(text):
        file = relative(str(case.get("file") or ""), root)
        title = str(case.get("title", ""))
        yield make_id(file, *mocha_titles(str(case.get("fullTitle", title)), title)), key, case


_MOCHA_STATUS = {"passes": TestStatus.PASSED, "pending": TestStatus.SKIPPED, "failures": TestStatus.FAILED}


def parse_mocha_json(text: str, root: str | None = None) -> dict[str, TestStatus]:
    """Statuses from ``mocha --reporter json`` or ``mochareport.cjs``; hook failures name the
    hook's test."""
    statuses: dict[str, TestStatus] = {}
    for tid, key, _ in _mocha_cases(text, root):
        _merge(statuses, tid, _MOCHA_STATUS[key])
    return statuses


def mocha_reasons(text: str, root: str | None = None) -> dict[str, tuple[str, str]]:
    """Each failed test's reason from ``mocha --reporter json``: the first line of its error's
    stack (its name and message), and the file of the stack's first frame outside ``node_modules``."""
    reasons: dict[str, tuple[str, str]] = {}
    for tid, key, case in _mocha_cases(text, root):
        err = case.get("err")
        if key != "failures" or not isinstance(err, dict):
            continue
        stack = _ANSI.sub("", str(err.get("stack") or err.get("message") or ""))
        if _FRAME.match(stack.lstrip("\n")):  # a stack of frames only (old Nodes' for some errors): the message
            stack = f"{err.get('name') or 'Error'}: {err.get('message') or ''}\n{stack}"
        first = next((line.strip() for line in stack.splitlines() if line.strip()), "")
        frames = [f for f in _FRAME.findall(stack) if "node_modules/" not in f and not f.startswith("node:")]
        if first:
            reasons.setdefault(tid, (first, relative(frames[0], root) if frames else ""))
    return reasons
