"""Every path built from an input file stays under its output root: an instance id, a model name
or a run id is one directory's name (as the SWE-bench harness uses them), or the input is refused
with one line naming the file, its line and the id, before anything is written."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rfsn.cli import main
from rfsn.models.swebench import NAME_BYTES, model_dir, path_name

#: a patch, so that an evaluation runs (an empty one is graded without a log directory)
PATCH = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"
#: TOP stands for the test's own scratch directory: an absolute id must not write there either
TOP = "@top@"
NASTY = [
    "../../evil",
    "..",
    ".",
    f"{TOP}/evil",
    "a/b",
    "a\\b",
    "x\x00y",
    "new\nline",
    "",
    "é" * 61,
    "x" * (NAME_BYTES + 1),
]
#: ids as real datasets write them, which must stay accepted as they are
REAL = ["astropy__astropy-12907", "django__django-11099", "0b01001001__spectree-64", "my id", "ünï.côdé-1"]
ids = st.one_of(
    st.sampled_from(NASTY + REAL),
    st.builds(lambda up, rest: "../" * up + rest, st.integers(0, 5), st.text(max_size=40)),
    st.text(min_size=1, max_size=130),
)


@contextmanager
def scratch() -> Iterator[tuple[Path, Path]]:
    """A fresh directory and the output root four levels down in it (so an escape of up to four
    levels still lands where the test looks)."""
    with tempfile.TemporaryDirectory() as top:
        root = Path(top) / "a" / "b" / "c" / "d" / "out"
        root.parent.mkdir(parents=True)
        yield Path(top), root


def _outside(top: Path, *allowed: Path) -> list[Path]:
    """Files under ``top`` that are not under one of ``allowed``."""
    found = [Path(d) / f for d, _, files in os.walk(top) for f in files]
    return [p for p in found if not any(p == a or a in p.parents for a in allowed)]


def _run(top: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"RFSN_HOME": str(top / "home")})
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _instances(top: Path, iid: str) -> Path:
    iid = iid.replace(TOP, str(top))
    path = top / "i.jsonl"
    path.write_text(json.dumps({"instance_id": iid, "repo": (top / "gone").as_uri(), "patch": PATCH}) + "\n")
    return path


def _refused(code: int, output: str, where: str) -> bool:
    lines = output.strip().splitlines()
    return code == 2 and len(lines) == 1 and lines[0].startswith(f"rfsn: error: {where}")


@given(ids)
@settings(max_examples=60, deadline=None)
def test_a_name_is_one_directory_under_its_root_or_refused(value: str) -> None:
    with tempfile.TemporaryDirectory() as top:
        try:
            name = path_name(value, "instance_id")
        except ValueError as exc:
            assert "\n" not in str(exc) and str(exc).startswith("instance_id ")
            return
        (Path(top) / name).mkdir()
        assert os.listdir(top) == [value]


def test_a_model_name_becomes_its_directory_as_the_harness_names_it() -> None:
    assert model_dir("org/model") == "org__model"
    assert model_dir("gpt-4o-2024-05-13") == "gpt-4o-2024-05-13"
    assert model_dir("/ckpt/run-1") == "__ckpt__run-1"
    for bad in ("..", ".", "", "a\\b", "m\x00"):
        with pytest.raises(ValueError, match="model_name_or_path"):
            model_dir(bad)


@pytest.mark.parametrize("iid", NASTY, ids=lambda s: repr(s[:12]))
def test_an_instance_id_that_is_no_directory_name_is_refused_by_every_command(iid: str) -> None:
    """``"instance_id": "../../evil"`` made ``batch --out out/run`` write evil/error.log two levels
    above its output directory, and ``evaluate`` write logs/run_evaluation/evil/."""
    with scratch() as (top, root):
        instances = _instances(top, iid)
        for command in (
            ["batch", str(instances), "--out", str(root)],
            ["evaluate", "gold", "--instances", str(instances), "--run-id", "x", "--report-dir", str(root)],
            ["validate", str(instances), "--report-dir", str(root)],
        ):
            code, output = _run(top, *command)
            assert _refused(code, output, f"{instances}:1: invalid instance: instance_id"), output
        assert _outside(top, instances) == []


@pytest.mark.parametrize("model", ["..", ".", "", "a\\b", "m\x00", "x" * (NAME_BYTES + 1)])
def test_a_model_name_that_is_no_directory_name_is_refused(model: str) -> None:
    """A prediction whose ``model_name_or_path`` is ``..`` moved the whole run's logs up a level."""
    with scratch() as (top, root):
        instances = _instances(top, "o__r-1")
        predictions = top / "p.jsonl"
        predictions.write_text(
            json.dumps({"instance_id": "o__r-1", "model_name_or_path": model, "model_patch": PATCH}) + "\n"
        )
        code, output = _run(
            top, "evaluate", str(predictions), "--instances", str(instances), "--run-id", "x", "--report-dir", str(root)
        )
        assert _refused(code, output, f"{predictions}:1: invalid prediction: model_name_or_path"), output
        code, output = _run(top, "batch", str(instances), "--out", str(root), "--model-name", model)
        assert _refused(code, output, "--model-name"), output
        assert _outside(top, instances, predictions) == []


@pytest.mark.parametrize("run_id", ["..", ".", "a/b", "a\\b", "r\x00", "x" * (NAME_BYTES + 1)])
def test_a_run_id_that_is_no_directory_name_is_refused(run_id: str) -> None:
    with scratch() as (top, root):
        instances = _instances(top, "o__r-1")
        for command in (["evaluate", "gold", "--instances", str(instances)], ["validate", str(instances)]):
            code, output = _run(top, *command, "--run-id", run_id, "--report-dir", str(root))
            assert _refused(code, output, "--run-id"), output
        assert _outside(top, instances) == []


@given(iid=ids)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_batch_writes_nothing_outside_out_whatever_the_instance_id(iid: str) -> None:
    with scratch() as (top, root):
        instances = _instances(top, iid)
        code, output = _run(top, "batch", str(instances), "--out", str(root))
        assert code == 1 or _refused(code, output, f"{instances}:1: invalid instance"), output
        assert _outside(top, root, top / "home", instances) == []
        if code == 1:  # the instance ran (its repository is gone): its error log is its own folder's
            assert (root / iid.replace(TOP, str(top)) / "error.log").is_file()


@given(iid=ids, model=ids)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_evaluate_writes_nothing_outside_report_dir_whatever_the_ids(iid: str, model: str) -> None:
    with scratch() as (top, root):
        instances = _instances(top, "o__r-1")
        iid, model = iid.replace(TOP, str(top)), model.replace(TOP, str(top))
        instances.write_text(json.dumps({"instance_id": iid, "repo": (top / "gone").as_uri()}) + "\n")
        predictions = top / "p.jsonl"
        predictions.write_text(
            json.dumps({"instance_id": iid, "model_name_or_path": model, "model_patch": PATCH}) + "\n"
        )
        code, output = _run(
            top, "evaluate", str(predictions), "--instances", str(instances), "--run-id", "x", "--report-dir", str(root)
        )
        assert code == 1 or _refused(code, output, str(top)), output
        assert _outside(top, root, top / "home", instances, predictions) == []
        if code == 1:  # the instance ran (its repository is gone): its log is its own folder's
            assert (root / "logs" / "run_evaluation" / "x" / model_dir(model) / iid / "run_instance.log").is_file()


@pytest.mark.parametrize("commit", ["--upload-pack=touch PWNED", "-h", "abc def", "a\nb"])
def test_a_commit_that_git_would_read_as_an_option_is_refused(commit: str) -> None:
    """``"base_commit": "--upload-pack=CMD"`` reached ``git fetch origin <commit>``, which ran CMD
    on the host for a file:// repository: a commit from an input file is never an option."""
    with scratch() as (top, root):
        src = top / "src"
        subprocess.run(["git", "init", "-q", str(src)], check=True)
        subprocess.run(
            [
                "git",
                "-C",
                str(src),
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                "x",
            ],
            check=True,
        )
        instances = top / "i.jsonl"
        for field in ("base_commit", "environment_setup_commit"):
            bad = commit.replace("PWNED", str(top / "PWNED"))
            instances.write_text(
                json.dumps({"instance_id": "o__r-1", "repo": src.as_uri(), "base_commit": "abc", field: bad}) + "\n"
            )
            code, output = _run(top, "batch", str(instances), "--out", str(root))
            assert _refused(code, output, f"{instances}:1: invalid instance: {field}: "), output
        assert not (top / "PWNED").exists() and not root.exists()
