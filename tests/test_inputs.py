"""Every JSON, JSON-lines and TOML input is read within bounds: a hostile but valid file is exit 2
with one line ``FILE:LINE: reason``, never a crash (100,000-deep nesting was RecursionError, a
5,000-digit integer ValueError: exit 3, in instances, predictions, results, RFSN_CONFIG and
``gate check``)."""

from __future__ import annotations

import ast
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.errors import InputError
from rfsn.inputs import MAX_DEPTH, json_records, json_value, read_bounded, toml_text
from tests.paths import ROOT

DEEP_JSON = "[" * 100_000 + "]" * 100_000
LONG_INT = "1" * 5_000
INSTANCE = '{"instance_id": "a", "repo": "/nowhere", "base_commit": "abc", "FAIL_TO_PASS": %s}'


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (DEEP_JSON, "nested more than"),
        ("[" * 100_000, "nested more than"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested more than"),
        (f'{{"a": {LONG_INT}}}', "an integer of 5000 digits"),
        (f'{{"a": -{"9" * 65}}}', "an integer of 65 digits"),
        ('{"a": 1} {"b": 2}', "extra data"),
    ],
)
def test_hostile_json_is_one_line_naming_where(text: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        json_value(text, "f.jsonl", 7)
    message = str(caught.value)
    assert message.startswith("f.jsonl:7: ") and reason in message and "\n" not in message


def test_a_value_at_the_bounds_is_read() -> None:
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert json_value(deep) is not None
    assert json_value(f'{{"a": {"9" * 64}}}') == {"a": int("9" * 64)}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("a = " + "[" * 100_000, 1, "nested more than"),
        (f"x = 1\ny = {LONG_INT}\n", 2, "an integer of more than 64 digits"),
        (f"x = 1\n[t]\ny = {'7' * 100}\n", 3, "an integer of more than 64 digits"),
        ('x = 1\ny = "open\n', 2, "invalid TOML"),
    ],
)
def test_hostile_toml_is_one_line_naming_where(text: str, line: int, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        toml_text(text, "rfsn.toml")
    assert str(caught.value).startswith(f"rfsn.toml:{line}: ") and reason in str(caught.value)


def test_a_json_array_then_json_lines_is_an_error_naming_the_line(tmp_path: Path) -> None:
    """A JSON array on the first line silently dropped the JSON lines after it."""
    path = tmp_path / "instances.jsonl"
    path.write_text('[{"instance_id": "a"}]\n\n{"instance_id": "b"}\n')
    with pytest.raises(InputError, match=rf"^{path}:3: more follows the JSON array that ends on line 1"):
        json_records(path)


def test_records_keep_their_lines_in_every_shape(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('[\n  {"a": 1},\n\n  {"a": [2,\n 3]}, {"a": 4}\n]\n')
    assert json_records(path) == [(2, {"a": 1}), (4, {"a": [2, 3]}), (5, {"a": 4})]
    path.write_text('{"a": 1}\n\n{"a": 2}\n')
    assert json_records(path) == [(1, {"a": 1}), (3, {"a": 2})]
    path.write_text('{"x": {"model_patch": ""}}')
    assert json_records(path) == [(1, {"instance_id": "x", "model_patch": ""})]


def test_reading_stops_at_the_stated_size() -> None:
    with pytest.raises(InputError, match=r"^--problem-file /dev/zero is larger than the 1 MiB rfsn reads"):
        read_bounded(Path("/dev/zero"), 1 << 20, "--problem-file")


def test_a_regular_file_over_the_size_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "instances.jsonl"
    with big.open("wb") as handle:
        handle.truncate((1 << 30) + 1)  # sparse: nothing to read but zeros
    with pytest.raises(InputError, match="is larger than the 1 GiB rfsn reads from it"):
        read_bounded(big)


def _rfsn(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rfsn", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )


def _one_line(proc: subprocess.CompletedProcess[str], start: str) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"rfsn: error: {start}"), proc.stderr
    return lines[0]


@pytest.mark.parametrize("bad", [DEEP_JSON, LONG_INT])
def test_an_instance_file_with_hostile_json_is_exit_2(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "instances.jsonl"
    path.write_text(INSTANCE % "[]" + "\n" + INSTANCE.replace('"a"', '"b"') % bad + "\n")
    _one_line(_rfsn("validate", str(path), "--sandbox", "local"), f"{path}:2: ")


@pytest.mark.parametrize("bad", [DEEP_JSON, LONG_INT])
def test_a_predictions_file_with_hostile_json_is_exit_2(tmp_path: Path, bad: str) -> None:
    instances, predictions = tmp_path / "i.jsonl", tmp_path / "p.jsonl"
    instances.write_text(INSTANCE % "[]" + "\n")
    predictions.write_text(f'{{"instance_id": "a", "model_patch": "", "x": {bad}}}\n')
    _one_line(
        _rfsn(
            "evaluate",
            str(predictions),
            "--instances",
            str(instances),
            "--run-id",
            "r",
            "--report-dir",
            str(tmp_path),
            "--sandbox",
            "local",
        ),
        f"{predictions}:1: ",
    )


def test_a_results_file_with_hostile_json_is_exit_2(tmp_path: Path) -> None:
    """``rfsn report DIR`` reads a run's results.jsonl, which a user may hand over."""
    run = tmp_path / "run"
    run.mkdir()
    (run / "results.jsonl").write_text(f'{{"x": {LONG_INT}}}\n')
    _one_line(_rfsn("report", str(run)), f"{run / 'results.jsonl'}:1: ")


@pytest.mark.parametrize("bad", ["a = " + "[" * 100_000, f"test_timeout = {LONG_INT}"])
def test_an_rfsn_config_with_hostile_toml_is_exit_2(tmp_path: Path, bad: str) -> None:
    config = tmp_path / "rfsn.toml"
    config.write_text(bad + "\n")
    _one_line(_rfsn("buildpacks", "list", env={"RFSN_CONFIG": str(config)}), f"cannot read settings: {config}:1: ")


@pytest.mark.parametrize("bad", ["[" * 50_000, f'{{"timeout": {LONG_INT}}}'])
def test_a_json_setting_in_the_environment_is_read_within_bounds(bad: str) -> None:
    _one_line(_rfsn("buildpacks", "list", env={"RFSN_LLM": bad}), "invalid setting llm (RFSN_LLM): RFSN_LLM:1: ")


@pytest.mark.parametrize("bad", [DEEP_JSON, f'{{"workspace": ".", "phase": {LONG_INT}}}'])
def test_gate_check_decides_a_hostile_line_as_malformed_proposal(bad: str) -> None:
    proc = _rfsn("gate", "check", stdin='{"workspace": ".", "phase": "localize"}\n' + bad + "\n")
    assert proc.returncode == 0, proc.stderr
    second = json.loads(proc.stdout.splitlines()[1])
    assert second["rule"] == "malformed_proposal" and second["reason"].startswith("<stdin>:2: ")


def test_gate_check_of_a_stream_without_line_ends_stops_at_a_stated_size() -> None:
    """An over-long line is decided malformed at once; /dev/zero (no line end, ever) then ends
    the command with one line, exit 2, instead of reading forever."""
    proc = _rfsn("gate", "check", "/dev/zero")
    assert proc.returncode == 2, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error" in line and "gate.decision" not in line]
    assert errors == ["rfsn: error: /dev/zero:1: a line longer than 1 GiB; stopped reading"], proc.stderr
    assert json.loads(proc.stdout)["rule"] == "malformed_proposal"


def test_a_problem_file_is_read_to_a_stated_size() -> None:
    _one_line(
        _rfsn("repair", ".", "--problem-file", "/dev/zero", "--sandbox", "local"),
        "--problem-file /dev/zero is larger than the 1 MiB rfsn reads from it",
    )


def test_a_problem_file_that_is_a_named_pipe_no_one_writes_to_is_refused_without_waiting(tmp_path: Path) -> None:
    """--problem-file FIFO waited for a writer forever (the test's timeout ends an unfixed build)."""
    fifo = tmp_path / "issue.pipe"
    os.mkfifo(fifo)
    _one_line(
        _rfsn("repair", ".", "--problem-file", str(fifo), "--sandbox", "local"), f"--problem-file {fifo} holds no text"
    )


def test_a_problem_file_from_process_substitution_is_read() -> None:
    """``--problem-file <(...)``: a pipe with a writer is read (the run goes on to the next error)."""
    done = subprocess.run(
        [
            "bash",
            "-c",
            f"{shlex.quote(sys.executable)} -m rfsn repair "
            "https://example.invalid/x.git --apply --problem-file <(echo the issue)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 2 and "--problem-file" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "--apply" in done.stderr, done.stderr


#: files that run inside the sandbox with the standard library only
_ELSEWHERE = {
    "rfsn/inputs.py",
    "rfsn/buildpacks/python/pipresolve.py",
    "rfsn/buildpacks/python/warm/pytest_server.py",
    "rfsn/buildpacks/python/probe_plugin.py",
    "rfsn/buildpacks/python/project_copy.py",
}


def test_json_and_toml_are_parsed_in_one_place() -> None:
    """A json.loads elsewhere would be unbounded again."""
    found = []
    for path in sorted((ROOT / "rfsn").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name in _ELSEWHERE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("loads", "load")
                and isinstance(node.value, ast.Name)
                and node.value.id in ("json", "tomllib", "tomli")
            ):
                found.append(f"{name}:{node.lineno}")
    assert found == []


def test_a_model_record_line_of_another_shape_is_named(tmp_path: Path) -> None:
    """``--replay`` took any JSON line as a record entry: ``[1]`` was a TypeError (exit 3)."""
    from rfsn.errors import ConfigError
    from rfsn.llm.record import Recorder

    record = tmp_path / "llm.jsonl"
    record.write_text("\n[1]\n")
    with pytest.raises(ConfigError, match=rf"^{record}:2: not a line of a model record \(TypeError"):
        Recorder(tmp_path / "out.jsonl", replay_from=record)


def test_gate_check_decides_an_edit_whose_package_json_is_nested_deep(tmp_path: Path) -> None:
    """The gate's own readers of a proposed file (package.json's runner part) are bounded too: a
    100,000-deep package.json in an edit was RecursionError, exit 3."""
    (tmp_path / "index.js").write_text("module.exports = 1;\n", encoding="utf-8")
    (tmp_path / "package.json").write_text('{"scripts": {"test": "mocha"}}\n', encoding="utf-8")
    diff = (
        "diff --git a/package.json b/package.json\n--- a/package.json\n+++ b/package.json\n"
        f'@@ -1 +1 @@\n-{{"scripts": {{"test": "mocha"}}}}\n+{DEEP_JSON}\n'
    )
    line = {
        "workspace": str(tmp_path),
        "phase": "patch",
        "buildpack": "node",
        "proposal": {"intent": "edit", "patch": diff},
    }
    proc = _rfsn("gate", "check", stdin=json.dumps(line) + "\n")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[0])["rule"] != "malformed_proposal"
