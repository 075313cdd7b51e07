"""benchmarks/leader_agree.py: rfsn's recorded verdicts beside published harness reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rfsn.batch.outcome import ErrorKind, Outcome, Status
from rfsn.batch.predictions import RunStore
from tests.paths import ROOT


def _report(root: Path, iid: str, resolved: bool, f2p: dict[str, list[str]], wrapped: bool) -> None:
    body = {
        "resolved": resolved,
        "tests_status": {"FAIL_TO_PASS": f2p, "PASS_TO_PASS": {"success": ["t::p"], "failure": []}},
    }
    (root / iid).mkdir(parents=True)
    (root / iid / "report.json").write_text(json.dumps({iid: body} if wrapped else body))


def test_the_table_counts_recorded_outcomes_and_names_the_tests_graded_differently(tmp_path: Path) -> None:
    published, ours = tmp_path / "published", tmp_path / "rfsn"
    _report(published, "a-1", True, {"success": ["t::f"], "failure": []}, wrapped=False)
    _report(published, "a-2", True, {"success": ["t::g"], "failure": []}, wrapped=True)
    _report(published, "a-3", False, {"success": [], "failure": ["t::h"]}, wrapped=False)
    _report(published, "a-4", True, {"success": ["t::k"], "failure": []}, wrapped=False)
    _report(published, "a-5", True, {"success": ["t::m"], "failure": []}, wrapped=False)
    _report(ours, "a-1", True, {"success": ["t::f"], "failure": []}, wrapped=True)
    _report(ours, "a-2", False, {"success": [], "failure": ["t::g"]}, wrapped=True)
    store = RunStore(ours, predictions=False)
    store.record(Outcome(instance_id="a-1", status=Status.RESOLVED))
    store.record(Outcome(instance_id="a-2", status=Status.UNRESOLVED))
    store.record(Outcome(instance_id="a-3", status=Status.EMPTY_PATCH))
    store.record(Outcome(instance_id="a-5", status=Status.ERROR, error_kind=ErrorKind.ENV, message="needs the network"))
    # a-4: published, still running here (no outcome recorded): not compared

    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "leader_agree.py"), str(published), str(ours)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert "| a-1 | resolved | resolved | yes |  |" in out
    assert "| a-2 | resolved | unresolved | **no** | `t::g` pass -> fail |" in out
    assert "| a-3 | unresolved | unresolved | yes |  |" in out
    assert "a-4" not in out
    assert "| a-5 | resolved | error (env) | not graded | needs the network |" in out
    assert "| a | 3 | 2 | 1 | 1 |" in out  # per repository: evaluated, agree, disagree, not graded
    assert out.rstrip().endswith(
        "agree: 2 / 3 compared (every test's status the same in 1); 1 not graded by rfsn (error)"
    )
