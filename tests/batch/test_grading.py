"""Grading follows swebench/harness/grading.py and reporting.py, field for field."""

from __future__ import annotations

from rfsn.batch.harness.grading import harness_names, instance_report, summary, trusted_statuses, with_functions
from rfsn.models import TestReport
from rfsn.models import TestStatus as Status

P, F, E, S = Status.PASSED, Status.FAILED, Status.ERROR, Status.SKIPPED


def test_resolved_iff_every_f2p_passes_and_every_p2p_is_kept() -> None:
    report = instance_report("i", "diff", True, {"a": P, "b": P, "c": S}, ["a"], ["b", "c"])
    entry = report["i"]
    assert entry == {
        "patch_is_None": False,
        "patch_exists": True,
        "patch_successfully_applied": True,
        "resolved": True,
        "tests_status": {
            "FAIL_TO_PASS": {"success": ["a"], "failure": []},
            "PASS_TO_PASS": {"success": ["b", "c"], "failure": []},
            "FAIL_TO_FAIL": {"success": [], "failure": []},
            "PASS_TO_FAIL": {"success": [], "failure": []},
        },
    }


def test_skipped_or_missing_fail_to_pass_is_a_failure() -> None:
    status = instance_report("i", "d", True, {"a": S, "b": P}, ["a", "x"], ["b"])["i"]
    assert not status["resolved"]
    assert status["tests_status"]["FAIL_TO_PASS"]["failure"] == ["a", "x"]


def test_broken_pass_to_pass_is_unresolved() -> None:
    status = instance_report("i", "d", True, {"a": P, "b": E}, ["a"], ["b"])["i"]
    assert not status["resolved"]


def test_patch_none_and_not_applied() -> None:
    assert instance_report("i", None, False, None, ["a"], [])["i"] == {
        "patch_is_None": True,
        "patch_exists": False,
        "patch_successfully_applied": False,
        "resolved": False,
    }
    entry = instance_report("i", "d", False, None, ["a"], [])["i"]
    assert entry["patch_exists"] and not entry["patch_successfully_applied"]
    assert "tests_status" not in entry


def test_all_pass_report_from_a_failing_runner_is_not_trusted() -> None:
    """A forged report that says every test passed, from a run that failed, counts for nothing."""
    forged = TestReport(tests={"a": P}, exit_code=1)
    assert trusted_statuses(forged)[0] == {}
    real = TestReport(tests={"a": P, "b": F}, exit_code=1)
    assert trusted_statuses(real)[0] == {"a": P, "b": F}
    assert trusted_statuses(TestReport(tests={"a": F}, exit_code=0))[0] == {}
    assert trusted_statuses(TestReport(tests={}, exit_code=0, structured=False))[0] == {}


def test_a_test_the_per_test_limit_stopped_is_a_failure_the_run_is_trusted_on() -> None:
    """A run whose one non-passing test hit the per-test limit exits non-zero for that test."""
    stopped = TestReport(tests={"a": P, "b": Status.TIMEOUT}, exit_code=1)
    assert trusted_statuses(stopped) == ({"a": P, "b": Status.TIMEOUT}, "")


def test_summary_fields_match_the_harness() -> None:
    ids = ["a", "b", "c", "d", "e"]
    predictions = {"a": "p", "b": "p", "c": "", "d": "p"}
    reports = {"a": {"a": {"resolved": True}}, "b": {"b": {"resolved": False}}}
    result = summary(ids, predictions, reports)
    assert result == {
        "total_instances": 5,
        "submitted_instances": 4,
        "completed_instances": 2,
        "resolved_instances": 1,
        "unresolved_instances": 1,
        "empty_patch_instances": 1,
        "error_instances": 1,
        "completed_ids": ["a", "b"],
        "incomplete_ids": ["e"],
        "empty_patch_ids": ["c"],
        "submitted_ids": ["a", "b", "c", "d"],
        "resolved_ids": ["a"],
        "unresolved_ids": ["b"],
        "error_ids": ["d"],
        "schema_version": 2,
    }


def test_harness_names_cut_at_the_first_space_and_pass_only_together() -> None:
    statuses = {
        "t.py::test_x[a and b]": Status.PASSED,
        "t.py::test_x[a or b]": Status.FAILED,
        "t.py::test_y[p q]": Status.PASSED,
        "t.py::test_z": Status.PASSED,
    }
    named = harness_names(statuses)
    assert named["t.py::test_x[a"] == Status.FAILED  # one of the two fails
    assert named["t.py::test_y[p"] == Status.PASSED
    assert named["t.py::test_x[a and b]"] == Status.PASSED  # full ids stay
    assert set(named) == {*statuses, "t.py::test_x[a", "t.py::test_y[p"}


def test_platformdirs_e605ef9_a_parametrized_function_named_without_its_parameters_passes_when_every_case_does() -> (
    None
):
    # FAIL_TO_PASS made from a diff names the function; the run reports its cases
    statuses = {
        "t.py::test_android[a-1]": Status.PASSED,
        "t.py::test_android[b-2]": Status.FAILED,
        "t.py::C::test_empty[asyncio]": Status.PASSED,
        "t.py::C::test_empty[trio]": Status.PASSED,
    }
    for order in (statuses, dict(reversed(list(statuses.items())))):
        looked_up = with_functions(order)
        assert looked_up["t.py::test_android"] == Status.FAILED  # one case fails: the function fails
        assert looked_up["t.py::C::test_empty"] == Status.PASSED
        assert looked_up["t.py::test_android[b-2]"] == Status.FAILED  # the cases keep their own
    assert harness_names(statuses) == statuses  # the harness's own names are not widened
    graded = instance_report("i", "p", True, statuses, ["t.py::C::test_empty"], ["t.py::test_android"])["i"]
    assert graded["tests_status"]["FAIL_TO_PASS"]["success"] == ["t.py::C::test_empty"]
    assert graded["tests_status"]["PASS_TO_PASS"]["failure"] == ["t.py::test_android"]
