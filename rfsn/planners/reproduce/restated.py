"""Tests a reproduction restates: an existing test repeated under the same name with new
expectations.

A fix may break a test that asserted the buggy behaviour, and a model writing a reproduction
often copies that test with new expectations: the old test then passes before the fix and
fails after it, and is no regression. A restated test passed at baseline, lives outside the
reproduction, and shares its name (class and function, parameters aside) with a reproduction
test whose body is at least ``SIMILARITY`` alike, or, renamed, has a reproduction test in the
same class at least ``RENAMED_SIMILARITY`` alike. Python only (``ast``). A reproduction's own
test that passes before any fix is set aside too: it shows nothing of the problem. A fix may
break these; the verdict says so.

The other way round, a reproduction's test that repeats a test failing at baseline
(``repeated``) shows that old failure, not the problem, and is no target.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Mapping, Sequence

from rfsn.models import TestReport, TestStatus
from rfsn.models.testfiles import test_id_file
from rfsn.observability.logging import get_logger

log = get_logger(__name__)

#: an old test restated under its own name: its body at least this alike
SIMILARITY = 0.5
#: an old test restated under a new name (a fix may rename the test whose assertion it turns
#: round): in the same class (or both at module level), its body at least this alike and this
#: long (one-line bodies are all alike), by a test of the reproduction whose name no old test has
RENAMED_SIMILARITY = 0.8
RENAMED_MIN_CHARS = 100
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def name_in_file(test_id: str) -> str:
    """A test's name within its file, parameters aside: ``t/a.py::TestX::test_y[1]`` -> ``TestX::test_y``
    (a file-header runner's ``t/a.py:test_y`` -> ``test_y``)."""
    base = test_id.split("[", 1)[0]
    path = test_id_file(base)
    return base[len(path) :].lstrip(":") if base.startswith(f"{path}:") else base


def bodies(text: str) -> dict[str, str]:
    """``function`` / ``Class::function`` -> its body's source (the ``def`` line aside: names are
    compared apart), for the functions of a module and of its classes."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    found: dict[str, str] = {}
    lines = [line.encode() for line in _LINES.findall(text)]  # as ast counts them (not at \f)

    def add(body: Sequence[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found[prefix + node.name] = "\n".join(_segment(lines, s) for s in node.body)
            elif isinstance(node, ast.ClassDef):
                add(node.body, f"{prefix}{node.name}::")

    add(tree.body, "")
    return found


def _segment(lines: list[bytes], node: ast.stmt) -> str:
    """``ast.get_source_segment`` on a module split into (UTF-8) lines once: that function
    splits the whole module again at every call, quadratic on a long test module."""
    if node.end_lineno is None or node.end_col_offset is None:
        return ""
    first, last = node.lineno - 1, node.end_lineno - 1
    if first == last:
        return lines[first][node.col_offset : node.end_col_offset].decode(errors="replace")
    return b"".join(
        [lines[first][node.col_offset :], *lines[first + 1 : last], lines[last][: node.end_col_offset]]
    ).decode(errors="replace")


def _alike(old: str, new: str, at_least: float) -> bool:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return matcher.real_quick_ratio() >= at_least and matcher.quick_ratio() >= at_least and matcher.ratio() >= at_least


def restated(passing: Sequence[str], reproduction: Sequence[str], files: Mapping[str, str]) -> list[str]:
    """The ``passing`` tests that the ``reproduction``'s tests restate (``files``: path -> text
    of the test files): under the same name, or renamed in the same class."""
    mine = {test_id_file(t) for t in reproduction}
    by_file: dict[str, dict[str, str]] = {}

    def body(path: str, name: str) -> str:
        if path not in by_file:
            by_file[path] = bodies(files.get(path, ""))
        return by_file[path].get(name, "")

    new = {name_in_file(t): body(test_id_file(t), name_in_file(t)) for t in reproduction}
    old_names = {name_in_file(t) for t in passing if test_id_file(t) not in mine}
    renamed = {name: text for name, text in new.items() if name not in old_names}
    found = []
    for test in passing:
        path, name = test_id_file(test), name_in_file(test)
        if path in mine or not path.endswith(".py") or not (old := body(path, name)):
            continue
        scope = name.rpartition("::")[0]
        if name in new:
            if new[name] and _alike(old, new[name], SIMILARITY):
                found.append(test)
        elif len(old) >= RENAMED_MIN_CHARS and any(
            other.rpartition("::")[0] == scope and _alike(old, text, RENAMED_SIMILARITY)
            for other, text in renamed.items()
        ):
            found.append(test)
    # the same tests by the bare name a harness's parser also gives a passing test (a bare-name runner's)
    named = {name_in_file(t) for t in found}
    return found + [t for t in passing if t in named and test_id_file(t) == t]


def repeated(failing: Sequence[str], reproduction: Sequence[str], files: Mapping[str, str]) -> dict[str, str]:
    """The ``reproduction``'s tests that repeat an old test that fails too (``failing``: the
    baseline's failures, outside the reproduction's files): under the same name, their bodies at
    least ``SIMILARITY`` alike. -> reproduction test: the old test. A model copies neighbours of
    the test it writes; a copy of a test the environment already fails shows that old failure,
    not the problem described, and no fix makes it pass."""
    mine = {test_id_file(t) for t in reproduction}
    old_by_name: dict[str, list[str]] = {}
    for test in failing:
        if test_id_file(test) not in mine and test_id_file(test).endswith(".py"):
            old_by_name.setdefault(name_in_file(test), []).append(test)
    by_file = {path: bodies(text) for path, text in files.items()}
    found = {}
    for test in reproduction:
        name = name_in_file(test)
        new = by_file.get(test_id_file(test), {}).get(name, "")
        for old in old_by_name.get(name, []):
            if new and (body := by_file.get(test_id_file(old), {}).get(name)) and _alike(body, new, SIMILARITY):
                found[test] = old
                break
    return found


def set_aside(
    run: TestReport, reproduction: list[str], files: Mapping[str, str]
) -> tuple[TestReport, list[str], list[str]]:
    """The reproduction's ``run`` without the tests a fix may break (the verdict names any it
    broke), and those tests: the old tests that the tests of the reproduction's files
    (``reproduction``: its failing tests) restate, and the reproduction's own tests that pass
    before any fix. Those are the model's, not the project's, and show nothing of the problem
    (a copy of a neighbour moved where its data paths no longer hold breaks with the right
    fix). The copies are looked at first: they are what restates the old tests."""
    written = {test_id_file(t) for t in reproduction}
    mine = [t for t in run.tests if test_id_file(t) in written]
    found = restated(run.passing, mine, files)
    own = [t for t in mine if run.tests[t] is TestStatus.PASSED]
    if found:
        log.info("planner.restated", tests=found)
    if own:
        log.info("planner.reproduction_passing", tests=own)
    aside = {*found, *own}
    kept = run.model_copy(update={"tests": {t: s for t, s in run.tests.items() if t not in aside}})
    return (kept if aside else run), found, own
