"""Tests a reproduction restates: an existing test repeated under the same name with new
expectations.

A fix can break an existing test that asserted the buggy behaviour, and the
project's own fix then updates that test. A model writing a reproduction
often does the same: it copies the test and changes what it expects. The old
test then passes before the fix and fails after it, and is not a regression.
That holds only for a test the reproduction restates. Such a test is one that
passed at baseline and lives outside the reproduction. It shares its name
(class and function, parameters aside) with one of the reproduction's tests.
The two function bodies are at least ``SIMILARITY`` alike. Python only: the
sources are compared with ``ast``.

The restating test may fail at baseline (its new expectation is the bug's) or
pass (an expectation both behaviours meet: the project's fix loosened an
assertion the fix breaks). Either way it stays in the baseline: a fix must make
it pass, or keep it passing. Only its old version may break.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Mapping, Sequence

from rfsn.models import TestReport
from rfsn.models.testfiles import test_id_file
from rfsn.observability.logging import get_logger

log = get_logger(__name__)

SIMILARITY = 0.5


def name_in_file(test_id: str) -> str:
    """A test's name within its file, parameters aside: ``t/a.py::TestX::test_y[1]`` -> ``TestX::test_y``."""
    return test_id.split("[", 1)[0].split("::", 1)[-1]


def _source(text: str, name: str) -> str | None:
    """The body of the function ``name`` (``Class::function`` or ``function``) in ``text``
    (its ``def`` line aside: the names are equal already)."""
    try:
        body: Sequence[ast.stmt] = ast.parse(text).body
    except (SyntaxError, ValueError):
        return None
    *classes, function = name.split("::")
    for cls in classes:
        body = next((n.body for n in body if isinstance(n, ast.ClassDef) and n.name == cls), [])
    node = next((n for n in body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == function),
                None)
    if node is None:
        return None
    return "\n".join(ast.get_source_segment(text, stmt) or "" for stmt in node.body)


def restated(passing: Sequence[str], reproduction: Sequence[str], files: Mapping[str, str]) -> list[str]:
    """The ``passing`` tests that the ``reproduction``'s tests restate (``files``: path -> text
    of the test files)."""
    mine = {test_id_file(t) for t in reproduction}
    new = {name_in_file(t): test_id_file(t) for t in reproduction}
    found = []
    for test in passing:
        path, name = test_id_file(test), name_in_file(test)
        if path in mine or name not in new or not path.endswith(".py"):
            continue
        old_source, new_source = _source(files.get(path, ""), name), _source(files.get(new[name], ""), name)
        if old_source and new_source and difflib.SequenceMatcher(
                None, old_source, new_source, autojunk=False).ratio() >= SIMILARITY:
            found.append(test)
    return found


def set_aside(run: TestReport, reproduction: list[str],
              files: Mapping[str, str]) -> tuple[TestReport, list[str]]:
    """The reproduction's ``run`` without the old tests that the tests of the reproduction's
    files (``reproduction``: its failing tests) restate (a fix may break those; the verdict names
    any it broke), and those tests."""
    written = {test_id_file(t) for t in reproduction}
    found = restated(run.passing, [t for t in run.tests if test_id_file(t) in written], files)
    if not found:
        return run, []
    log.info("planner.restated", tests=found)
    return run.model_copy(update={"tests": {t: s for t, s in run.tests.items() if t not in found}}), found
