"""A base whose tests change from run to run is flaky, not broken and not sound: the environment
check runs it once more and says so (real git, real pytest runs in the local sandbox, whose
tests can count their runs in a file outside the tree)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rfsn.batch.harness.envcheck import changed
from rfsn.models import TestReport
from rfsn.models import TestStatus as S
from rfsn.models.swebench import Instance
from tests.batch.test_evaluate_clean_docker import _diff, _git, _write
from tests.batch.test_evaluate_docker import validate

#: each run of the test module counts itself in RUNS; {p} and {q} say on which runs test_p and
#: test_q fail
TESTS = """\
import pathlib

from calc import value

RUNS = pathlib.Path({runs!r})
RUN = int(RUNS.read_text()) + 1 if RUNS.exists() else 1
RUNS.write_text(str(RUN))


def test_f():
    assert value() == 2


def test_p():
    assert not ({p}), f"run {{RUN}}"


def test_q():
    assert not ({q}), f"run {{RUN}}"
"""


def _instance(root: Path, p: str, q: str) -> dict[str, object]:
    repo = root / "repos" / "calc"
    repo.mkdir(parents=True)
    _git(root, "init", "-q", str(repo))
    (repo / "calc.py").write_text("def value():\n    return 1\n")
    tests = TESTS.format(runs=str(root / "runs"), p=p, q=q)
    # the tests are there at base (a PASS_TO_PASS test the test patch adds is never run there)
    (repo / "tests").mkdir()
    (repo / "tests/test_calc.py").write_text(tests)
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    return {
        "instance_id": "local__calc-1",
        "repo": "local/calc",
        "base_commit": _git(repo, "rev-parse", "HEAD"),
        "patch": _diff(repo, "calc.py", "def value():\n    return 2\n"),
        "test_patch": _diff(repo, "tests/test_calc.py", tests + "# the fix's tests\n"),
        "FAIL_TO_PASS": ["tests/test_calc.py::test_f"],
        "PASS_TO_PASS": ["tests/test_calc.py::test_p", "tests/test_calc.py::test_q"],
        "version": "1.0",
    }


def _evaluate(root: Path, p: str, q: str = "False") -> tuple[dict[str, Any], str]:
    summary = validate(_write(root, _instance(root, p, q)), "flaky", root / "out", root / "repos", "--sandbox", "local")
    log = (root / "out/logs/run_evaluation/flaky/gold/local__calc-1/run_instance.log").read_text()
    return summary, log


def test_a_base_that_fails_once_and_then_passes_is_graded_with_a_caveat(tmp_path: Path) -> None:
    summary, log = _evaluate(tmp_path, "RUN == 1")
    assert (tmp_path / "runs").read_text() == "3", log  # the check, its second run, the graded run
    assert summary["resolved_ids"] == ["local__calc-1"], summary
    caveat = summary["rfsn"]["caveats"]["local__calc-1"]
    assert "change from run to run" in caveat and "tests/test_calc.py::test_p, failed then passed" in caveat


def test_a_base_whose_failures_change_between_runs_is_flaky(tmp_path: Path) -> None:
    summary, log = _evaluate(tmp_path, "RUN == 1", "RUN == 2")
    assert (tmp_path / "runs").read_text() == "2", log
    assert summary["rfsn"]["error_kinds"] == {"local__calc-1": "flaky"}, summary
    assert summary["unresolved_ids"] == [], summary
    assert "2 of the instance's tests change from run to run" in log and "the first run: 1 PASS_TO_PASS" in log


def test_a_base_that_fails_the_same_way_twice_is_a_broken_environment(tmp_path: Path) -> None:
    summary, log = _evaluate(tmp_path, "True")
    assert (tmp_path / "runs").read_text() == "2", log
    assert summary["rfsn"]["error_kinds"] == {"local__calc-1": "env"}, summary
    assert "runs once more" in log and "change from run to run" not in log


def test_two_runs_that_agree_say_nothing_and_the_first_change_is_named() -> None:
    inst = Instance(
        instance_id="o__r-1",
        repo="o/r",
        base_commit="abc",
        patch="",
        test_patch="",
        FAIL_TO_PASS=["t.py::f"],
        PASS_TO_PASS=["t.py::p", "t.py::q"],
    )

    def report(**tests: S) -> TestReport:
        return TestReport(tests={f"t.py::{k}": v for k, v in tests.items()}, exit_code=1)

    assert changed(inst, report(f=S.FAILED, p=S.PASSED), report(f=S.FAILED, p=S.PASSED)) == ""
    said = changed(inst, report(f=S.FAILED, p=S.FAILED, q=S.PASSED), report(f=S.FAILED, p=S.PASSED))
    assert said.startswith("2 of the instance's tests change") and "t.py::p, failed then passed" in said
    assert "not collected" in changed(inst, report(f=S.FAILED), report(f=S.FAILED, p=S.PASSED))


def test_validate_calls_gold_that_resolves_on_a_second_evaluation_flaky(tmp_path: Path) -> None:
    """The check passes (run 1), the graded run fails test_p (run 2): gold unresolved. Gold is
    evaluated once more (run 3) and resolves: the verdict changes from run to run."""
    from click.testing import CliRunner

    from rfsn.cli import main

    instances = _write(tmp_path, _instance(tmp_path, "RUN == 2", "False"))
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
    assert result.exit_code == 1, result.output
    assert (tmp_path / "runs").read_text() == "3"
    [row] = json.loads((tmp_path / "out" / "validation.v.json").read_text())
    assert row["label"] == "flaky" and not row["valid"] and "one of two evaluations" in row["message"], row
