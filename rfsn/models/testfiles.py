"""Test ids: the file a test id names, and a test named by its module path as pytest names it.

Which files are test files is the ecosystems' answer (``rfsn.buildpacks.testfiles``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

#: between a JavaScript test id's file and its titles (``test/a.test.js > suite > works``)
JS_ID_SEP = " > "
#: a test's name after its Python file and one colon (``path.py:test_x``)
_PY_NAME = re.compile(r"(?<=\.py):(?!:).*$")
#: a module path: dotted identifiers, at least two
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


def test_id_file(test_id: str) -> str:
    """The test file a test id names first: pytest's ``tests/test_x.py::T::test_y``,
    ``pkg/core/tests/test_x.py:test_y`` (the SWE-bench harness's name of a test of a runner
    that prints each file before its tests) and the JS runners' ``test/a.test.js > suite >
    works`` (other ids are returned whole)."""
    return _PY_NAME.sub("", test_id.split("::", 1)[0].split(JS_ID_SEP, 1)[0])


def module_test_id(given: str, is_file: Callable[[str], bool]) -> str:
    """A Python test named by its module path (``pkg.tests.test_x``, unittest's
    ``tests.test_x.TestA.test_b``) as pytest names it (``pkg/tests/test_x.py::TestA::test_b``):
    the longest leading part that is a file of the repository (``is_file`` of a repo-relative
    path), at its root or under ``src/``; a package is its folder. Any other id as it is."""
    if given.endswith(".py") or not _DOTTED.fullmatch(given):
        return given
    parts = given.split(".")
    for i in range(len(parts), 0, -1):
        for root in ("", "src/"):
            stem = root + "/".join(parts[:i])
            if is_file(f"{stem}.py"):
                return "::".join([f"{stem}.py", *parts[i:]])
            if i == len(parts) and is_file(f"{stem}/__init__.py"):
                return f"{stem}/"
    return given


def named_tests(given: Iterable[str], repo: Path) -> list[str]:
    """The tests a user named, each module path as the file of ``repo`` it names (`module_test_id`)."""
    return [module_test_id(t, lambda p: (repo / p).is_file()) for t in given]
