"""A named test is what it names: the cases of a parametrized function named bare (as pytest
runs ``file::func``), the tests of a class, a file or a folder, a test by its module path."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.models import TestReport
from rfsn.models import TestStatus as S
from rfsn.models.testfiles import module_test_id, named_tests

REPORT = TestReport(
    exit_code=1,
    duration=1.0,
    tests={
        "tests/test_a.py::test_add[0-0]": S.PASSED,
        "tests/test_a.py::test_add[1-2]": S.FAILED,
        "tests/test_a.py::test_add_more": S.PASSED,
        "tests/test_a.py::TestA::test_b": S.FAILED,
        "tests/sub/test_c.py::test_c": S.PASSED,
    },
)


@pytest.mark.parametrize(
    ("given", "tests"),
    [
        ("tests/test_a.py::test_add", ["tests/test_a.py::test_add[0-0]", "tests/test_a.py::test_add[1-2]"]),
        ("tests/test_a.py::TestA", ["tests/test_a.py::TestA::test_b"]),
        ("tests/sub/", ["tests/sub/test_c.py::test_c"]),
        ("tests/test_a.py::test_add[1-2]", ["tests/test_a.py::test_add[1-2]"]),
        ("tests/test_a.py::test_ad", []),
    ],
)
def test_a_name_holds_its_cases_not_its_prefix(given: str, tests: list[str]) -> None:
    """``test_add`` names ``test_add[...]``, never ``test_add_more``."""
    assert REPORT.named(given) == tests


def test_a_parametrized_function_named_bare_is_known_and_resolves_to_its_cases() -> None:
    """issue 45: "no such test: FILE::FUNCTION" while the baseline ran its cases."""
    assert REPORT.unknown(["tests/test_a.py::test_add", "tests/test_a.py::nosuch"]) == ["tests/test_a.py::nosuch"]
    failing = [t for t in REPORT.resolve(["tests/test_a.py::test_add", "tests/test_a.py"]) if t in REPORT.failing]
    assert failing == ["tests/test_a.py::test_add[1-2]", "tests/test_a.py::TestA::test_b"]


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ("tests.test_x", "tests/test_x.py"),
        ("tests.test_x.TestA.test_b", "tests/test_x.py::TestA::test_b"),
        ("pkg.tests.test_y.test_f", "src/pkg/tests/test_y.py::test_f"),
        ("pkg.tests", "src/pkg/tests/"),
        ("tests/test_x.py::TestA", "tests/test_x.py::TestA"),
        ("test_x", "test_x"),  # sympy's bare name
        ("setup.py", "setup.py"),  # a file, not a module path
        ("test_x (tests.test_x.TestA)", "test_x (tests.test_x.TestA)"),  # Django's runner's name
        ("other.module", "other.module"),  # no such file: as it is
    ],
)
def test_a_module_path_names_the_file_of_the_repository(tmp_path: Path, given: str, named: str) -> None:
    for path in ("tests/test_x.py", "setup.py", "src/pkg/tests/__init__.py", "src/pkg/tests/test_y.py"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("")
    assert named_tests([given], tmp_path) == [named]
    assert module_test_id(given, lambda p: (tmp_path / p).is_file()) == named
