"""Widening what the whole suite collects (``RunTests.collect``) is the baseline's: only in
reproduce, and only with files the gate would let a test run name."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.gate import Gate, GateContext, GatePolicy
from rfsn.models import Phase, RunTests


def context(tmp_path: Path, phase: Phase) -> GateContext:
    return GateContext(workspace=tmp_path, phase=phase, buildpack="python")


@pytest.mark.parametrize("phase", [Phase.LOCALIZE, Phase.PATCH, Phase.VERIFY])
def test_a_run_that_widens_collection_outside_reproduce_is_refused(tmp_path: Path, phase: Phase) -> None:
    gate = Gate(GatePolicy())
    for collect in ((), ("tests/tests_calc.py",)):
        refused = gate.check(RunTests(phase=phase, collect=collect), context(tmp_path, phase))
        assert not refused.accepted and refused.rule == "phase_violation", refused
    assert gate.check(RunTests(phase=phase), context(tmp_path, phase)).accepted


@pytest.mark.parametrize(
    ("files", "rule"),
    [
        (("--rootdir=/",), "shell_injection"),
        (("tests/t.py;touch PWNED",), "shell_injection"),
        (("../outside/test_x.py",), "path_escape"),
    ],
)
def test_files_to_collect_are_held_to_what_a_test_run_may_name(
    tmp_path: Path, files: tuple[str, ...], rule: str
) -> None:
    gate = Gate(GatePolicy())
    refused = gate.check(
        RunTests(phase=Phase.REPRODUCE, tests=("tests/tests_calc.py",), collect=files),
        context(tmp_path, Phase.REPRODUCE),
    )
    assert not refused.accepted and refused.rule == rule, refused
    named = RunTests(phase=Phase.REPRODUCE, tests=("tests/tests_calc.py",), collect=("tests/tests_calc.py",))
    assert gate.check(named, context(tmp_path, Phase.REPRODUCE)).accepted
    assert gate.check(RunTests(phase=Phase.REPRODUCE, collect=()), context(tmp_path, Phase.REPRODUCE)).accepted
