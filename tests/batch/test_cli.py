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


def _evaluate(tmp_path: Path, predictions: str, *extra: str) -> tuple[int, str]:
    instances = tmp_path / "i.jsonl"
    instances.write_text(json.dumps(INSTANCE) + "\n")
    path = tmp_path / "p.json"
    path.write_text(predictions)
    result = CliRunner().invoke(main, ["evaluate", str(path), "--instances", str(instances),
                                       "--run-id", "r", "--report-dir", str(tmp_path / "out"), *extra])
    return result.exit_code, result.output


def test_empty_predictions_say_so_and_create_nothing(tmp_path: Path) -> None:
    for text in ("[]", ""):
        code, output = _evaluate(tmp_path, text)
        assert code == 2 and "no predictions in" in output, output
    assert not (tmp_path / "out").exists()


def test_predictions_for_no_known_instance_name_the_first_unknown_id(tmp_path: Path) -> None:
    code, output = _evaluate(tmp_path, json.dumps({"instance_id": "x__y-9", "model_patch": "d"}))
    assert code == 2 and "matches an instance" in output and "first unknown id: x__y-9" in output
    assert not (tmp_path / "out").exists()


def test_a_single_instance_without_its_id_names_the_missing_field(tmp_path: Path) -> None:
    """A lone JSON object is one record, not a mapping of ids to records."""
    path = tmp_path / "i.json"
    path.write_text(json.dumps({"repo": "o/r", "base_commit": "abc"}))
    result = CliRunner().invoke(main, ["batch", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "invalid instance: instance_id: Field required" in result.output, result.output


def test_timeouts_that_are_not_positive_are_refused_before_anything_runs(tmp_path: Path) -> None:
    instances = tmp_path / "i.jsonl"
    instances.write_text(json.dumps(INSTANCE) + "\n")
    for command in (["evaluate", "gold", "--instances", str(instances), "--run-id", "r",
                     "--report-dir", str(tmp_path / "out")],
                    ["batch", str(instances), "--out", str(tmp_path / "o")],
                    ["test", str(tmp_path)], ["repair", str(tmp_path)]):
        result = CliRunner().invoke(main, [*command, "--timeout", "-5"])
        assert result.exit_code == 2 and "Invalid value for '--timeout'" in result.output, command
    assert not (tmp_path / "out").exists() and not (tmp_path / "o").exists()


def test_the_environments_date_and_python_reach_every_worker() -> None:
    """--as-of and --python given to `rfsn batch` are in each worker's settings (issue 45)."""
    from rfsn.cli.batch_cmd import _worker_setup
    from rfsn.settings import load_settings

    settings = _worker_setup(load_settings(as_of="2020-01-01", python="3.9"), False)["settings"]
    assert (settings["as_of"], settings["python"]) == ("2020-01-01", "3.9")
    assert load_settings(**settings).as_of == "2020-01-01"
