"""A FAIL_TO_PASS test whose module cannot be imported at base fails there, as the harness grades
it; only a module that cannot import what is not the repository's own says the environment lacks
something (real git, real pytest runs in the local sandbox, graded by ``rfsn evaluate``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.batch.test_evaluate_clean_docker import _diff, _git, _write
from tests.batch.test_evaluate_docker import validate

TESTS = """\
{first}from calc.constants import {name}


def test_flag():
    assert {name} is False


def test_flag_is_a_bool():
    assert isinstance({name}, bool)
"""
OTHER = "from calc.constants import VERSION\n\n\ndef test_version():\n    assert VERSION == 1\n"


def _instance(root: Path, first: str) -> dict[str, Any]:
    repo = root / "repos" / "calc"
    (repo / "src/calc").mkdir(parents=True)
    _git(root, "init", "-q", str(repo))
    (repo / "src/calc/__init__.py").write_text("")
    (repo / "src/calc/constants.py").write_text("VERSION = 1\n")
    (repo / "conftest.py").write_text("import sys\nsys.path.insert(0, 'src')\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    test_patch = _diff(repo, "tests/test_flag.py", TESTS.format(first=first, name="IS_PYPY")) + _diff(
        repo, "tests/test_other.py", OTHER
    )
    return {
        "instance_id": "local__calc-1",
        "repo": "local/calc",
        "base_commit": _git(repo, "rev-parse", "HEAD"),
        "patch": _diff(repo, "src/calc/constants.py", "VERSION = 1\nIS_PYPY = False\n"),
        "test_patch": test_patch,
        "FAIL_TO_PASS": ["tests/test_flag.py::test_flag", "tests/test_flag.py::test_flag_is_a_bool"],
        "PASS_TO_PASS": ["tests/test_other.py::test_version"],
        "version": "1.0",
    }


def _evaluate(root: Path, first: str = "") -> tuple[dict[str, Any], str]:
    summary = validate(
        _write(root, _instance(root, first)), "imports", root / "out", root / "repos", "--sandbox", "local"
    )
    log = (root / "out/logs/run_evaluation/imports/gold/local__calc-1/run_instance.log").read_text()
    return summary, log


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """The validation of the instance whose test module imports nothing but the name gold adds."""
    return _evaluate(tmp_path_factory.mktemp("plain"))


def test_fail_to_pass_tests_in_a_module_importing_a_name_the_gold_patch_adds_fail_at_base_and_gold_resolves(
    plain: tuple[dict[str, Any], str],
) -> None:
    # pylint-dev__pylint: all 21 FAIL_TO_PASS tests live in a module importing
    # `from pylint.constants import IS_PYPY`, which the gold patch adds; rfsn labelled it `env`
    summary, log = plain
    assert "environment validation: ok" in log, log
    assert summary["resolved_ids"] == ["local__calc-1"], (summary, log)


def test_fail_to_pass_tests_hidden_by_a_package_the_environment_lacks_are_the_environment(tmp_path: Path) -> None:
    summary, log = _evaluate(tmp_path, "import calcplugin_not_installed\n")
    assert summary["rfsn"]["error_kinds"] == {"local__calc-1": "env"}, (summary, log)
    assert (
        "2 test(s) not collected at base (first: tests/test_flag.py::test_flag): tests/test_flag.py "
        "cannot import a dependency: "
    ) in log and "calcplugin_not_installed" in log, log


def test_xarray_2905_the_log_says_how_the_environment_was_built(plain: tuple[dict[str, Any], str]) -> None:
    """The log of each run names what its environment was built from (for a conda environment.yml:
    from PyPI, and what was left out), as a repair session's report does."""
    _, log = plain
    assert "] environment: Python 3." in log and "requirements from none declared" in log, log


def test_tomlkit_fefb29f_named_tests_the_gold_patch_never_runs_are_the_environment(tmp_path: Path) -> None:
    """A run of the instance's own patch that collects none of its tests says nothing of the fix:
    the environment is at fault (``env``, with the run's first error), not the patch. tomlkit
    fefb29f's tests read data from a submodule the checkout left empty: the base's collection error
    passed as the tests failing there, and gold was labelled unresolved."""
    data = "import os\n\nCASES = os.listdir(os.path.join(os.path.dirname(__file__), 'cases'))\n"
    summary, log = _evaluate(tmp_path, data)
    assert summary["rfsn"]["error_kinds"] == {"local__calc-1": "env"}, (summary, log)
    validity = json.loads((tmp_path / "out" / "validation.imports.json").read_text())
    assert validity[0]["label"] == "env" and "FileNotFoundError" in validity[0]["message"], validity
