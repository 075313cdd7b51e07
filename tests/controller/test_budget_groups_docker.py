"""``rfsn repair`` with nothing named, in real Docker, through the offline planner: a project's
baseline fails for the bug (two tests), a version-dependent annotation test, a subprocess's
undecodable output and a missing program. The bug's group is tried first and fixed within a step
budget that trying the small unrelated groups first does not leave it (a real project's one-test
group took all 2,000 steps); result.json and the command's last lines show every group, what it
spent and where."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.controller.test_baseline_groups_docker import repaired
from tests.planners.test_evidence import PROJECT

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_the_bugs_group_is_fixed_first_and_the_report_says_where_the_budget_went(
    docker_client: Any, tmp_path: Path
) -> None:
    proc, result = repaired(PROJECT, tmp_path, "--max-steps", "200")
    assert (proc.returncode, result["status"]) == (0, "fixed"), proc.stdout + proc.stderr[-2000:]
    assert "-    if len(value) >= limit:" in result["patch"]
    groups = [(g["kind"], g["outcome"], [t.rsplit("::", 1)[-1] for t in g["tests"]]) for g in result["groups"]]
    assert groups == [
        ("target", "fixed", ["test_at_limit", "test_padded_at_limit"]),
        ("target", "not_tried", ["test_flag_annotation", "test_report_is_json"]),
        ("target", "not_tried", ["test_flag_annotation"]),
        ("target", "not_tried", ["test_report_is_json"]),
        ("environment", "known", ["test_lint_clean"]),
    ], result["groups"]
    bug, _, annotation, decode, _ = result["groups"]  # the environment-shaped ones are tried together
    assert result["failing_before"] == bug["tests"]
    assert bug["evidence"][0] == "its frames end in project code (fmtlib/fields.py)"
    assert "tried last" in annotation["evidence"][0] and "tried last" in decode["evidence"][0]
    assert bug["candidates"] == result["candidates_tried"] == sum(s["candidates"] for s in bug["locations"])
    assert 0 < sum(s["seconds"] for s in bug["locations"]) <= bug["seconds"] <= result["duration"]
    assert "fmtlib/fields.py:2" in [s["location"] for s in bug["locations"]]
    last = proc.stdout.strip().splitlines()[-6:]
    assert last[0].startswith(
        f"group 1/5 fixed: 2 tests (ValueError: Length of 'value' must be <= 4: 4), {bug['candidates']} candidates, "
    ), last
    assert "fmtlib/fields.py:2 " in last[0]
    assert last[1].startswith(
        "group 2/5 not tried: 2 tests (the 2 environment-shaped groups together): "
        "not tried: another group was fixed first; environment-shaped ("
    ), last[1]
    assert last[4].startswith("group 5/5 known: 1 test (FileNotFoundError")
    report = next((tmp_path / "out").glob("*/report.md")).read_text()
    assert '## Failing tests before\n\nThe fixed groups\' tests; "Where the budget went" says' in report
    assert f"## Where the budget went\n\n- {last[0]}\n- {last[1]}\n" in report
