"""Evaluation on repositories built here: every graded run starts clean, and no broken run is
ever graded on the word of a cached environment check (real Docker, real git)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from rfsn.batch.harness.envcheck import cache_path, store
from tests.batch.test_evaluate_docker import evaluate, validate

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("docker_client", "no_leaked_sandboxes")]

#: test_p keeps state under /tmp and in an ignored folder of the tree, as a documentation
#: project's build directory does: a state the unpatched check wrote fails the patched run
TESTS = """\
import pathlib

from calc import value


def test_f():
    assert value() == 2


def test_p():
    for stamp in (pathlib.Path("/tmp/rfsn-stamp"), pathlib.Path(__file__).parent / "_build" / "stamp"):
        if stamp.exists():
            assert stamp.read_text() == str(value()), "state of an earlier run"
        stamp.parent.mkdir(exist_ok=True)
        stamp.write_text(str(value()))
"""


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _diff(repo: Path, path: str, text: str) -> str:
    """The patch that writes ``text`` into ``path``, the tree left as it was."""
    target = repo / path
    before = target.read_text() if target.exists() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    _git(repo, "add", "-N", path)
    diff = _git(repo, "diff", "--", path) + "\n"
    if before is None:
        _git(repo, "rm", "-q", "--cached", path)
        target.unlink()
    else:
        target.write_text(before)
    return diff


def _instance(
    root: Path, conftest: str = "", base: str = "def value():\n    return 1\n", tests: str = TESTS
) -> dict[str, Any]:
    """The instance of a repository ``calc`` whose ``value()`` is ``base`` and returns 2 once fixed,
    its test patch ``tests`` (test_f: FAIL_TO_PASS, test_p: PASS_TO_PASS)."""
    repo = root / "repos" / "calc"
    repo.mkdir(parents=True)
    _git(root, "init", "-q", str(repo))
    (repo / "calc.py").write_text(base)
    (repo / ".gitignore").write_text("_build/\n")
    if conftest:
        (repo / "conftest.py").write_text(conftest)
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    return {
        "instance_id": "local__calc-1",
        "repo": "local/calc",
        "base_commit": _git(repo, "rev-parse", "HEAD"),
        "patch": _diff(repo, "calc.py", "def value():\n    return 2\n"),
        "test_patch": _diff(repo, "tests/test_calc.py", tests),
        "FAIL_TO_PASS": ["tests/test_calc.py::test_f"],
        "PASS_TO_PASS": ["tests/test_calc.py::test_p"],
        "version": "1.0",
    }


def _write(root: Path, instance: dict[str, Any]) -> Path:
    path = root / "instances.jsonl"
    path.write_text(json.dumps(instance) + "\n")
    return path


def test_nothing_the_environment_check_wrote_is_seen_by_the_graded_run(tmp_path: Path) -> None:
    """The check runs the unpatched tests, which leave state in /tmp and in an ignored folder
    of the tree; the harness grades in a fresh container, and so must rfsn: gold resolves
    (``rfsn validate``: the check runs before the graded run)."""
    summary = validate(_write(tmp_path, _instance(tmp_path)), "clean", tmp_path / "out", tmp_path / "repos")
    assert summary["resolved_ids"] == ["local__calc-1"], summary
    assert (
        "environment validation: ok"
        in (tmp_path / "out/logs/run_evaluation/clean/gold/local__calc-1/run_instance.log").read_text()
    )


def test_a_broken_graded_run_with_a_cached_check_is_an_env_error(tmp_path: Path, rfsn_home: Path) -> None:
    """An earlier evaluation validated this environment; now the tests cannot even start (a
    conftest imports a module the env lacks: pytest's usage error). That is the environment's
    failure, found by checking again, never 'unresolved'."""
    from rfsn.batch.harness.specenv import instance_buildpack
    from rfsn.models.swebench import Instance
    from rfsn.settings import load_settings

    instance = _instance(tmp_path, conftest="import module_the_env_lacks\n")
    settings = load_settings()
    repo = tmp_path / "repos" / "calc"
    model = Instance.model_validate(instance)
    store(cache_path(settings.home, model, instance_buildpack(model, repo, settings), repo))
    summary = evaluate(_write(tmp_path, instance), "gold", "cached", tmp_path / "out", tmp_path / "repos")
    assert summary["error_ids"] == ["local__calc-1"] and summary["unresolved_ids"] == [], summary
    assert summary["rfsn"]["error_kinds"] == {"local__calc-1": "env"}
    log = (tmp_path / "out/logs/run_evaluation/cached/gold/local__calc-1/run_instance.log").read_text()
    assert "checking it again" in log and "usage error" in log


def test_a_patch_that_breaks_the_test_run_is_graded_as_the_harness_grades_it(tmp_path: Path) -> None:
    """The check passed in this very evaluation, so a run the patch broke is the patch's: the
    harness says unresolved, and so does rfsn (no env error)."""
    instance = _instance(tmp_path)
    repo = tmp_path / "repos" / "calc"
    broken = {**instance, "patch": _diff(repo, "conftest.py", "import module_the_env_lacks\n")}
    predictions = tmp_path / "preds.jsonl"
    predictions.write_text(
        json.dumps({"instance_id": "local__calc-1", "model_name_or_path": "m", "model_patch": broken["patch"]}) + "\n"
    )
    summary = evaluate(_write(tmp_path, instance), str(predictions), "bad", tmp_path / "out", tmp_path / "repos")
    assert summary["unresolved_ids"] == ["local__calc-1"] and summary["error_ids"] == [], summary
