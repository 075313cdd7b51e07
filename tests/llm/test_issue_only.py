"""Issue-only repair (the SWE-bench setting): a problem statement and no failing test. The model
writes a new failing test first, then the fix; the test is evidence, never part of the patch.
Real SDK clients against the scripted loopback server, real Docker sandboxes, a devset bug."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.hostgit import git
from rfsn.llm.fake_server import FakeServer, Scripted
from rfsn.models import SessionStatus
from rfsn.settings import load_settings
from rfsn.workspace import prepare
from tests.conftest import DEVSET, with_test_patch

KEY = "sk-test-issue-only-0123456789"
NAME = "csvreport"
REPRODUCTION = """I will reproduce it with a new test.

tests/test_grouped_numbers.py
```python
from csvreport import infer_type, read_csv


def test_grouped_integers_are_ints():
    assert infer_type(["1,234", "56"]) == "int"


def test_grouped_column_is_converted():
    assert read_csv('qty\\n"1,200"\\n35\\n').column("qty") == [1200, 35]
```
"""
PASSES_AT_BASE = """tests/test_plain_numbers.py
```python
from csvreport import infer_type


def test_plain_integers():
    assert infer_type(["56"]) == "int"
```
"""
PASSES_AGAIN = PASSES_AT_BASE.replace("test_plain_numbers.py", "test_small_numbers.py")


def _workspace(devset_repos: Path, tmp_path: Path) -> Any:
    shutil.copytree(devset_repos / NAME, tmp_path / "src", symlinks=True)
    return prepare(str(tmp_path / "src"), tmp_path / "repo")


def _repair(workspace: Any, server: FakeServer, problem: str, out: Path) -> Any:
    options = RepairOptions(
        planner="openai",
        model="m",
        base_url=server.base_url("openai"),
        problem=problem,
        out_dir=out,
        sandbox="docker",
        session_id="s",
    )
    settings = load_settings(openai_api_key=KEY, sandbox="docker", home=out.parent / "home")
    return repair_workspace(workspace, options, settings)


@pytest.mark.docker
@pytest.mark.slow
def test_the_model_reproduces_the_issue_then_fixes_it_and_the_test_stays_out_of_the_patch(
    tmp_path: Path, devset_instances: dict[str, Any], devset_repos: Path, docker_client: object
) -> None:
    instance = devset_instances[NAME]
    workspace = _workspace(devset_repos, tmp_path)
    fix = f"Strip the separators before matching.\n\n```diff\n{instance['patch']}```\n"
    with FakeServer([Scripted(text=REPRODUCTION), Scripted(text=fix)]) as server:
        result = _repair(workspace, server, instance["problem_statement"], tmp_path / "out")
    assert result.status is SessionStatus.FIXED, result.message
    # the first request asked for a reproduction, with the problem statement in it
    first = server.requests[0]["messages"]
    assert "NEW test file" in first[0]["content"]
    assert "column is not numeric" in first[1]["content"]
    # the reproduction's failing tests were the targets, and pass with the fix
    assert result.failing_before == [
        "tests/test_grouped_numbers.py::test_grouped_column_is_converted",
        "tests/test_grouped_numbers.py::test_grouped_integers_are_ints",
    ]
    assert result.failing_after == []
    # the patch is the source fix only; the test file is gone from the workspace
    assert "csvreport/reader.py" in result.patch and "_GROUPED_RE" in result.patch
    assert "test_grouped_numbers" not in result.patch
    assert (tmp_path / "out" / "s" / "patch.diff").read_text() == result.patch
    assert not (workspace.path / "tests" / "test_grouped_numbers.py").exists()
    status = git(workspace.path, "status", "--porcelain").stdout.split("\n")
    assert [line for line in status if line.strip()] == [" M csvreport/reader.py"]
    # the trajectory shows the gated reproduction step
    trajectory = (tmp_path / "out" / "s" / "trajectory.jsonl").read_text().splitlines()
    steps = [json.loads(line) for line in trajectory]
    repro = [s for s in steps if s["phase"] == "reproduce" and s["proposal"]["intent"] == "edit"]
    assert len(repro) == 1 and repro[0]["decision"]["accepted"]
    assert result.llm_calls == len(server.requests)
    # the record answers every request of a second session, with the server gone
    again = prepare(str(tmp_path / "src"), tmp_path / "again")
    options = RepairOptions(
        planner="openai",
        model="m",
        problem=instance["problem_statement"],
        out_dir=tmp_path / "replay",
        sandbox="docker",
        session_id="r",
        replay=tmp_path / "out" / "s",
    )
    replayed = repair_workspace(again, options, load_settings(sandbox="docker"))
    assert replayed.status is SessionStatus.FIXED and replayed.patch == result.patch


@pytest.mark.docker
@pytest.mark.slow
def test_a_reproduction_that_passes_at_base_goes_back_once_then_the_session_is_not_reproduced(
    tmp_path: Path, devset_instances: dict[str, Any], devset_repos: Path, docker_client: object
) -> None:
    workspace = _workspace(devset_repos, tmp_path)
    with FakeServer([Scripted(text=PASSES_AT_BASE), Scripted(text=PASSES_AGAIN)]) as server:
        result = _repair(workspace, server, devset_instances[NAME]["problem_statement"], tmp_path / "out")
    assert result.status is SessionStatus.NOT_REPRODUCED
    assert "pass before any fix" in result.message
    assert len(server.requests) == 2 and result.llm_calls == 2  # one feedback round, counted
    feedback = server.requests[1]["messages"][-1]["content"]
    assert "pass before any fix" in feedback and "## Test output" in feedback
    assert result.patch == "" and result.candidates_tried == 0
    assert git(workspace.path, "status", "--porcelain").stdout.strip() == ""


def _batch(*args: str, key: str | None, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env |= {"RFSN_HOME": str(home)} | ({"OPENAI_API_KEY": key} if key else {})
    return subprocess.run(
        [sys.executable, "-m", "rfsn", "batch", *args], capture_output=True, text=True, env=env, timeout=900
    )


def test_a_model_batch_without_a_key_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = _batch(
        str(DEVSET / "instances.jsonl"),
        "--out",
        str(tmp_path / "run"),
        "--planner",
        "openai",
        "--model",
        "m",
        key=None,
        home=tmp_path / "home",
    )
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        "rfsn: error: the openai planner needs an API key: set OPENAI_API_KEY"
    ]
    assert not (tmp_path / "run").exists()


@pytest.mark.docker
@pytest.mark.slow
def test_an_issue_only_batch_predicts_the_models_fix(
    tmp_path: Path, devset_instances: dict[str, Any], devset_repos: Path, docker_client: object
) -> None:
    instance = devset_instances[NAME]
    fix = f"```diff\n{instance['patch']}```\n"
    out = tmp_path / "run"
    with FakeServer([Scripted(text=REPRODUCTION), Scripted(text=fix)]) as server:
        proc = _batch(
            str(DEVSET / "instances.jsonl"),
            "--out",
            str(out),
            "--repos-dir",
            str(devset_repos),
            "--planner",
            "openai",
            "--model",
            "m",
            "--base-url",
            server.base_url("openai"),
            "--instance-ids",
            instance["instance_id"],
            "--model-name",
            "scripted/m",
            "--timeout",
            "600",
            key=KEY,
            home=tmp_path / "home",
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (prediction,) = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert prediction["instance_id"] == instance["instance_id"]
    assert prediction["model_name_or_path"] == "scripted/m"
    patch = prediction["model_patch"]
    assert "csvreport/reader.py" in patch and "_GROUPED_RE" in patch and "tests/" not in patch
    # issue-only: the problem statement reached the model, the test_patch and FAIL_TO_PASS did not
    assert "column is not numeric" in server.requests[0]["messages"][1]["content"]
    (result_file,) = (out / instance["instance_id"]).glob("*/result.json")
    result = json.loads(result_file.read_text())
    assert result["status"] == "fixed"
    assert result["failing_before"] == [
        "tests/test_grouped_numbers.py::test_grouped_column_is_converted",
        "tests/test_grouped_numbers.py::test_grouped_integers_are_ints",
    ]
    assert not set(result["failing_before"]) & set(instance["FAIL_TO_PASS"])
    assert result["llm_calls"] == len(server.requests)


@pytest.mark.docker
@pytest.mark.slow
def test_apply_writes_only_the_fix_to_the_target(
    tmp_path: Path, devset_instances: dict[str, Any], devset_repos: Path, docker_client: object
) -> None:
    instance = devset_instances[NAME]
    target = tmp_path / "src"
    shutil.copytree(devset_repos / NAME, target, symlinks=True)
    (tmp_path / "issue.md").write_text(instance["problem_statement"])
    fix = f"```diff\n{instance['patch']}```\n"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")} | {"ANTHROPIC_API_KEY": KEY}
    with FakeServer([Scripted(text=REPRODUCTION), Scripted(text=fix)]) as server:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "rfsn",
                "repair",
                str(target),
                "--planner",
                "anthropic",
                "--model",
                "m",
                "--base-url",
                server.base_url("anthropic"),
                "--problem-file",
                str(tmp_path / "issue.md"),
                "--sandbox",
                "docker",
                "--out",
                str(tmp_path / "out"),
                "--apply",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "applied the patch" in proc.stdout
    status = git(target, "status", "--porcelain").stdout.split("\n")
    assert [line for line in status if line.strip()] == [" M csvreport/reader.py"]
    assert "_GROUPED_RE" in (target / "csvreport" / "reader.py").read_text()


@pytest.mark.docker
@pytest.mark.slow
def test_a_candidate_that_fails_screening_is_answered_with_its_test_output_and_fixed(
    tmp_path: Path, devset_instances: dict[str, Any], devset_repos: Path, docker_client: object
) -> None:
    """The verify round, end to end: the first edit fails the target tests in the sandbox, its
    output goes back to the model, and the second answer fixes the bug."""
    instance = devset_instances[NAME]
    repo = with_test_patch(devset_repos, instance, tmp_path / "src")
    workspace = prepare(str(repo), tmp_path / "repo")
    wrong = (
        "csvreport/reader.py\n<<<<<<< SEARCH\n        text = raw.strip()\n=======\n"
        '        text = raw.strip(" ")\n>>>>>>> REPLACE\n'
    )
    fix = f"```diff\n{instance['patch']}```\n"
    with FakeServer([Scripted(text=wrong), Scripted(text=fix)]) as server:
        result = _repair(workspace, server, "", tmp_path / "out")
    assert result.status is SessionStatus.FIXED, result.message
    assert "_GROUPED_RE" in result.patch and 'strip(" ")' not in result.patch
    verify_round = server.requests[1]["messages"]
    assert 'strip(" ")' in verify_round[-2]["content"]
    assert "did not hold" in verify_round[-1]["content"]
    assert "test_thousands_separators_are_numbers" in verify_round[-1]["content"]
    assert result.llm_calls == len(server.requests)


def _with_a_known_failure(devset_repos: Path, tmp_path: Path) -> Any:
    """The devset project with one more test, unrelated to its bug, failing at baseline."""
    src = tmp_path / "src"
    shutil.copytree(devset_repos / NAME, src, symlinks=True)
    (src / "tests" / "test_unrelated.py").write_text("def test_known_broken():\n    assert 1 == 2\n")
    git(src, "add", "-A")
    git(src, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a known failure")
    return prepare(str(src), tmp_path / "repo")


@pytest.mark.docker
@pytest.mark.slow
def test_with_a_problem_the_reproduction_is_the_target_though_other_tests_fail_at_baseline(
    tmp_path: Path, devset_instances: dict[str, Any], devset_repos: Path, docker_client: object
) -> None:
    """An unrelated test fails before any change: it is pre-existing, not the target; the model
    still reproduces the problem, and the fix of the problem is `fixed`."""
    instance = devset_instances[NAME]
    workspace = _with_a_known_failure(devset_repos, tmp_path)
    fix = f"```diff\n{instance['patch']}```\n"
    with FakeServer([Scripted(text=REPRODUCTION), Scripted(text=fix)]) as server:
        result = _repair(workspace, server, instance["problem_statement"], tmp_path / "out")
    assert result.status is SessionStatus.FIXED, result.message
    assert "NEW test file" in server.requests[0]["messages"][0]["content"]
    assert result.failing_before == [
        "tests/test_grouped_numbers.py::test_grouped_column_is_converted",
        "tests/test_grouped_numbers.py::test_grouped_integers_are_ints",
    ]
    assert "_GROUPED_RE" in result.patch and "tests/" not in result.patch
    # what the prompts showed: the first names the gold file (the map), the patch request
    # shows some line the gold patch removes (the whole function around a suspicious line)
    assert "csvreport/reader.py" in server.requests[0]["messages"][1]["content"]
    removed = [
        line[1:].strip()
        for line in instance["patch"].splitlines()
        if line.startswith("-") and not line.startswith("---") and line[1:].strip()
    ]
    patch_prompt = server.requests[1]["messages"][-1]["content"]
    print("gold lines removed:", len(removed), "shown:", sum(r in patch_prompt for r in removed))
    print("session tokens:", result.tokens, "calls:", result.llm_calls)
    assert any(r in patch_prompt for r in removed)  # measured: 1 of 3 (infer_type; not _convert's)


@pytest.mark.docker
@pytest.mark.slow
def test_with_a_problem_that_is_not_reproduced_old_failures_are_never_taken_as_the_problem(
    tmp_path: Path, devset_instances: dict[str, Any], devset_repos: Path, docker_client: object
) -> None:
    """The reproduction passes at base twice; a test failing before any change is unrelated,
    and the session ends not reproduced instead of repairing that test."""
    workspace = _with_a_known_failure(devset_repos, tmp_path)
    with FakeServer([Scripted(text=PASSES_AT_BASE), Scripted(text=PASSES_AGAIN)]) as server:
        result = _repair(workspace, server, devset_instances[NAME]["problem_statement"], tmp_path / "out")
    assert result.status is SessionStatus.NOT_REPRODUCED, result.message
    assert result.message.startswith("the model's test does not reproduce the problem")
    assert result.candidates_tried == 0 and result.failing_before == []


@pytest.mark.docker
@pytest.mark.slow
def test_a_reproduction_that_copies_a_test_failing_at_baseline_targets_only_the_problem(
    tmp_path: Path, devset_instances: dict[str, Any], devset_repos: Path, docker_client: object
) -> None:
    """The model's file also copies a neighbour that the environment already fails: that copy
    shows an old failure, not the problem; it is not a target, and the fix of the problem is
    `fixed` (before, the copy was a target no fix makes pass)."""
    instance = devset_instances[NAME]
    workspace = _with_a_known_failure(devset_repos, tmp_path)
    with_copy = REPRODUCTION.replace(
        "\n\n\ndef test_grouped_integers_are_ints",
        "\n\n\ndef test_known_broken():\n    assert 1 == 2\n\n\ndef test_grouped_integers_are_ints",
    )
    fix = f"```diff\n{instance['patch']}```\n"
    with FakeServer([Scripted(text=with_copy), Scripted(text=fix)]) as server:
        result = _repair(workspace, server, instance["problem_statement"], tmp_path / "out")
    assert result.status is SessionStatus.FIXED, result.message
    assert result.failing_before == [
        "tests/test_grouped_numbers.py::test_grouped_column_is_converted",
        "tests/test_grouped_numbers.py::test_grouped_integers_are_ints",
    ]
    assert "_GROUPED_RE" in result.patch and "tests/" not in result.patch
