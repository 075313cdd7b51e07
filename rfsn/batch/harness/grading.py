"""Grading as the SWE-bench harness grades (swebench/harness/grading.py). Pure functions.

A FAIL_TO_PASS test succeeds only when it passed; a PASS_TO_PASS test also
when it was skipped; a test missing from the report failed. An instance is
resolved iff every FAIL_TO_PASS and every PASS_TO_PASS test succeeded.

Statuses come from the runner's structured report, never from the text the
code under test prints. ``trusted_statuses`` adds one cross-check: a report
in which every test passed, from a runner that nevertheless exited non-zero
(or the other way round), was tampered with or is broken, and counts for
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rfsn.buildpacks.base import Buildpack
from rfsn.models import TestReport, TestStatus
from rfsn.models.results import cut_name

FAIL_TO_PASS = "FAIL_TO_PASS"
PASS_TO_PASS = "PASS_TO_PASS"
FAIL_TO_FAIL = "FAIL_TO_FAIL"
PASS_TO_FAIL = "PASS_TO_FAIL"


def harness_names(statuses: Mapping[str, TestStatus]) -> dict[str, TestStatus]:
    """The statuses also keyed as the SWE-bench harness names tests: its log parsers cut a
    test's name at the first whitespace (``test_x[a and b]`` becomes ``test_x[a``), and so do the
    datasets' FAIL_TO_PASS and PASS_TO_PASS. Tests that share a cut name pass only together."""
    named = dict(statuses)
    for test, status in statuses.items():
        cut = cut_name(test)
        if cut != test and (cut not in named or named[cut] == TestStatus.PASSED):
            named[cut] = status
    return named


def with_functions(named: Mapping[str, TestStatus]) -> dict[str, TestStatus]:
    """``named`` (harness names) and, for looking an instance's tests up, the cases of each
    parametrized function also keyed by the function's id without its parameters (``test_x[1]``
    as ``test_x``): a list made from a diff names the function, which runs them all
    (`TestReport.named`). A function passes only when every case passes. The harness's own
    names stay as they are."""
    looked_up = dict(named)
    for test, status in named.items():
        function = test.partition("[")[0]
        if (
            function != test
            and function not in named
            and looked_up.get(function, TestStatus.PASSED) == TestStatus.PASSED
        ):
            looked_up[function] = status
    return looked_up


def trusted_statuses(report: TestReport, named: TestReport | None = None) -> tuple[dict[str, TestStatus], str]:
    """The report's statuses keyed as the harness names them (``named``: the report with the
    ids of the harness's log parser, when that differs), or {} and the reason they cannot be
    believed."""
    statuses = dict(report.tests)
    if not report.structured:
        return {}, "the runner wrote no structured report"
    bad = any(s in (TestStatus.FAILED, TestStatus.ERROR, TestStatus.TIMEOUT) for s in statuses.values())
    if statuses and not bad and report.exit_code != 0:
        return {}, f"every test passed but the runner exited {report.exit_code}"
    if bad and report.exit_code == 0:
        return {}, "tests failed but the runner exited 0"
    return harness_names((named or report).tests), ""


def _passed(test: str, statuses: Mapping[str, TestStatus]) -> bool:
    return statuses.get(test) == TestStatus.PASSED


def _maintained(test: str, statuses: Mapping[str, TestStatus]) -> bool:
    return statuses.get(test) in (TestStatus.PASSED, TestStatus.SKIPPED)


def tests_status(
    statuses: Mapping[str, TestStatus], fail_to_pass: Sequence[str], pass_to_pass: Sequence[str]
) -> dict[str, dict[str, list[str]]]:
    """SWE-bench's ``tests_status`` block (no *_TO_FAIL lists are computed, as by default)."""
    report: dict[str, dict[str, list[str]]] = {}
    statuses = with_functions(statuses)
    for key, tests, ok in ((FAIL_TO_PASS, fail_to_pass, _passed), (PASS_TO_PASS, pass_to_pass, _maintained)):
        report[key] = {
            "success": [t for t in tests if ok(t, statuses)],
            "failure": [t for t in tests if not ok(t, statuses)],
        }
    report[FAIL_TO_FAIL] = {"success": [], "failure": []}
    report[PASS_TO_FAIL] = {"success": [], "failure": []}
    return report


def is_resolved(status: Mapping[str, Mapping[str, list[str]]]) -> bool:
    return not status[FAIL_TO_PASS]["failure"] and not status[PASS_TO_PASS]["failure"]


def instance_report(
    instance_id: str,
    patch: str | None,
    applied: bool,
    statuses: Mapping[str, TestStatus] | None,
    fail_to_pass: Sequence[str],
    pass_to_pass: Sequence[str],
) -> dict[str, Any]:
    """The per-instance ``report.json`` of the harness: ``{instance_id: {...}}``."""
    entry: dict[str, Any] = {
        "patch_is_None": patch is None,
        "patch_exists": patch is not None,
        "patch_successfully_applied": False,
        "resolved": False,
    }
    if patch is None or not applied or statuses is None:
        return {instance_id: entry}
    entry["patch_successfully_applied"] = True
    status = tests_status(statuses, fail_to_pass, pass_to_pass)
    entry["resolved"] = is_resolved(status)
    entry["tests_status"] = status
    return {instance_id: entry}


def summary(
    instance_ids: Sequence[str], predictions: Mapping[str, str | None], reports: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The run report ``<model>.<run_id>.json`` (schema_version 2).

    ``predictions`` maps submitted ids to their patch; ``reports`` maps ids to
    the content of their ``report.json`` (absent when evaluation errored).
    """
    dataset = set(instance_ids)
    completed: set[str] = set()
    resolved: set[str] = set()
    unresolved: set[str] = set()
    empty: set[str] = set()
    errors: set[str] = set()
    incomplete: set[str] = set()
    for iid in instance_ids:
        if iid not in predictions:
            incomplete.add(iid)
        elif predictions[iid] in ("", None):
            empty.add(iid)
        elif iid in reports:
            completed.add(iid)
            entry = reports[iid].get(iid)
            if not isinstance(entry, Mapping) or "resolved" not in entry:
                errors.add(iid)
            else:
                (resolved if entry["resolved"] else unresolved).add(iid)
        else:
            errors.add(iid)
    return {
        "total_instances": len(instance_ids),
        "submitted_instances": len(set(predictions) & dataset),
        "completed_instances": len(completed),
        "resolved_instances": len(resolved),
        "unresolved_instances": len(unresolved),
        "empty_patch_instances": len(empty),
        "error_instances": len(errors),
        "completed_ids": sorted(completed),
        "incomplete_ids": sorted(incomplete),
        "empty_patch_ids": sorted(empty),
        "submitted_ids": sorted(set(predictions) & dataset),
        "resolved_ids": sorted(resolved),
        "unresolved_ids": sorted(unresolved),
        "error_ids": sorted(errors),
        "schema_version": 2,
    }


def selection(buildpack: Buildpack, workspace: Path, tests: Sequence[str]) -> list[str]:
    """What to ask the runner for: the files of pytest ids (as the harness runs whole
    test files, and an unknown id would abort pytest), the ids themselves elsewhere."""
    if buildpack.name != "python":
        return list(dict.fromkeys(tests))
    files = dict.fromkeys(t.split("::", 1)[0] for t in tests)
    existing = [f for f in files if (workspace / f).is_file()]
    return existing or list(dict.fromkeys(tests))
