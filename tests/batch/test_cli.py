"""The batch commands' contract: exit codes, line-numbered input errors, the report."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from rfsn.batch.outcome import ErrorKind, Outcome, Status
from rfsn.batch.predictions import RunStore
from rfsn.cli import main
from rfsn.models.swebench import Prediction

INSTANCE = {"instance_id": "o__r-1", "repo": "o/r", "base_commit": "abc"}


def test_malformed_instances_line_exits_2_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "i.jsonl"
    path.write_text(json.dumps(INSTANCE) + "\n" + "{broken\n")
    result = CliRunner().invoke(main, ["batch", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "i.jsonl:2: invalid JSON" in result.output


def test_malformed_predictions_line_exits_2_with_its_number(tmp_path: Path) -> None:
    instances = tmp_path / "i.jsonl"
    instances.write_text(json.dumps(INSTANCE) + "\n")
    predictions = tmp_path / "p.jsonl"
    predictions.write_text(json.dumps({"instance_id": "o__r-1", "model_patch": ""}) + "\n"
                           + json.dumps({"model_patch": "x"}) + "\n")
    result = CliRunner().invoke(main, ["evaluate", str(predictions), "--instances", str(instances),
                                       "--run-id", "r", "--report-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "p.jsonl:2: invalid prediction: instance_id" in result.output


def test_report_writes_html_with_chart_and_markdown(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.record(Outcome(instance_id="a", status=Status.FIXED, duration=12.5, patch_lines=2,
                         phases={"localize": 2.0, "patch": 10.5}, link="a/a/trajectory.jsonl"),
                 Prediction(instance_id="a", model_patch="p"))
    store.record(Outcome(instance_id="b", status=Status.NOT_FIXED, duration=30.0,
                         phases={"localize": 5.0, "patch": 25.0}),
                 Prediction(instance_id="b", model_patch=""))
    store.record(Outcome(instance_id="c", status=Status.ERROR, error_kind=ErrorKind.IMAGE,
                         message="build <failed>"))
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text()
    assert "1/3 fixed (self-checked) (33.3%)" in page
    assert "<svg" in page and 'href="a/a/trajectory.jsonl"' in page
    assert "error (image_build)" in page and "build &lt;failed&gt;" in page
    markdown = (tmp_path / "report.md").read_text()
    assert "| a | fixed (self-checked) | 12.5 | 2 | 2.0 | 10.5 | [trajectory](a/a/trajectory.jsonl) |" in markdown


def test_report_of_a_directory_without_results_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "results.jsonl" in result.output


def test_unknown_planner_exits_2_before_running(tmp_path: Path) -> None:
    path = tmp_path / "i.jsonl"
    path.write_text(json.dumps(INSTANCE) + "\n")
    result = CliRunner().invoke(main, ["batch", str(path), "--out", str(tmp_path / "o"),
                                       "--planner", "nope"])
    assert result.exit_code == 2 and "unknown planner 'nope'" in result.output
    assert not (tmp_path / "o" / "predictions.jsonl").exists()


def test_unreachable_repo_is_an_error_that_the_next_run_retries(tmp_path: Path) -> None:
    path = tmp_path / "i.jsonl"
    path.write_text(json.dumps({**INSTANCE, "repo": (tmp_path / "gone").as_uri()}) + "\n")
    out = tmp_path / "o"
    for _ in range(2):
        result = CliRunner().invoke(main, ["batch", str(path), "--out", str(out)],
                                    env={"RFSN_HOME": str(tmp_path / "home")})
        assert result.exit_code == 0, result.output
    results = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert [(r["status"], r["error_kind"]) for r in results] == [("error", "repo")] * 2
    assert not (out / "predictions.jsonl").exists()
    assert "error (repo)" in (out / "report.html").read_text()
