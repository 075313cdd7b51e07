"""The batch commands' contract: exit codes, line-numbered input errors, the report."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

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
    predictions.write_text(
        json.dumps({"instance_id": "o__r-1", "model_patch": ""}) + "\n" + json.dumps({"model_patch": "x"}) + "\n"
    )
    result = CliRunner().invoke(
        main,
        ["evaluate", str(predictions), "--instances", str(instances), "--run-id", "r", "--report-dir", str(tmp_path)],
    )
    assert result.exit_code == 2
    assert "p.jsonl:2: invalid prediction: instance_id" in result.output


def test_report_writes_html_with_chart_and_markdown(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.record(
        Outcome(
            instance_id="a",
            status=Status.FIXED,
            duration=12.5,
            patch_lines=2,
            phases={"localize": 2.0, "patch": 10.5},
            link="a/a/trajectory.jsonl",
        ),
        Prediction(instance_id="a", model_patch="p"),
    )
    store.record(
        Outcome(instance_id="b", status=Status.NOT_FIXED, duration=30.0, phases={"localize": 5.0, "patch": 25.0}),
        Prediction(instance_id="b", model_patch=""),
    )
    store.record(Outcome(instance_id="c", status=Status.ERROR, error_kind=ErrorKind.IMAGE, message="build <failed>"))
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
    result = CliRunner().invoke(main, ["batch", str(path), "--out", str(tmp_path / "o"), "--planner", "nope"])
    assert result.exit_code == 2 and "unknown planner 'nope'" in result.output
    assert not (tmp_path / "o" / "predictions.jsonl").exists()


def test_unreachable_repo_is_an_error_that_the_next_run_retries(tmp_path: Path) -> None:
    """A batch whose every instance errored exits 1, its summary counts the error as the progress
    did and names no predictions file it never wrote (an unreachable repo said "0 errors, 1
    crashed", exit 0, and named predictions.jsonl)."""
    path = tmp_path / "i.jsonl"
    path.write_text(json.dumps({**INSTANCE, "repo": (tmp_path / "gone").as_uri()}) + "\n")
    out = tmp_path / "o"
    for _ in range(2):
        result = CliRunner().invoke(
            main, ["batch", str(path), "--out", str(out)], env={"RFSN_HOME": str(tmp_path / "home")}
        )
        assert result.exit_code == 1, result.output
        assert "error 1" in result.output and "1 instance: 0 fixed, 0 not fixed, 1 errors" in result.output
        assert "predictions: none" in result.output and "predictions.jsonl" not in result.output
        named = [line.split(": ", 1)[1] for line in result.output.splitlines() if line.startswith("report: ")]
        assert named == [str(out / "report.html")] and Path(named[0]).is_file()
    results = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert [(r["status"], r["error_kind"]) for r in results] == [("error", "repo")] * 2
    assert not (out / "predictions.jsonl").exists()
    assert "error (repo)" in (out / "report.html").read_text()


def test_an_evaluation_whose_every_instance_errored_exits_1_as_a_batch_does(tmp_path: Path) -> None:
    """Exit 1 says "it ran and nothing came of it" for evaluate too (it said 0 with every
    instance an error, so a script could not tell a dead run from a finished one)."""
    instances = tmp_path / "i.jsonl"
    instances.write_text(json.dumps({**INSTANCE, "repo": (tmp_path / "gone").as_uri()}) + "\n")
    predictions = tmp_path / "p.json"
    predictions.write_text(
        json.dumps(
            [{"instance_id": INSTANCE["instance_id"], "model_name_or_path": "m", "model_patch": "diff --git a/x b/x\n"}]
        )
    )
    result = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(predictions),
            "--instances",
            str(instances),
            "--run-id",
            "r",
            "--report-dir",
            str(tmp_path / "out"),
        ],
        env={"RFSN_HOME": str(tmp_path / "home")},
    )
    assert result.exit_code == 1, result.output
    assert "Instances with errors: 1" in result.output and (tmp_path / "out" / "m.r.json").is_file()


def _evaluate(tmp_path: Path, predictions: str, *extra: str) -> tuple[int, str]:
    instances = tmp_path / "i.jsonl"
    instances.write_text(json.dumps(INSTANCE) + "\n")
    path = tmp_path / "p.json"
    path.write_text(predictions)
    result = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(path),
            "--instances",
            str(instances),
            "--run-id",
            "r",
            "--report-dir",
            str(tmp_path / "out"),
            *extra,
        ],
    )
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
    for command in (
        ["evaluate", "gold", "--instances", str(instances), "--run-id", "r", "--report-dir", str(tmp_path / "out")],
        ["batch", str(instances), "--out", str(tmp_path / "o")],
        ["test", str(tmp_path)],
        ["repair", str(tmp_path)],
    ):
        for value in ("-5", "1e8"):  # a flag has the settings' bound (a week), so its error names it
            result = CliRunner().invoke(main, [*command, "--timeout", value])
            assert result.exit_code == 2 and "Invalid value for '--timeout'" in result.output, command
    assert not (tmp_path / "out").exists() and not (tmp_path / "o").exists()


def _one_line_error(result: Result, text: str) -> None:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("rfsn: error: "), result.output
    assert text in lines[0], result.output


def _commands(instances: Path, out: Path) -> list[list[str]]:
    return [
        ["batch", str(instances), "--out", str(out)],
        ["evaluate", "gold", "--instances", str(instances), "--run-id", "r", "--report-dir", str(out)],
        ["validate", str(instances), "--report-dir", str(out)],
    ]


def test_a_missing_local_repo_is_an_input_error_naming_the_instance(tmp_path: Path) -> None:
    """A path-looking repo that is missing never becomes a GitHub URL: one line, exit 2, nothing written."""
    instances = tmp_path / "i.jsonl"
    instances.write_text(json.dumps({**INSTANCE, "repo": "./missing/project", "patch": "d"}) + "\n")
    for command in _commands(instances, tmp_path / "o"):
        _one_line_error(
            CliRunner().invoke(main, command),
            f"{instances}: instance 'o__r-1': repo './missing/project': no such directory",
        )
    mirrors = tmp_path / "mirrors"
    mirrors.mkdir()
    instances.write_text(json.dumps({**INSTANCE, "patch": "d"}) + "\n")
    for command in _commands(instances, tmp_path / "o"):
        _one_line_error(
            CliRunner().invoke(main, [*command, "--repos-dir", str(mirrors)]),
            f"repo 'o/r': no mirror under --repos-dir {mirrors}",
        )
    assert not (tmp_path / "o").exists()


def test_blank_instance_ids_are_an_input_error_not_every_instance(tmp_path: Path) -> None:
    """``--instance-ids " "`` (an empty shell variable) ran every instance."""
    instances = tmp_path / "i.jsonl"
    instances.write_text(json.dumps({**INSTANCE, "patch": "d"}) + "\n")
    for command in _commands(instances, tmp_path / "o"):
        for blank in (" ", ""):
            _one_line_error(
                CliRunner().invoke(main, [*command, "--instance-ids", blank]), "--instance-ids names no instance"
            )
    assert not (tmp_path / "o").exists()


def test_ray_address_without_the_ray_executor_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    """``batch --ray-address X`` with the local executor left ``.rfsn-run.lock`` behind its error."""
    instances = tmp_path / "i.jsonl"
    instances.write_text(json.dumps({**INSTANCE, "patch": "d"}) + "\n")
    for command in _commands(instances, tmp_path / "o"):
        _one_line_error(
            CliRunner().invoke(main, [*command, "--ray-address", "127.0.0.1:1"]), "--ray-address needs --executor ray"
        )
    assert not (tmp_path / "o").exists()


def test_validate_says_validate_on_its_progress(tmp_path: Path) -> None:
    instances = tmp_path / "i.jsonl"
    instances.write_text(json.dumps({**INSTANCE, "repo": (tmp_path / "gone").as_uri(), "patch": "d"}) + "\n")
    result = CliRunner().invoke(
        main,
        ["validate", str(instances), "--run-id", "v1", "--report-dir", str(tmp_path / "o")],
        env={"RFSN_HOME": str(tmp_path / "home")},
    )
    assert result.exit_code == 1, result.output
    assert "validate v1" in result.output and "evaluate" not in result.output


def test_output_dirs_that_cannot_be_written_are_refused_by_name_before_anything_runs(tmp_path: Path) -> None:
    """batch --out and evaluate/validate --report-dir under a file, or in /proc, are one line and
    exit 2 naming the path, never a traceback or exit 1 (issue 46: --out /proc/x)."""
    instances = tmp_path / "i.jsonl"
    instances.write_text(json.dumps(INSTANCE) + "\n")
    afile = tmp_path / "afile"
    afile.write_text("")
    commands = [
        ["batch", str(instances), "--out", "/proc/rfsn-x"],
        ["batch", str(instances), "--out", str(afile / "sub")],
        ["evaluate", "gold", "--instances", str(instances), "--run-id", "r", "--report-dir", str(afile / "sub")],
        ["validate", str(instances), "--run-id", "r", "--report-dir", "/proc/rfsn-y"],
    ]
    for args in commands:
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert "cannot write to" in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_a_model_flag_with_the_template_planner_is_refused_in_batch(tmp_path: Path) -> None:
    """A flag is never parsed and then ignored: --max-cost means nothing to the template planner."""
    instances = tmp_path / "i.jsonl"
    instances.write_text(json.dumps(INSTANCE) + "\n")
    result = CliRunner().invoke(main, ["batch", str(instances), "--out", str(tmp_path / "o"), "--max-cost", "1"])
    assert result.exit_code == 2
    assert "--max-cost applies only to the planners that ask a model" in result.output
    assert not (tmp_path / "o").exists()


def test_the_environments_date_and_python_reach_every_worker() -> None:
    """--as-of and --python given to `rfsn batch` are in each worker's settings (issue 45)."""
    from rfsn.cli.batch_cmd import worker_setup
    from rfsn.settings import for_workers, load_settings

    settings = for_workers(worker_setup(load_settings(as_of="2020-01-01", python="3.9"), False)["settings"])
    assert (settings["as_of"], settings["python"]) == ("2020-01-01", "3.9")
    assert load_settings(**settings).as_of == "2020-01-01"


def test_the_registry_reaches_every_worker() -> None:
    """--registry given to `rfsn batch`, `evaluate` or `validate` is in each worker's settings:
    a worker that builds an image pushes it, one that needs it pulls it."""
    from rfsn.cli.batch_cmd import worker_setup
    from rfsn.settings import for_workers, load_settings

    settings = for_workers(worker_setup(load_settings(registry="127.0.0.1:5000/rfsn"), False)["settings"])
    assert load_settings(**settings).registry == "127.0.0.1:5000/rfsn"
