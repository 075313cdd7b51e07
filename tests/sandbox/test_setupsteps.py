"""A sandbox's setup commands that failed: the Debian packages of the files they lacked kept for
the recipe's image, and a failed setup as what a run of mostly erroring tests says."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rfsn.models import TestReport
from rfsn.models import TestStatus as Status
from rfsn.sandbox import syspkgs
from rfsn.sandbox.setupsteps import broken_by_setup, with_lacking
from rfsn.settings import Settings
from tests.sandbox.test_syspkgs import RECIPE, seed_index

#: the tail of uvloop's ``pip install -e .`` in an image without the autotools (libuv's autogen.sh)
UVLOOP_SETUP = (
    "  Building editable for uvloop (pyproject.toml): finished with status 'error'\n"
    "      autogen.sh: 1: aclocal: not found\n      autogen.sh: 1: autoconf: not found\n"
    "      autogen.sh: 1: automake: not found\n      autogen.sh: 1: libtoolize: not found\n"
    "  ERROR: Failed building editable for uvloop\n"
)
FAILURE = "setup: pip install -e .: subprocess.CalledProcessError: Command '['/bin/sh', 'autogen.sh']' returned 1"


def _report(passed: int, errored: int, failed: int = 0) -> TestReport:
    statuses = [Status.PASSED] * passed + [Status.ERROR] * errored + [Status.FAILED] * failed
    return TestReport(tests={f"tests/test_{i}.py": s for i, s in enumerate(statuses)})


def test_uvloop_s_setup_lacking_the_autotools_keeps_their_packages_for_the_recipe(tmp_path: Path) -> None:
    seed_index(tmp_path, date.today())
    settings = Settings(home=tmp_path, debian_mirror="http://127.0.0.1:9/nothing-here")
    assert with_lacking(RECIPE, UVLOOP_SETUP, settings)
    kept = syspkgs.recall(tmp_path, RECIPE).system_packages
    assert [name for name, _ in kept] == ["automake", "autoconf", "libtool"]
    assert "the executable aclocal (autogen.sh: 1: aclocal: not found)" in kept[0][1]
    assert not with_lacking(RECIPE, UVLOOP_SETUP, settings)  # all there already: no second retry


def test_a_setup_failure_that_names_no_file_keeps_nothing(tmp_path: Path) -> None:
    seed_index(tmp_path, date.today())
    settings = Settings(home=tmp_path, debian_mirror="http://127.0.0.1:9/nothing-here")
    assert not with_lacking(RECIPE, "ERROR: No matching distribution found for x==9\n", settings)
    assert syspkgs.recall(tmp_path, RECIPE) == RECIPE


def test_uvloop_s_two_passing_tests_among_twenty_import_errors_are_the_failed_setup() -> None:
    said = broken_by_setup(FAILURE, _report(passed=2, errored=20))
    assert said == f"the environment is broken: 2 test(s) passed after the project's setup failed: {FAILURE}"


def test_a_failed_setup_after_which_the_suite_runs_is_not_the_cause() -> None:
    assert broken_by_setup(FAILURE, _report(passed=30, errored=1, failed=3)) is None
    assert broken_by_setup(None, _report(passed=0, errored=5)) is None
    assert broken_by_setup(FAILURE, _report(0, 3).model_copy(update={"timed_out": True})) is None
    assert broken_by_setup(FAILURE, _report(passed=0, errored=0, failed=4)) is not None  # none passed
