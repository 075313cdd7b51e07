"""Per-test coverage where the project's own pytest setup stands in its way, in real Docker: a
pytest that ignores ``-o python_files`` and a pytest-cov the project's addopts start still leave
every test of the suite measured."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rfsn.buildpacks.base import EnvOptions
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.runner import Measure, run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings

pytestmark = [pytest.mark.docker, pytest.mark.slow]

CALC = "def add(a, b):\n    if a > 0:\n        return a + b\n    return b - a\n"
TESTS = (
    "from calc import add\n\n\ndef test_positive():\n    assert add(1, 2) == 3\n\n\n"
    "def test_negative():\n    assert add(-1, 2) == 3\n"
)


def _repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    for name, text in {"calc.py": CALC, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def _measured(
    repo: Path, pack: PythonBuildpack, rfsn_home: Path, named: list[str], python: str | None = None
) -> tuple[dict, str]:
    settings = Settings(
        sandbox="docker", home=rfsn_home, test_timeout=120, setup_timeout=900, setup_snapshots=False, python=python
    )
    with open_sandbox(repo, pack, settings, "docker") as sandbox:
        pack.collect(repo, named)
        report = run_tests(sandbox, pack, timeout=120, measure=Measure(coverage=True))
    return report.coverage or {}, report.log[-2000:]


def test_a_pytest_3_0_3_collects_a_named_file_outside_its_patterns_in_the_coverage_run_semver_5e41beb(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """pytest 3.0 to 3.0.6 keep the ``python_files`` the assertion rewriter read before ``-o``
    was parsed (semver 5e41beb, pytest 3.0.3: its coverage run of the suite collected 0 items, its
    test file ``tests.py`` is outside pytest's patterns): the suite's runs keep asserts plain."""
    repo = _repo(tmp_path / "calc", {"tests.py": TESTS, "requirements-dev.txt": "pytest==3.0.3\n"})
    pack = PythonBuildpack()
    pack.env_options = EnvOptions(runtime="3.9")  # pytest 3.0 imports what Python 3.10 removed
    built.append(pack.env_recipe(repo).key())
    coverage, log = _measured(repo, pack, rfsn_home, ["tests.py"], python="3.9")
    assert pack.pytest is not None and pack.pytest.version == (3, 0, 3)
    assert coverage.get("tests.py::test_positive", {}).get("calc.py") == [2, 3], log
    assert coverage["tests.py::test_negative"]["calc.py"] == [2, 4]


def test_the_projects_own_pytest_cov_leaves_the_coverage_run_its_tracer_arrow_fe9602e(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """A project whose addopts start pytest-cov (arrow fe9602e: ``--cov=arrow``) took the tracer
    from rfsn's ``coverage run``, which measured nothing in both its runs: pytest-cov is off there."""
    repo = _repo(
        tmp_path / "calc",
        {
            "tests/test_calc.py": TESTS,
            "tests/requirements.txt": "pytest\npytest-cov\n",
            "setup.cfg": "[tool:pytest]\naddopts = --cov=calc --cov-fail-under=100\n",
        },
    )
    pack = PythonBuildpack()
    built.append(pack.env_recipe(repo).key())
    coverage, log = _measured(repo, pack, rfsn_home, [])
    assert pack.pytest is not None and pack.pytest.cov is not None
    assert coverage.get("tests/test_calc.py::test_positive", {}).get("calc.py") == [2, 3], log
    assert coverage["tests/test_calc.py::test_negative"]["calc.py"] == [2, 4]
