"""rfsn's pytest command speaks to the pytest the environment has: an option goes in only where
that pytest's version has it, a plugin that cannot load is blocked, and pytest-cov's threshold is
off (a run of some tests is no measure of the suite's coverage)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.pyoptions import PytestFeatures, features, parse_version, probe, unloadable
from rfsn.buildpacks.python.swebench import specs
from rfsn.buildpacks.python.swebench.specpytest import SpecBuildpack
from rfsn.sandbox.fake import FakeSandbox, Reply


def _command(
    fit: PytestFeatures | None, case_timeout: float | None = None, python_files: tuple[str, ...] = ()
) -> list[str]:
    pack = PythonBuildpack()
    pack.pytest, pack.case_timeout, pack.python_files = fit, case_timeout, python_files
    return pack.test_command(["tests/test_keys.py"], "/r")


def test_a_2015_pytest_gets_no_option_it_lacks_boltons_2016_cachetools_2015() -> None:
    """pytest 2.9 has neither --continue-on-collection-errors nor -o: `unrecognized arguments:
    --continue-on-collection-errors -o` stopped every run of boltons 2016 and cachetools 2015."""
    argv = _command(PytestFeatures(version=(2, 9, 2)), python_files=("test*.py",))
    assert argv == [
        "python",
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-rfE",
        "--junitxml=/r/junit.xml",
        "tests/test_keys.py",
    ]


def test_a_pytest_before_4_2_gets_no_junit_family_and_keeps_the_rest() -> None:
    argv = _command(PytestFeatures(version=(3, 0, 7)), python_files=("test*.py",))
    assert "--continue-on-collection-errors" in argv and any(a.startswith("python_files=") for a in argv)
    assert not any(a.startswith("junit_family") for a in argv)


def test_todays_pytest_and_a_pytest_not_asked_get_every_option() -> None:
    today = _command(PytestFeatures(version=(8, 3, 4)), case_timeout=5)
    assert today == _command(None, case_timeout=5)
    assert today[3:] == [
        "-o",
        "cache_dir=/cache-pytest",
        "--rootdir=.",
        "-rfE",
        "--continue-on-collection-errors",
        "-o",
        "timeout=5",
        "-o",
        "timeout_method=signal",
        "-o",
        "junit_family=xunit1",
        "--junitxml=/r/junit.xml",
        "tests/test_keys.py",
    ]


def test_the_per_test_limit_without_o_is_the_plugins_own_option_where_it_runs() -> None:
    assert "--timeout=5" in _command(PytestFeatures(version=(2, 9), timeout=(1, 0)), case_timeout=5)
    assert not any("timeout" in a for a in _command(PytestFeatures(version=(2, 9)), case_timeout=5))
    blocked = PytestFeatures(version=(2, 9), timeout=(1, 3), blocked=("timeout",))
    assert not any("timeout=" in a for a in _command(blocked, case_timeout=5))


def test_a_plugin_that_cannot_load_is_blocked_boltons_2019() -> None:
    """pytest-timeout of 2019 beside boltons' pinned pytest 3.0.7: `Plugin 'timeout' could not be
    loaded` stopped every run; blocked, the tests run."""
    argv = _command(PytestFeatures(version=(3, 0, 7), timeout=(1, 3, 3), blocked=("timeout",)))
    assert argv[3:5] == ["-p", "no:timeout"]


def test_pytest_cov_threshold_is_off_in_every_run_arrow_2022() -> None:
    """arrow's addopts hold --cov-fail-under=99: a run of one file passed every test and exited 1."""
    assert "--cov-fail-under=0" in _command(PytestFeatures(version=(7, 1), cov=(3, 0)))
    assert "--cov-fail-under=0" in _command(PytestFeatures(version=(2, 9), cov=(2, 0)))
    assert "--cov-fail-under=0" not in _command(PytestFeatures(version=(7, 1), cov=(1, 8)))
    assert "--cov-fail-under=0" not in _command(PytestFeatures(version=(7, 1)))
    assert "--cov-fail-under=0" not in _command(PytestFeatures(version=(7, 1), cov=(3, 0), blocked=("pytest_cov",)))


def test_a_pytest_before_2_7_3_on_python_3_5_or_later_keeps_asserts_plain_marshmallow_2015() -> None:
    """pytest 2.7.2 (mid-2015) on Python 3.6, the nearest later one: `Call constructor takes
    either 0 or 3 positional arguments` while rewriting every test module."""
    assert "--assert=plain" in _command(PytestFeatures(version=(2, 7, 2), python=(3, 6, 15)))
    assert "--assert=plain" not in _command(PytestFeatures(version=(2, 7, 3), python=(3, 6, 15)))
    assert "--assert=plain" not in _command(PytestFeatures(version=(2, 7, 2), python=(3, 4, 3)))


def test_versions_and_unloadable_plugins_are_read_from_the_probes_output() -> None:
    assert parse_version("3.0.7") == (3, 0, 7) and parse_version("8.0.0rc1") == (8, 0, 0)
    assert parse_version(None) is None and parse_version("dev") is None
    out = "noise\n" + json.dumps({"pytest": "3.0.7", "pytest-cov": None, "pytest-timeout": "1.3.3", "python": "3.7.16"})
    assert features(out, ["timeout"]) == PytestFeatures(
        version=(3, 0, 7), python=(3, 7, 16), timeout=(1, 3, 3), blocked=("timeout",)
    )
    assert features("Traceback ...") == PytestFeatures()
    line = (
        "PluginValidationError: Plugin 'timeout' could not be loaded: (pytest 3.0.7 (/opt/rfsn/venv/lib/"
        "python3.7/site-packages), Requirement.parse('pytest>=3.6.0'))!"
    )
    assert unloadable(f"{line}\n{line}") == ["timeout"]


def test_the_probe_blocks_each_plugin_that_cannot_load_until_pytest_starts(tmp_path: Path) -> None:
    versions = json.dumps({"pytest": "3.0.7", "pytest-cov": "2.6.0", "pytest-timeout": "1.3.3"})
    box = FakeSandbox(
        tmp_path,
        {
            ("python", "-c"): Reply(0, versions),
            ("python", "-m", "pytest", "--version"): Reply(1, "Plugin 'timeout' could not be loaded: ..."),
            ("python", "-m", "pytest", "-p", "no:timeout", "--version"): Reply(0, "This is pytest version 3.0.7"),
        },
    )
    found = probe(box)
    assert found == PytestFeatures(version=(3, 0, 7), cov=(2, 6, 0), timeout=(1, 3, 3), blocked=("timeout",))
    pack = PythonBuildpack()
    pack.fit(box)
    pack.fit(box)  # asked once
    assert pack.pytest == found and len(box.calls) == 6
    box.close()


def test_a_pytest_3_0_3_collects_by_o_python_files_with_plain_asserts_in_whole_suite_runs_semver_5e41beb() -> None:
    """pytest 3.0 to 3.0.6's assertion rewriter reads ``python_files`` before ``-o`` is parsed, and
    that value stays: semver 5e41beb's coverage run of the suite (pytest 3.0.3) collected 0 items."""
    pack = PythonBuildpack()
    pack.pytest, pack.python_files = PytestFeatures(version=(3, 0, 3)), ("test_*.py", "tests.py")
    assert "--assert=plain" in pack.test_command([], "/r")
    assert "--assert=plain" not in pack.test_command(["tests.py"], "/r")  # named: collected anyway
    pack.pytest = PytestFeatures(version=(3, 0, 7))
    assert "--assert=plain" not in pack.test_command([], "/r")
    pack.pytest, pack.python_files = PytestFeatures(version=(3, 0, 3)), ()
    assert "--assert=plain" not in pack.test_command([], "/r")


def test_the_coverage_run_turns_the_projects_pytest_cov_off_where_it_can_arrow_fe9602e() -> None:
    assert PytestFeatures(cov=(2, 10, 1)).unmeasured() == ["--no-cov"]
    assert PytestFeatures(cov=(2, 3, 1)).unmeasured() == []  # no --no-cov before 2.4
    assert PytestFeatures(cov=(2, 10, 1), blocked=("pytest_cov",)).unmeasured() == []
    assert PytestFeatures().unmeasured() == []
    pack = PythonBuildpack()
    pack.pytest = PytestFeatures(version=(6, 1, 1), cov=(2, 10, 1), coverage=(5, 3))
    assert "--no-cov" in pack.coverage_plan(["tests/test_a.py::test_b"], "/r").commands[0]
    assert "--no-cov" not in pack.test_command([], "/r")


def test_a_run_asks_for_no_summary_of_passes_but_a_specs_does_packaging_46bedf3(tmp_path: Path) -> None:
    """pytest's summary of passes (``-rA``) looks each test's teardown up among all reports:
    packaging's 29,207 tests ran in 69 s and past 240 s with it, the whole budget of the baseline.
    A run's summary names its failures and errors (their causes are read from it); a spec's run
    keeps the harness's ``-rA``, whose parser reads every test's line."""
    (tmp_path / "test_many.py").write_text(
        "import pytest\n\n@pytest.mark.parametrize('n', range(20))\ndef test_n(n):\n    assert n != 7\n"
    )
    spec = SpecBuildpack({}, specs.render_recipe({"python": "3.11"}, registry=False))
    for pack, passes in ((PythonBuildpack(), False), (spec, True)):
        argv = pack.test_command([], str(tmp_path / "report"))
        out = subprocess.run([sys.executable, *argv[1:]], cwd=tmp_path, capture_output=True, text=True).stdout
        assert "FAILED test_many.py::test_n[7] - assert 7 != 7" in out
        assert ("PASSED test_many.py::test_n[0]" in out) is passes
