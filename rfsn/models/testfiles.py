"""What counts as test code: one answer for the gate, localization and batch patching.

A file is a test file by the conventions of the common ecosystems: a test
directory anywhere on its path, or a test-shaped name. A Rust source file
also holds test code from its first ``#[cfg(test)]`` line on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

TEST_DIRS = frozenset({"tests", "test", "testing", "__tests__", "spec", "specs", "e2e"})
_TEST_NAME = re.compile(
    r"""^(?:
        test_.*\.py | .*_tests?\.py | tests?\.py | conftest\.py
      | .*\.(?:test|spec)\.[cm]?[jt]sx? | .*\.(?:test|spec)\.(?:coffee|vue|svelte) | tests?\.[cm]?[jt]sx?
      | .*_test\.go | .*_(?:spec|test)\.rb | test_.*\.rb
      | .*Tests?\.(?:java|kt|kts|scala|cs|swift|php) | Test.*\.(?:java|kt)
      | .*_test\.(?:rs|exs|ex|dart|c|cc|cpp|cxx|lua|sh|clj|erl)
      | test_.*\.(?:rs|c|cc|cpp|lua|sh)
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_RUST_TEST_REGION = re.compile(r"^\s*#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]")
#: between a JavaScript test id's file and its titles (``test/a.test.js > suite > works``)
JS_ID_SEP = " > "
#: a test's name after its Python file and one colon (``path.py:test_x``)
_PY_NAME = re.compile(r"(?<=\.py):(?!:).*$")
#: a module path: dotted identifiers, at least two
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


def is_test_file(path: str) -> bool:
    """A repo-relative path under a test directory or with a test-shaped name."""
    parts = path.replace("\\", "/").split("/")
    if any(part.casefold() in TEST_DIRS for part in parts[:-1]):
        return True
    return bool(_TEST_NAME.match(parts[-1]))


def is_test_module(path: str) -> bool:
    """A file of tests by its own name (``test_x.py``, ``x_test.go``, ``a.test.js``): not a
    helper or data under a test directory, not a ``conftest.py``."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return bool(_TEST_NAME.match(name)) and name.casefold() != "conftest.py"


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


def rust_test_region_start(text: str) -> int | None:
    """1-based line of the first ``#[cfg(test)]`` in a Rust file, if any."""
    for number, line in enumerate(text.splitlines(), start=1):
        if _RUST_TEST_REGION.match(line):
            return number
    return None


def is_test_code(path: str, line: int, files: Mapping[str, str]) -> bool:
    """A line of a test file, or of a Rust file's ``#[cfg(test)]`` region."""
    if is_test_file(path):
        return True
    start = rust_test_region_start(files.get(path, "")) if path.endswith(".rs") else None
    return start is not None and line >= start
