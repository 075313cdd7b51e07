"""Where a session's time goes (benchmarks/session_time.py): steps timed and named from events."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from tests.paths import ROOT


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("session_time", ROOT / "benchmarks" / "session_time.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _event(at: float, event: str, **fields: object) -> dict[str, object]:
    return {"event": event, "timestamp": f"2026-11-30T10:00:{at:06.3f}Z", **fields}


def test_a_sessions_steps_are_timed_by_kind_and_its_budget_starts_at_sandbox_ready(tmp_path: Path) -> None:
    events = [
        _event(0, "session.start"),
        _event(10, "session.sandbox_ready"),
        _event(10, "controller.proposal", phase="reproduce", intent="run_tests", rationale="baseline: which fail"),
        _event(14, "controller.outcome"),
        _event(15, "controller.proposal", phase="patch", intent="edit", rationale="replace `a` with `b`"),
        _event(15.5, "controller.outcome"),
        _event(15.5, "controller.proposal", phase="patch", intent="run_tests", rationale="screen x: failing tests"),
        _event(17.5, "controller.outcome"),
        _event(18, "session.end", status="budget_exhausted"),
    ]
    (tmp_path / "s1").mkdir()
    (tmp_path / "s1" / "events.jsonl").write_text("\n".join(json.dumps(e) for e in events))
    table, budget, candidates, status = _module().session(events)
    assert (budget, candidates, status) == (8.0, 1, "budget_exhausted")
    assert table["environment (outside the budget)"] == [1, 10.0]
    assert table["reproduce: baseline"] == [1, 4.0] and table["screen: failing tests"] == [1, 2.0]
    assert table["patch: edit"] == [1, 0.5] and table["planner between steps"] == [3, 1.0]
    assert "| s1 | 8 | 1 | budget_exhausted |" in _module().report(tmp_path)
