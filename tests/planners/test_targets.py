"""The baseline's failures grouped by cause, read from a real pytest run: the environment's
(a missing program, a missing module) are known; the others are targets, smallest first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.fsutil import project_modules
from rfsn.models import Crash, TestReport
from rfsn.planners.reproduce.targets import causes, environmental, group

#: a one-line bug failing two tests, three tests failing for want of the environment, and an
#: unrelated failure of three more
PROJECT = {
    "shop/__init__.py": "",
    "shop/pricing.py": "def discount(q):\n    return 10 if q > 10 else 0\n",
    "tests/test_pricing.py": (
        "from shop.pricing import discount\n\n"
        "def test_at_threshold():\n    assert discount(10) == 10\n\n"
        "def test_above():\n    assert discount(11) == 10\n\n"
        "def test_below():\n    assert discount(3) == 0\n"
    ),
    "tests/test_tools.py": (
        "import subprocess\n\n"
        "def test_formatter():\n"
        "    subprocess.run(['no-such-formatter-rfsn', '-v'], check=True)\n\n"
        "def test_linter():\n    subprocess.run(['no-such-linter-rfsn'], check=True)\n"
    ),
    "tests/test_yaml.py": "def test_config():\n    import yaml_rfsn_absent\n",
    "tests/test_money.py": (
        "import pytest\n\n@pytest.mark.parametrize('n', [1, 2, 3])\n"
        "def test_rounding(n):\n    assert round(n / 3, 2) == 0.34\n"
    ),
}


def _pytest(repo: Path, files: dict[str, str]) -> TestReport:
    """A real pytest run of ``files``, as the Python buildpack runs and reads it."""
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    pack = PythonBuildpack()
    (repo / ".reports").mkdir()
    argv = [sys.executable, *pack.test_command([], str(repo / ".reports"))[1:]]
    proc = subprocess.run(argv, cwd=repo, capture_output=True, text=True, timeout=120)
    reports = {p.name: p.read_text() for p in (repo / ".reports").iterdir()}
    return TestReport(
        tests=pack.parse(proc.stdout, reports),
        exit_code=proc.returncode,
        log=proc.stdout,
        reasons=pack.reasons(proc.stdout, reports),
    )


def _baseline(repo: Path) -> tuple[str, list[str]]:
    run = _pytest(repo, PROJECT)
    return run.log, run.failing


def test_failures_are_grouped_by_cause_and_the_environments_are_known(tmp_path: Path) -> None:
    log, failing = _baseline(tmp_path)
    assert len(failing) == 7
    groups = group(failing, causes(log), project_modules(tmp_path))
    kinds = [(g.kind, sorted(t.rsplit("::", 1)[-1] for t in g.tests)) for g in groups]
    assert kinds == [
        ("target", ["test_at_threshold"]),
        ("target", ["test_rounding[1]", "test_rounding[2]", "test_rounding[3]"]),
        ("environment", ["test_config"]),
        ("environment", ["test_formatter", "test_linter"]),
    ], [(g.kind, g.cause) for g in groups]
    assert "No module named 'yaml_rfsn_absent'" in groups[2].cause
    assert "No such file or directory" in groups[3].cause


def test_summary_lines_cut_to_the_terminals_width_take_the_junit_reports_reasons_dateutil_seed_30(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dateutil seed 30: 411 failures overflowed the output the sandbox keeps, so most tests kept
    only their summary line, cut to the terminal's width ("Attribu...", or no message at all):
    13 groups where there were 4, 30 tests of unknown cause. The junit report's reasons stand in."""
    monkeypatch.setenv("COLUMNS", "60")
    for variable in ("CI", "BUILD_NUMBER"):  # pytest cuts no summary line on a CI machine
        monkeypatch.delenv(variable, raising=False)
    run = _pytest(tmp_path, PROJECT)
    modules = project_modules(tmp_path)
    whole = [(g.kind, g.cause, g.tests) for g in group(run.failing, causes(run.log), modules)]
    summary = "\n".join(line for line in run.log.splitlines() if line.startswith(("FAILED ", "ERROR ")))
    assert any(line.endswith("...") for line in summary.splitlines()), summary
    cut = [(g.kind, g.cause, g.tests) for g in group(run.failing, causes(summary), modules)]
    assert cut != whole  # what the session grouped before: by the cut lines
    assert [
        (g.kind, g.cause, g.tests) for g in group(run.failing, causes(summary, reasons=run.reasons), modules)
    ] == whole


def test_a_missing_module_of_the_project_itself_is_a_bug_not_the_environment() -> None:
    assert not environmental("ModuleNotFoundError: No module named 'shop.pricingx'", {"shop"})
    assert environmental("ImportError: cannot import name 'x' from 'numpy'", {"shop"})
    assert environmental("subprocess.CalledProcessError: Command '['ruff']' returned non-zero exit status 127.", {})
    assert not environmental("AssertionError: assert 0 == 10", {"shop"})


def test_a_runner_without_reasons_gives_one_target_group() -> None:
    groups = group(["a", "b"], causes("not ok 1 - a\nnot ok 2 - b\n"), set())
    assert [(g.kind, g.tests) for g in groups] == [("target", ["a", "b"])]


def test_a_module_that_cannot_be_collected_is_grouped_by_its_import_error() -> None:
    """pytest's summary line for a collection error carries no reason: its section does."""
    log = (
        "_____________________ ERROR collecting tests/test_json.py ______________________\n"
        "ImportError while importing test module '/testbed/tests/test_json.py'.\n"
        "tests/test_json.py:1: in <module>\n    import simplejson\n"
        "E   ModuleNotFoundError: No module named 'simplejson'\n"
        "=========================== short test summary info ============================\n"
        "ERROR tests/test_json.py\n"
    )
    (only,) = group(["tests/test_json.py"], causes(log), ["shop"])
    assert only.kind == "environment" and "No module named 'simplejson'" in only.cause


def test_a_named_test_the_projects_own_crash_left_unreported_failed() -> None:
    """A run the project's own crash cut short never reported the test it crashed on: a named
    test it lacks failed (as the harness's parser counts it); any other run lacking it does not
    have it ("no such test")."""
    from rfsn.models import TestReport, TestStatus
    from rfsn.planners.reproduce.targets import unreported

    run = TestReport(tests={"t.py::ok": TestStatus.PASSED}, exit_code=3, crashed=True)
    after = unreported(run, ["t.py::ok", "t.py::crashed_on", "tests/", "t.py"])  # a folder, a file: no test
    assert after.tests == {"t.py::ok": TestStatus.PASSED, "t.py::crashed_on": TestStatus.FAILED}
    assert after.failing == ["t.py::crashed_on"] and run.failing == []
    whole = run.model_copy(update={"crashed": False})
    assert unreported(whole, ["t.py::crashed_on"]) is whole


def test_a_named_test_its_modules_import_error_hid_failed_with_that_error(tmp_path: Path) -> None:
    """voluptuous 2016: the named test's module imports the module the fix adds, so pytest reports
    one collection error for its file and never the test: the test failed (as the harness counts
    it), its reason that error; a test of a file the run never had is still unknown."""
    from rfsn.models import TestStatus
    from rfsn.planners.reproduce.targets import unreported

    files = {
        "shop/__init__.py": "",
        "tests/test_ok.py": "def test_ok():\n    pass\n",
        "tests/test_humanize.py": "from shop.humanize import money\n\n\ndef test_money():\n    assert money(1)\n",
    }
    run = _pytest(tmp_path, files)
    target, nosuch = "tests/test_humanize.py::test_money", "tests/test_absent.py::test_money"
    assert run.unknown([target]) == [target]  # pytest reported its file's error, not the test
    after = unreported(run, [target, nosuch, "tests/"])
    assert after.tests[target] == TestStatus.FAILED and after.unknown([target, nosuch]) == [nosuch]
    message, _ = after.reasons[target]
    assert "ModuleNotFoundError: No module named 'shop.humanize'" in message, after.reasons


def test_a_crashed_tests_cause_is_its_crash_not_unknown() -> None:
    """A Go panic ended the package's run: the session read "unknown (the runner printed no
    reason)" although the panic was printed; the crash's reason is the cause."""
    crash = Crash(test="m/p/TestA", reason="runtime error: slice bounds out of range [2:1]", unit="m/p")
    groups = group(["m/p/TestA", "m/p/TestB"], causes("", [crash]), set())
    assert sorted((g.cause, tuple(g.tests)) for g in groups) == [
        ("runtime error: slice bounds out of range [2:1]", ("m/p/TestA",)),
        ("unknown (the runner printed no reason)", ("m/p/TestB",)),
    ]
