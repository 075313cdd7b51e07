"""The tests a user names always run: the baseline runs what the project's configuration
collects plus what was named, and a project whose runner is not pytest's patterns is run by
the files its runner finds (issue 45's "no tests found" and "no such test: FILE::FUNCTION").

Each case is a small generated git repository repaired in real Docker by the offline planner.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_true_cause import make_repo

ROOT = Path(__file__).resolve().parents[2]
CODE = {
    "pkg/__init__.py": "",
    "pkg/mod.py": "def add(a, b):\n    return a - b\n",
    "pyproject.toml": '[project]\nname = "pkg"\nversion = "0.1"\n',
}
PASSING = {"tests/test_other.py": "def test_other():\n    assert 1 + 1 == 2\n"}
PARAMETRIZED = (
    "import pytest\n\nfrom pkg.mod import add\n\n\n"
    "@pytest.mark.parametrize('a, b, total', [(0, 0, 0), (1, 2, 3)])\n"
    "def test_add(a, b, total):\n    assert add(a, b) == total\n"
)
CLASS = (
    "import unittest\n\nfrom pkg.mod import add\n\n\nclass TestAdd(unittest.TestCase):\n"
    "    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n\n"
    "    def test_zero(self):\n        self.assertEqual(add(0, 0), 0)\n"
)
PLAIN_CLASS = (
    "from pkg.mod import add\n\n\nclass TestAdd:\n    def test_add(self):\n        assert add(1, 2) == 3\n\n"
    "    def test_zero(self):\n        assert add(0, 0) == 0\n"
)


def repair(repo: Path, out: Path, *tests: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    named = [arg for test in tests for arg in ("--tests", test)]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rfsn",
            "repair",
            str(repo),
            *named,
            "--sandbox",
            "docker",
            "--out",
            str(out),
            "--max-steps",
            "120",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(next(out.glob("*/result.json")).read_text())


@pytest.mark.docker
@pytest.mark.parametrize(
    ("files", "named", "targets"),
    [
        # a nose-era file name (tests_*.py) outside pytest's patterns, named by its path: the
        # baseline said "no tests found" though the project has test_*.py files pytest collects
        (
            {**PASSING, "tests/tests_mod.py": PLAIN_CLASS},
            "tests/tests_mod.py",
            ["tests/tests_mod.py::TestAdd::test_add"],
        ),
        # a parametrized function named without its parameters: all its cases, as pytest runs them
        (
            {**PASSING, "tests/test_mod.py": PARAMETRIZED},
            "tests/test_mod.py::test_add",
            ["tests/test_mod.py::test_add[1-2-3]"],
        ),
        # a class, and the same test by its module path (unittest's way of naming it)
        (
            {**PASSING, "tests/test_mod.py": CLASS},
            "tests/test_mod.py::TestAdd",
            ["tests/test_mod.py::TestAdd::test_add"],
        ),
        (
            {**PASSING, "tests/__init__.py": "", "tests/test_mod.py": CLASS},
            "tests.test_mod.TestAdd.test_add",
            ["tests/test_mod.py::TestAdd::test_add"],
        ),
    ],
    ids=["file_outside_the_patterns", "parametrized_function_bare", "class", "module_path"],
)
def test_a_named_test_is_run_and_repaired(
    tmp_path: Path, files: dict[str, str], named: str, targets: list[str]
) -> None:
    repo = make_repo(tmp_path, {**CODE, **files})
    result = repair(repo, tmp_path / "out", named)
    assert result["failing_before"] == targets, result
    assert result["status"] == "fixed", result


@pytest.mark.docker
def test_a_unittest_project_pytest_finds_no_tests_of_is_run_by_its_runners_files(tmp_path: Path) -> None:
    """Test files named for ``unittest discover -p '*_tests.py'`` in tox.ini: pytest's patterns
    match none of them, so the suite runs the files the declared runner finds."""
    repo = make_repo(
        tmp_path,
        {
            **CODE,
            "tests/__init__.py": "",
            "tests/mod_tests.py": CLASS,
            "tox.ini": "[testenv]\ncommands = python -m unittest discover -s tests -p '*_tests.py'\n",
        },
    )
    result = repair(repo, tmp_path / "out")
    assert result["failing_before"] == ["tests/mod_tests.py::TestAdd::test_add"], result
    assert result["status"] == "fixed", result
