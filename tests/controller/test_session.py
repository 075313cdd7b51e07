"""repair_workspace: a real session in the local sandbox, and its six outputs whatever the end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.controller.trajectory import read
from rfsn.models import SessionResult, SessionStatus
from rfsn.observability.logging import configure
from rfsn.settings import Settings, load_settings
from rfsn.workspace import Workspace, prepare
from tests.controller.conftest import FILES, FIXED
from tests.sandbox.projects import make_project

OUTPUTS = ("patch.diff", "result.json", "trajectory.jsonl", "events.jsonl", "report.md", "metrics.prom")


@pytest.fixture(autouse=True)
def _logging() -> Iterator[None]:
    """events.jsonl is fed by rfsn's structlog setup, as the CLI configures it."""
    configure("warning")
    yield
    structlog.reset_defaults()


@pytest.fixture(scope="module")
def local_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Local sandbox; one venv (built once, from PyPI) under a private RFSN_HOME."""
    return load_settings(home=tmp_path_factory.mktemp("rfsn-home"), sandbox="local", test_timeout=120)


def session(workspace: Workspace, settings: Settings, out: Path, **options: object) -> SessionResult:
    opts = RepairOptions(out_dir=out, sandbox="local", session_id="s1", timeout=300, **options)  # type: ignore[arg-type]
    return repair_workspace(workspace, opts, settings)


def assert_outputs(out: Path, result: SessionResult) -> None:
    for name in OUTPUTS:
        assert (out / name).is_file(), f"{name} missing"
    assert SessionResult.model_validate_json((out / "result.json").read_text()) == result
    assert (out / "patch.diff").read_text() == result.patch
    assert f"# rfsn repair: {result.status.value}" in (out / "report.md").read_text()
    assert "rfsn_sessions_total" in (out / "metrics.prom").read_text()
    events = [json.loads(line)["event"] for line in (out / "events.jsonl").read_text().splitlines()]
    assert events[0] == "session.start" and events[-1] == "session.end"
    assert len(read(out / "trajectory.jsonl")) == result.steps


def test_an_error_inside_the_session_still_writes_every_output(workspace: Workspace, tmp_path: Path) -> None:
    result = session(workspace, load_settings(home=tmp_path / "home"), tmp_path / "out", planner="nope")
    assert result.status is SessionStatus.ERROR
    assert "unknown planner 'nope'" in result.message
    assert result.steps == 0 and result.patch == ""
    assert_outputs(tmp_path / "out" / "s1", result)


def test_a_local_session_fixes_a_one_operator_bug(workspace: Workspace, tmp_path: Path,
                                                  local_settings: Settings) -> None:
    result = session(workspace, local_settings, tmp_path / "out")
    assert result.status is SessionStatus.FIXED, result.message
    assert result.failing_before == ["tests/test_calc.py::test_add"] and result.failing_after == []
    assert "-    return a - b\n+    return a + b\n" in result.patch
    assert (workspace.path / "calc.py").read_text() == FIXED  # the session leaves the fix applied
    assert set(result.phase_durations) == {"reproduce", "localize", "patch", "verify"}
    assert_outputs(tmp_path / "out" / "s1", result)


def test_a_passing_suite_is_not_reproduced(tmp_path: Path, local_settings: Settings) -> None:
    repo = make_project(tmp_path / "src", {**FILES, "calc.py": FIXED}, name="calc")
    result = session(prepare(str(repo), tmp_path / "ws"), local_settings, tmp_path / "out")
    assert result.status is SessionStatus.NOT_REPRODUCED
    assert result.steps == 2  # the baseline run, then the finish
    assert_outputs(tmp_path / "out" / "s1", result)


def test_a_session_with_a_suite_runs_only_those_files_for_the_whole_suite(tmp_path: Path,
                                                                        local_settings: Settings) -> None:
    """``RepairOptions.suite``: the baseline and the final check run those test files; a failing
    test elsewhere is neither run nor a target."""
    elsewhere = "def test_elsewhere():\n    assert False, 'unrelated'\n"
    repo = make_project(tmp_path / "src", {**FILES, "tests/test_elsewhere.py": elsewhere}, name="calc")
    out = tmp_path / "out"
    result = session(prepare(str(repo), tmp_path / "ws"), local_settings, out, suite=["tests/test_calc.py"])
    assert result.status is SessionStatus.FIXED, result.message
    assert result.failing_before == ["tests/test_calc.py::test_add"]


    def ran(out: Path) -> set[str]:
        return {t for step in read(out / "s1" / "trajectory.jsonl") if step["outcome"]["report"]
                for t in step["outcome"]["report"]["tests"]}

    assert "tests/test_calc.py::test_add" in ran(out) and "tests/test_elsewhere.py::test_elsewhere" not in ran(out)
    session(prepare(str(repo), tmp_path / "ws2"), local_settings, tmp_path / "out2")
    assert "tests/test_elsewhere.py::test_elsewhere" in ran(tmp_path / "out2")  # the whole suite


def test_a_spent_step_budget_ends_the_session(workspace: Workspace, tmp_path: Path,
                                              local_settings: Settings) -> None:
    result = session(workspace, local_settings, tmp_path / "out", max_steps=3)
    assert result.status is SessionStatus.BUDGET_EXHAUSTED
    assert result.steps == 3  # baseline, coverage, the first candidate's edit
    assert result.failing_before == ["tests/test_calc.py::test_add"]  # known once the baseline ran
    assert result.patch == ""  # a candidate still applied is not a fix
    assert_outputs(tmp_path / "out" / "s1", result)


def test_the_report_names_the_patchs_concerns_and_the_alternatives() -> None:
    from rfsn.controller.report import render_report
    from rfsn.models import Alternative, SessionResult, SessionStatus

    result = SessionResult(session_id="s", status=SessionStatus.FIXED, patch="--- a\n+++ b\n",
                           concerns=["f() now returns None where it returned a number"],
                           alternatives=[Alternative(description="x -> y", patch="--- c\n+++ d\n")])
    text = render_report(result, "repo")
    assert "## Concerns about the patch\n\n- f() now returns None where it returned a number" in text
    assert "## Alternative 1: x -> y (no concerns)\n\n```diff\n--- c\n+++ d\n```" in text
    plain = render_report(SessionResult(session_id="s", status=SessionStatus.NOT_FIXED), "repo")
    assert "Concerns" not in plain and "Alternative" not in plain
