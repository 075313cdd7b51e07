"""The bugs layer's rfsn commands (issue 71): the argument lists its three drivers run, one place."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tests.paths import ROOT


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bugs_commands", ROOT / "benchmarks" / "fixes" / "bugs" / "commands.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bugs_commands"] = module
    spec.loader.exec_module(module)
    return module


commands = _load()
TAIL = ["--instance-ids", "o__n-1", "--repos-dir", "/r", "--workers", "1"]


def test_validate_names_one_instance_its_report_and_its_time_limit() -> None:
    argv = commands.validate(Path("/c.jsonl"), "bugs", Path("/out"), "o__n-1", Path("/r"), 900.0)
    assert argv == ["validate", "/c.jsonl", "--run-id", "bugs", "--report-dir", "/out", *TAIL, "--timeout", "900.0"]


def test_evaluate_grades_a_predictions_file_or_gold_on_one_instance() -> None:
    argv = commands.evaluate("gold", Path("/i.json"), "bugs-suite", Path("/out"), "o__n-1", Path("/r"), "900")
    assert argv == [
        "evaluate",
        "gold",
        "--instances",
        "/i.json",
        "--run-id",
        "bugs-suite",
        "--report-dir",
        "/out",
        *TAIL,
        "--timeout",
        "900",
    ]


def test_batch_repairs_one_instance_with_its_tests_named() -> None:
    argv = commands.batch(Path("/c.jsonl"), Path("/out/batch"), "o__n-1", Path("/r"), 600.0)
    assert argv == ["batch", "/c.jsonl", "--out", "/out/batch", "--oracle-tests", *TAIL, "--timeout", "600.0"]
    rfsn = commands.RFSN
    assert rfsn == [sys.executable, "-m", "rfsn"]
