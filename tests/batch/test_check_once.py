"""``rfsn evaluate`` runs a prediction's tests once, as the harness does, when they resolve the
instance: the environment check (base + test_patch) runs only for a verdict it could change;
``rfsn validate`` always runs it first (real git, real pytest in the local sandbox; the test
module counts its runs in a file outside the tree)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from rfsn.cli import main
from tests.batch.test_evaluate_clean_docker import _diff, _write
from tests.batch.test_evaluate_docker import evaluate
from tests.batch.test_flaky_baseline import _instance


def _log(root: Path, run: str, model: str) -> str:
    return (root / f"out/logs/run_evaluation/{run}/{model}/local__calc-1/run_instance.log").read_text()


def test_astropy_13453_a_resolving_prediction_with_no_cached_check_runs_its_tests_once(tmp_path: Path) -> None:
    summary = evaluate(
        _write(tmp_path, _instance(tmp_path, "False", "False")),
        "gold",
        "once",
        tmp_path / "out",
        tmp_path / "repos",
        "--sandbox",
        "local",
    )
    assert summary["resolved_ids"] == ["local__calc-1"], summary
    assert (tmp_path / "runs").read_text() == "1", _log(tmp_path, "once", "gold")


def test_a_prediction_that_does_not_resolve_is_graded_after_the_check(tmp_path: Path) -> None:
    instance = _instance(tmp_path, "False", "False")
    wrong = _diff(tmp_path / "repos" / "calc", "calc.py", "def value():\n    return 3\n")
    predictions = tmp_path / "preds.jsonl"
    predictions.write_text(
        json.dumps({"instance_id": "local__calc-1", "model_name_or_path": "m", "model_patch": wrong}) + "\n"
    )
    summary = evaluate(
        _write(tmp_path, instance),
        str(predictions),
        "wrong",
        tmp_path / "out",
        tmp_path / "repos",
        "--sandbox",
        "local",
    )
    assert summary["unresolved_ids"] == ["local__calc-1"], summary
    assert (tmp_path / "runs").read_text() == "2"  # the graded run, then the check
    assert "checking the environment" in _log(tmp_path, "wrong", "m")


def test_a_broken_environment_is_named_even_when_the_check_comes_second(tmp_path: Path) -> None:
    """test_p fails on every run: the prediction does not resolve, and the check blames the env."""
    summary = evaluate(
        _write(tmp_path, _instance(tmp_path, "True", "False")),
        "gold",
        "env",
        tmp_path / "out",
        tmp_path / "repos",
        "--sandbox",
        "local",
    )
    assert summary["rfsn"]["error_kinds"] == {"local__calc-1": "env"}, summary
    assert (tmp_path / "runs").read_text() == "3"  # graded, the check, its second run


def test_validate_checks_the_base_before_gold_that_resolves(tmp_path: Path) -> None:
    instances = _write(tmp_path, _instance(tmp_path, "False", "False"))
    result = CliRunner().invoke(
        main,
        [
            "validate",
            str(instances),
            "--run-id",
            "v",
            "--report-dir",
            str(tmp_path / "out"),
            "--repos-dir",
            str(tmp_path / "repos"),
            "--sandbox",
            "local",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "runs").read_text() == "2"
    [row] = json.loads((tmp_path / "out" / "validation.v.json").read_text())
    assert row["valid"] and row["empty_resolves"] is False, row
