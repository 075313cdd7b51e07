"""The harness runners that are not pytest, read by pure parsers on real captured output.

The two logs are sympy 1.12's own runner (``sympy.testing.runtests``, which ``bin/test`` calls)
on a probe file of five tests (a pass, a failure, an exception, one stopped by ``--timeout=2``, a
pass last) and on ``test_singleton.py``; the second run was killed in its second file."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.buildpacks.python.swebench.runners import (
    RUNNERS,
    bintest_by_file,
    bintest_finished,
    runner_of,
    session_reading,
)
from rfsn.models import TestStatus as S

FIXTURES = Path(__file__).parent / "fixtures"
PROBE = "sympy/core/tests/test_rfsn_probe.py"
SINGLETON = "sympy/core/tests/test_singleton.py"


def _log(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_sympy_tests_are_read_by_their_file_the_last_of_each_file_too() -> None:
    assert bintest_by_file(_log("sympy-bin-test.log")) == {
        f"{PROBE}:test_passes": S.PASSED,
        f"{PROBE}:test_fails": S.FAILED,
        f"{PROBE}:test_raises": S.ERROR,
        f"{PROBE}:test_slow": S.TIMEOUT,
        f"{PROBE}:test_last": S.PASSED,
        f"{SINGLETON}:test_Singleton": S.PASSED,
        f"{SINGLETON}:test_singleton_redefinition": S.PASSED,
        f"{SINGLETON}:test_names_in_namespace": S.PASSED,
    }


def test_a_sympy_run_cut_short_finished_the_files_it_closed() -> None:
    assert bintest_finished(_log("sympy-bin-test.log")) == [PROBE, SINGLETON]
    cut = _log("sympy-bin-test-cut.log")
    assert bintest_finished(cut) == [SINGLETON]
    assert bintest_by_file(cut) == {
        f"{SINGLETON}:test_singleton_redefinition": S.PASSED,
        f"{SINGLETON}:test_Singleton": S.PASSED,
        f"{SINGLETON}:test_names_in_namespace": S.PASSED,
        f"{PROBE}:test_last": S.PASSED,
    }


def test_rfsns_reading_holds_what_the_harness_parser_reads_and_what_it_misses() -> None:
    """The harness's sympy parser names a failure ``path.py:test_x`` (and by its bare name) and a
    pass by its bare name only; it misses a file's last test and a test stopped by the limit.
    rfsn's reading by file gives each of those tests the same status under its file."""
    parser = pytest.importorskip("swebench.harness.log_parsers").MAP_REPO_TO_PARSER["sympy/sympy"]
    from types import SimpleNamespace

    harness = parser(_log("sympy-bin-test.log"), SimpleNamespace(instance_id="sympy__sympy-1"))
    assert harness == {
        f"{PROBE}:test_raises": "FAILED",
        f"{PROBE}:test_fails": "FAILED",
        "test_passes": "PASSED",
        "test_fails": "FAILED",
        "test_raises": "ERROR",
        "test_Singleton": "PASSED",
        "test_singleton_redefinition": "PASSED",
    }
    ours = {
        test.rpartition(":")[2]: status.value.upper()
        for test, status in bintest_by_file(_log("sympy-bin-test.log")).items()
    }
    assert {name: ours[name] for name in harness if ":" not in name} == {
        name: status for name, status in harness.items() if ":" not in name
    }
    assert {"test_last", "test_names_in_namespace", "test_slow"} <= set(ours) - set(harness)


def test_a_session_reads_each_test_by_its_file_and_bare_name_the_harness_reading_over_them() -> None:
    """The harness's reading of the log (as its sympy parser gives it) wins where it names a test;
    its ``path.py::test_x`` is read as the runner's ``path.py:test_x``."""
    harness = {
        f"{PROBE}:test_raises": S.FAILED,
        f"{PROBE}::test_fails": S.FAILED,
        "test_passes": S.PASSED,
        "test_fails": S.FAILED,
        "test_raises": S.ERROR,
        "test_Singleton": S.PASSED,
    }
    assert session_reading(RUNNERS["bin/test"], _log("sympy-bin-test.log"), harness) == {
        f"{PROBE}:test_passes": S.PASSED,
        f"{PROBE}:test_fails": S.FAILED,
        f"{PROBE}:test_raises": S.FAILED,
        f"{PROBE}:test_slow": S.TIMEOUT,
        f"{PROBE}:test_last": S.PASSED,
        f"{SINGLETON}:test_Singleton": S.PASSED,
        f"{SINGLETON}:test_singleton_redefinition": S.PASSED,
        f"{SINGLETON}:test_names_in_namespace": S.PASSED,
        "test_passes": S.PASSED,
        "test_fails": S.FAILED,
        "test_raises": S.ERROR,
        "test_slow": S.TIMEOUT,
        "test_last": S.PASSED,
        "test_Singleton": S.PASSED,
        "test_singleton_redefinition": S.PASSED,
        "test_names_in_namespace": S.PASSED,
    }


def test_of_a_name_in_two_files_the_bare_name_is_the_one_that_did_not_pass() -> None:
    log = "a/test_one.py[1] \ntest_x F  [FAIL]\n\nb/test_two.py[1] \ntest_x ok  [OK]\n"
    assert session_reading(RUNNERS["bin/test"], log, {})["test_x"] is S.FAILED


@pytest.mark.parametrize(
    ("command", "known"),
    [
        ("PYTHONWARNINGS='ignore::UserWarning' bin/test -C --verbose", True),
        ("bin/test -C", True),
        ("./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1", False),
        ("tox --current-env -epy39 -v --", False),
    ],
)
def test_a_runner_is_known_by_its_program_not_its_variables(command: str, known: bool) -> None:
    assert (runner_of(command) is RUNNERS["bin/test"]) is known
