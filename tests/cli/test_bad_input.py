"""Bad input is refused with one line naming the real cause and exit 2, before any work.

Each test is a row of issue 21's table: an input that used to be accepted (or
refused for the wrong reason) and the answer it must get now.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rfsn.cli import main

INSTANCE = {"instance_id": "o__r-1", "repo": "o/r", "base_commit": "abc"}
ROOT = Path(__file__).resolve().parents[2]


def rfsn(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the run's rfsn home: its envs are shared
    return subprocess.run(
        [sys.executable, "-m", "rfsn", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _instances(tmp_path: Path, *records: dict) -> Path:
    path = tmp_path / "i.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("command", ["evaluate", "batch", "test"])
def test_negative_timeout_exits_2_before_anything_runs(tmp_path: Path, command: str) -> None:
    """A timeout of -5 seconds is an invalid option, not a value handed on to `timeout`."""
    instances = _instances(tmp_path, INSTANCE)
    args = {
        "evaluate": ["evaluate", "gold", "--instances", str(instances), "--run-id", "r"],
        "batch": ["batch", str(instances), "--out", str(tmp_path / "out")],
        "test": ["test", str(tmp_path)],
    }[command]
    result = rfsn(*args, "--timeout", "-5", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Invalid value for '--timeout'" in result.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "logs").exists()
    _no_traceback(result)


@pytest.mark.parametrize("text", ["", "[]\n", "\n\n"], ids=["empty", "empty_array", "blank_lines"])
def test_instances_file_without_instances_is_named(tmp_path: Path, text: str) -> None:
    """An instances file that holds no instance says so, not that a log folder has no results."""
    path = tmp_path / "i.jsonl"
    path.write_text(text)
    result = rfsn("evaluate", "gold", "--instances", str(path), "--run-id", "r", cwd=tmp_path)
    assert result.returncode == 2
    assert f"no instances in {path}" in result.stderr
    _no_traceback(result)


def test_predictions_matching_no_instance_name_the_first_unknown_id(tmp_path: Path) -> None:
    """Predictions whose ids all miss the instances are an input error naming one of them."""
    instances = _instances(tmp_path, INSTANCE)
    predictions = tmp_path / "p.jsonl"
    predictions.write_text(json.dumps({"instance_id": "x__y-9", "model_patch": "p"}) + "\n")
    result = rfsn("evaluate", str(predictions), "--instances", str(instances), "--run-id", "r", cwd=tmp_path)
    assert result.returncode == 2
    assert "matches an instance" in result.stderr and "(first unknown id: x__y-9)" in result.stderr
    _no_traceback(result)


def test_empty_predictions_file_is_named(tmp_path: Path) -> None:
    """An empty predictions file is an input error, not a run with nothing to grade."""
    instances = _instances(tmp_path, INSTANCE)
    predictions = tmp_path / "p.jsonl"
    predictions.write_text("")
    result = rfsn("evaluate", str(predictions), "--instances", str(instances), "--run-id", "r", cwd=tmp_path)
    assert result.returncode == 2 and f"no predictions in {predictions}" in result.stderr


def test_predictions_mixing_known_and_unknown_ids_warn_and_count(tmp_path: Path) -> None:
    """Unknown prediction ids are not dropped silently: a warning names them and the summary counts them."""
    instances = _instances(tmp_path, INSTANCE)
    predictions = tmp_path / "p.jsonl"
    predictions.write_text(
        json.dumps({"instance_id": "o__r-1", "model_patch": ""})
        + "\n"
        + json.dumps({"instance_id": "ghost-1", "model_patch": "p"})
        + "\n"
    )
    result = rfsn(
        "evaluate", str(predictions), "--instances", str(instances), "--run-id", "r", "--sandbox", "local", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "1 prediction(s) match no instance" in result.stderr and "ghost-1" in result.stderr
    assert "Predictions matching no instance (not evaluated): 1" in result.stdout
    assert "HTML report: " in result.stdout and "report.html" in result.stdout
    summary = json.loads(next(tmp_path.glob("*.r.json")).read_text())
    assert summary["rfsn"]["unknown_prediction_ids"] == ["ghost-1"]


@pytest.mark.parametrize(
    "text",
    [json.dumps({"repo": "o/r", "base_commit": "abc"}) + "\n", json.dumps([{"repo": "o/r"}]) + "\n"],
    ids=["jsonl", "array"],
)
def test_instance_without_instance_id_names_the_missing_field(tmp_path: Path, text: str) -> None:
    """A JSON object lacking instance_id is reported as lacking it, not as 'not a JSON object'."""
    path = tmp_path / "i.json"
    path.write_text(text)
    result = CliRunner().invoke(main, ["batch", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "invalid instance: instance_id: Field required" in result.output
    assert "must be a JSON object" not in result.output


@pytest.mark.parametrize("missing", ["test_patch", "FAIL_TO_PASS", "base_commit"])
def test_oracle_tests_without_the_oracle_fields_is_an_input_error(tmp_path: Path, missing: str) -> None:
    """--oracle-tests on instances that lack the tests to apply names the field, before anything runs."""
    record = {**INSTANCE, "test_patch": "diff", "FAIL_TO_PASS": ["t::a"]}
    record.pop(missing)
    instances = _instances(tmp_path, record)
    result = CliRunner().invoke(main, ["batch", str(instances), "--out", str(tmp_path / "o"), "--oracle-tests"])
    assert result.exit_code == 2, result.output
    assert f"has no {missing}, which --oracle-tests needs" in result.output
    assert not (tmp_path / "o").exists()


def test_unknown_buildpack_creates_no_output_folder(tmp_path: Path) -> None:
    """`--buildpack nosuch` is refused before the session makes its output folder."""
    (tmp_path / "repo").mkdir()
    result = rfsn(
        "repair", str(tmp_path / "repo"), "--buildpack", "nosuch", "--out", str(tmp_path / "out"), cwd=tmp_path
    )
    assert result.returncode == 2
    assert "unknown buildpack 'nosuch'" in result.stderr
    assert not (tmp_path / "out").exists()
    _no_traceback(result)


def test_buildpacks_list_names_every_accepted_buildpack() -> None:
    """Every name --buildpack accepts is listed, generic included."""
    result = CliRunner().invoke(main, ["buildpacks", "list"], terminal_width=200)
    assert result.exit_code == 0
    names = {line.split()[0] for line in result.output.splitlines()[1:] if line.strip()}
    assert {"python", "node", "rust", "go", "java", "generic"} <= names


def test_generic_buildpack_without_test_cmd_says_what_it_needs(tmp_path: Path) -> None:
    """`--buildpack generic` alone is refused with what it needs, before any output."""
    result = CliRunner().invoke(
        main, ["repair", str(tmp_path), "--buildpack", "generic", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2 and "add --test-cmd" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["batch", "evaluate"])
def test_a_run_directory_in_use_by_another_run_is_refused_until_that_run_ends(tmp_path: Path, command: str) -> None:
    """A second run of the directory a run is writing would repeat its instances and record them
    twice: it is refused with one line naming the holder's pid, and runs once the holder is gone
    (here killed, so no exit handler releases the lock: the lock dies with its process)."""
    (tmp_path / "proj").mkdir()  # not a repository: once it may run, the batch records an error
    instances = _instances(tmp_path, {**INSTANCE, "repo": str(tmp_path / "proj")})
    predictions = tmp_path / "p.jsonl"
    predictions.write_text(json.dumps({"instance_id": "o__r-1", "model_name_or_path": "m", "model_patch": ""}) + "\n")
    out = {"batch": tmp_path / "out", "evaluate": tmp_path / "logs" / "run_evaluation" / "r" / "m"}[command]
    args = {
        "batch": ["batch", str(instances), "--out", str(out)],
        "evaluate": [
            "evaluate",
            str(predictions),
            "--instances",
            str(instances),
            "--run-id",
            "r",
            "--sandbox",
            "local",
        ],
    }[command]
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from rfsn.batch.predictions import RunStore\n"
            f"with RunStore(Path({str(out)!r})).claim():\n    print('held', flush=True); time.sleep(120)",
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = rfsn(*args, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert f"is in use by another rfsn run (pid {holder.pid})" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        _no_traceback(result)
        assert not (out / "results.jsonl").exists()
    finally:
        holder.kill()
        holder.communicate()
    result = rfsn(*args, cwd=tmp_path)
    assert "in use by another rfsn run" not in result.stderr
    assert (out / "results.jsonl").exists(), result.stderr


@pytest.mark.parametrize("command", ["repair", "batch", "test"])
@pytest.mark.parametrize(
    ("flag", "value", "line"),
    [
        (
            "--as-of",
            "last-tuesday",
            "rfsn: error: invalid setting as_of (RFSN_AS_OF): 'last-tuesday' is not "
            "'commit', 'today' or a date YYYY-MM-DD",
        ),
        ("--python", "3", "rfsn: error: invalid setting python (RFSN_PYTHON): String should match pattern"),
    ],
)
def test_a_bad_as_of_date_or_python_is_one_line_and_exit_2(
    tmp_path: Path, command: str, flag: str, value: str, line: str
) -> None:
    """--as-of and --python (issue 45) are checked before any work, on every command that builds."""
    instances = _instances(tmp_path, INSTANCE)
    args = {
        "repair": ["repair", str(tmp_path)],
        "batch": ["batch", str(instances), "--out", str(tmp_path / "o")],
        "test": ["test", str(tmp_path)],
    }[command]
    result = rfsn(*args, flag, value, cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith(line), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    _no_traceback(result)
