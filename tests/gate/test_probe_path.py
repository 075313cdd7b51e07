"""A probe run reads one file of the project in the sandbox (``RunTests.probe``): a path that
leaves the workspace is refused as any read outside it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.gate import Gate, GateContext, GatePolicy
from rfsn.models import Phase, Probe, RunTests


@pytest.mark.parametrize("path", ["../outside/m.py", "/etc/passwd"])
def test_a_probe_of_a_file_outside_the_workspace_is_refused(tmp_path: Path, path: str) -> None:
    gate, context = Gate(GatePolicy()), GateContext(workspace=tmp_path, phase=Phase.VERIFY, buildpack="python")
    refused = gate.check(
        RunTests(phase=Phase.VERIFY, tests=("tests/test_m.py::test_a",), probe=Probe(path=path, function="f")), context
    )
    assert not refused.accepted and refused.rule == "path_escape", refused
    (tmp_path / "m.py").write_text("def f():\n    return 1\n")
    inside = RunTests(phase=Phase.VERIFY, tests=("tests/test_m.py::test_a",), probe=Probe(path="m.py", function="f"))
    assert gate.check(inside, context).accepted
