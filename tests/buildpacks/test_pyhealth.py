"""A broken environment is told apart from failing tests, on real pytest output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.pyhealth import crashed, diagnose
from rfsn.fsutil import project_modules
from rfsn.models import TestReport
from rfsn.models import TestStatus as Status


def _pytest(repo: Path, files: dict[str, str]) -> tuple[str, int, int]:
    """Run the Python buildpack's own test command there: (log, exit code, tests reported)."""
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    pack = PythonBuildpack()
    argv = [sys.executable, *pack.test_command([], str(repo / ".reports"))[1:]]
    (repo / ".reports").mkdir()
    proc = subprocess.run(argv, cwd=repo, capture_output=True, text=True, timeout=120)
    reports = {p.name: p.read_text() for p in (repo / ".reports").iterdir()}
    return proc.stdout + proc.stderr, proc.returncode, len(pack.parse(proc.stdout, reports))


OK = {"tests/test_ok.py": "def test_ok():\n    assert True\n"}


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({"tests/test_json.py": "import simplejson\n\ndef test_x():\n    pass\n"}, "No module named 'simplejson'"),
        (
            {"tests/test_mp.py": "from pytest import gone_in_this_release\n\ndef test_x():\n    pass\n"},
            "cannot import name 'gone_in_this_release' from 'pytest'",
        ),
        ({"tests/conftest.py": "import simplejson\n"}, "usage error"),
        ({"pyproject.toml": "[tool.pytest.ini_options]\naddopts = '--no-such-option'\n"}, "usage error"),
    ],
    ids=["missing-module", "incompatible-version", "broken-conftest", "bad-config"],
)
def test_broken_environments_are_diagnosed(tmp_path: Path, files: dict[str, str], fragment: str) -> None:
    log, code, collected = _pytest(tmp_path, {**OK, **files})
    found = diagnose(log, code, collected, tmp_path)
    assert found is not None and fragment in found, (found, log[-2000:])


def test_nothing_collected_is_broken(tmp_path: Path) -> None:
    log, code, collected = _pytest(tmp_path, {"tests/helpers.py": "X = 1\n"})
    assert (diagnose(log, code, collected, tmp_path) or "").startswith("no tests found")


def test_a_crash_before_any_test_says_so_with_its_last_words(tmp_path: Path) -> None:
    """A C extension crashing at collection kills pytest (signal 11, 139 as a sandbox reports it):
    the diagnosis names the signal and the last line printed (in Docker, the shell's
    "Segmentation fault"), not the first line of pytest's banner."""
    crash = {"tests/test_crash.py": "import os, signal\n\nos.kill(os.getpid(), signal.SIGSEGV)\n"}
    log, code, collected = _pytest(tmp_path, {**OK, **crash})
    log += "Segmentation fault\n"  # what the sandbox's shell adds
    found = diagnose(log, 128 - code if code < 0 else code, collected, tmp_path) or ""
    assert found == (
        "the environment is broken: killed by signal 11 before any test was collected: Segmentation fault"
    ), log[-2000:]


@pytest.mark.parametrize(
    "files",
    [
        {
            "shop/__init__.py": "",
            "shop/cart.py": "def total(:\n",
            "tests/test_cart.py": "from shop.cart import total\n\ndef test_t():\n    assert total()\n",
        },
        {
            "shop/__init__.py": "",
            "shop/cart.py": "from shop.prices import price\n",
            "shop/prices.py": "def cost():\n    return 1\n",
            "tests/test_cart.py": "import shop.cart\n\ndef test_t():\n    pass\n",
        },
        {
            "src/shop/__init__.py": "",
            "src/shop/cart.py": "X = 1\n",
            "tests/test_cart.py": (
                "import sys\nsys.path.insert(0, 'src')\nfrom shop.cart import Y\n\ndef test_t():\n    pass\n"
            ),
        },
        {"tests/test_fail.py": "def test_fail():\n    assert 1 == 2\n"},
        # a test of a test runner (pytest's own suite) runs an inner pytest whose collection error
        # it prints: that file is not the repository's, and this run is healthy
        {
            "tests/test_inner.py": "pytest_plugins = ['pytester']\n\ndef test_inner(pytester):\n"
            "    pytester.makepyfile(test_nested='import does_not_work\\n')\n"
            "    pytester.runpytest().assert_outcomes(errors=1)\n"
        },
        # the project is a pytest plugin whose hook fails: an internal error through its own code
        {
            "pyproject.toml": "[tool.pytest.ini_options]\naddopts = '-p plug'\n",
            "plug.py": (
                "def pytest_runtest_logreport(report):\n    if 'boom' in report.nodeid and report.when == 'call':\n"
                "        raise RuntimeError('the plugin under test fails')\n"
            ),
            "tests/test_plug.py": "def test_boom():\n    pass\n",
        },
    ],
    ids=[
        "own-syntax-error",
        "own-bad-import",
        "own-src-layout",
        "failing-test",
        "inner-pytest-run",
        "own-plugin-internal-error",
    ],
)
def test_the_projects_own_errors_are_repair_targets(tmp_path: Path, files: dict[str, str]) -> None:
    log, code, collected = _pytest(tmp_path, {**OK, **files})
    assert diagnose(log, code, collected, tmp_path) is None, log[-2000:]


#: a pytest plugin whose hook fails as it reports a test: pytest stops on an internal error
FAILING_HOOK = (
    "def pytest_runtest_logreport(report):\n    if 'boom' in report.nodeid and report.when == 'call':\n"
    "        raise RuntimeError('the plugin fails')\n"
)


def test_a_run_the_projects_own_crash_cut_short_is_told_apart(tmp_path: Path) -> None:
    """pytest-7168: the project is (part of) the runner and its bug crashes pytest before the
    test is reported; the run was cut short by the code under test (``crashed``), and its
    unreported tests did not pass. The same crash in a conftest, or a run that failed a test, is
    no such run."""
    boom = {"tests/test_plug.py": "def test_boom():\n    pass\n"}
    own = {**OK, **boom, "plug.py": FAILING_HOOK, "pyproject.toml": "[tool.pytest.ini_options]\naddopts = '-p plug'\n"}
    log, code, _ = _pytest(tmp_path / "own", own)
    assert code == 3 and crashed(log, code, tmp_path / "own"), log[-2000:]
    assert PythonBuildpack().crashed(TestReport(log=log, exit_code=code), tmp_path / "own")
    log, code, _ = _pytest(tmp_path / "conftest", {**OK, **boom, "tests/conftest.py": FAILING_HOOK})
    assert code == 3 and not crashed(log, code, tmp_path / "conftest"), log[-2000:]
    log, code, _ = _pytest(tmp_path / "failing", {"tests/test_fail.py": "def test_fail():\n    assert 1 == 2\n"})
    assert not crashed(log, code, tmp_path / "failing")


def test_project_modules_cover_flat_and_src_layouts(tmp_path: Path) -> None:
    for rel in ("pkg/__init__.py", "tool.py", "src/lib2/__init__.py", ".hidden/x.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    assert {"pkg", "tool", "lib2"} <= project_modules(tmp_path)
    assert ".hidden" not in project_modules(tmp_path)


def test_a_missing_dependency_of_some_modules_is_not_broken_when_other_tests_pass(tmp_path: Path) -> None:
    """A test dependency the env lacks (GitPython for pylint's primer tests): those modules'
    errors are failures of the environment among the baseline's, and the rest is repaired."""
    log, code, collected = _pytest(
        tmp_path, {**OK, "tests/test_git.py": "import no_such_dependency_xyz\n\ndef test_x():\n    pass\n"}
    )
    assert diagnose(log, code, collected, tmp_path, passed=1) is None
    assert "No module named 'no_such_dependency_xyz'" in (diagnose(log, code, collected, tmp_path, passed=0) or "")


def test_a_runner_that_dies_in_a_traceback_is_named_by_its_exception(tmp_path: Path) -> None:
    """The environment's error names the exception a traceback ends with, not its first line
    (semver f2c23f6: pytest of 2019 on Python 3.11 died in `py`'s apipkg with a chained
    ``AttributeError: __spec__``, and the message said ``Traceback (most recent call last):``)."""
    (tmp_path / "pytest.py").write_text(
        "class Lazy:\n"
        "    def __getattr__(self, name):\n"
        "        try:\n"
        "            return {}[name]\n"
        "        except KeyError:\n"
        "            raise AttributeError(name)\n"
        "Lazy().__spec__\n"
    )
    proc = subprocess.run([sys.executable, "-m", "pytest"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.stderr.startswith("Traceback (most recent call last):")
    assert (diagnose(proc.stderr, proc.returncode, 0, tmp_path) or "").startswith(
        "the environment is broken: no tests were collected: AttributeError: __spec__"
    )


#: a conftest whose helper module builds a value of the project's at import: the project's
#: own check raises there (a negated condition), before any test is collected
RAISING_CONFTEST = {
    "shop/__init__.py": "def is_pair(x):\n    return not (isinstance(x, tuple) and len(x) == 2)\n\n\n"
    "def checked(x):\n    if not is_pair(x):\n        raise ValueError('not a pair')\n"
    "    return x\n",
    "tests/__init__.py": "",
    "tests/base.py": "from shop import checked\n\nORIGIN = checked((0, 0))\n",
    "tests/conftest.py": "from tests.base import ORIGIN  # noqa: F401\n",
    "tests/test_pairs.py": "from shop import is_pair\n\n\ndef test_pair():\n    assert is_pair((1, 2))\n",
}


def test_a_conftest_the_projects_own_code_cannot_load_is_a_failure_of_its_tests_marshmallow_8e4e746(
    tmp_path: Path,
) -> None:
    """A conftest that fails to load because the project's own code raised (the traceback ends in
    one of its source files) is the bug reproduced, not a broken environment: the folder it
    governs erred. marshmallow 8e4e746's seed raised while ``tests/conftest.py`` imported its
    schemas, pytest exited 4, and the session ended ``env_error``."""
    log, code, _ = _pytest(tmp_path, RAISING_CONFTEST)
    statuses = PythonBuildpack().parse(log, {})  # no report: pytest stopped before writing one
    assert code == 4 and statuses == {"tests": Status.ERROR}, log[-2000:]
    assert diagnose(log, code, len(statuses), tmp_path) is None, log[-2000:]


def test_a_conftest_that_cannot_import_a_dependency_is_still_the_environment(tmp_path: Path) -> None:
    """The same failure ending in a module that is not the project's source stays ``env_error``."""
    files = {**RAISING_CONFTEST, "tests/base.py": "import simplejson  # noqa: F401\n"}
    log, code, _ = _pytest(tmp_path, files)
    found = diagnose(log, code, len(PythonBuildpack().parse(log, {})), tmp_path)
    assert "usage error" in (found or "") and "simplejson" in (found or ""), log[-2000:]
