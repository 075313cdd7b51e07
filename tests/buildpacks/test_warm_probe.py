"""A probe run (verify's) forked by the plain pytest server: the plugin's directory first on the
child's path, its environment set, the ``TMPDIR`` of its own a cold run gets; it records what a
cold probe run records, and costs a fork instead of a cold start (about 0.17 CPU-s against 0.45
in the quickstart's container)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.pycoverage import importable, unwrapped
from rfsn.buildpacks.python.warm.client import WarmPytest
from rfsn.controller.executor import Executor
from rfsn.gate import Gate, GateContext
from rfsn.models import Phase, Probe, RunTests
from rfsn.runner import Measure, run_tests
from rfsn.sandbox.local import LocalSandbox
from rfsn.workspace import prepare
from tests.sandbox.projects import make_project

WHERE = 'import os\n\n\ndef where(folder):\n    return os.path.join(folder, "out.txt")\n'
#: the probed function's return and argument are paths under the test's tmp_path
WHERE_TESTS = (
    "from pkg.where import where\n\n\n"
    "def test_where(tmp_path):\n"
    '    assert where(str(tmp_path)).endswith("out.txt")\n\n\n'
    "def test_here():\n"
    '    assert where(".") == "./out.txt"\n'
)
FILES = {"pkg/__init__.py": "", "pkg/where.py": WHERE, "tests/test_where.py": WHERE_TESTS}
TESTS = ["tests/test_where.py::test_where", "tests/test_where.py::test_here"]
PROBE = Probe(path="pkg/where.py", function="where", returns=())


@pytest.fixture
def local_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local sandbox's ``python`` is this interpreter (it has pytest)."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


def test_what_importable_starts_is_taken_apart_into_its_directory_words_and_program() -> None:
    argv = [*importable("/r d"), "A=1", "B=x=y", "python", "-m", "pytest", "-p", "m", "t.py::t"]
    assert unwrapped(argv) == ("/r d", {"A": "1", "B": "x=y"}, ["python", "-m", "pytest", "-p", "m", "t.py::t"])
    assert unwrapped(["python", "-m", "pytest", "t.py::t"]) is None
    assert unwrapped(["sh", "-c", "PYTHONPATH=/x exec env", "sh", "python"]) is None


def test_verify_probe_runs_are_forked_by_the_plain_server_and_record_what_a_cold_run_records(
    tmp_path: Path, local_python: None
) -> None:
    """The executor hands a probe run to the warm runner (a screening run before it started it),
    which forks it from the plain server. Twice forked, once cold: the same statuses, returns and
    traces, paths under ``tmp_path`` included (each run starts from an empty ``TMPDIR`` of its own,
    so pytest numbers its folder alike)."""
    workspace = prepare(str(make_project(tmp_path / "repo", FILES)), tmp_path / "ws")
    box, pack = LocalSandbox(workspace.path, None, {}, "2g"), PythonBuildpack()
    executor, gate = Executor(box, pack, workspace, 60), Gate()
    probing = RunTests(phase=Phase.VERIFY, tests=tuple(TESTS), probe=PROBE)
    try:
        forked = []
        for proposal in (RunTests(phase=Phase.PATCH, tests=tuple(TESTS)), probing, probing):
            context = GateContext(workspace=workspace.path, phase=proposal.phase, buildpack="python")
            decision, approved = gate.approve(proposal, context)
            assert approved is not None, decision
            forked.append(executor.run(approved).report)
        warm = executor._warm
        assert isinstance(warm, WarmPytest) and (warm.swapped, warm.measured) == (1, 2)
        cold = run_tests(box, pack, TESTS, timeout=60, measure=Measure(probe=PROBE))
    finally:
        box.close()
    assert cold.passing == sorted(TESTS) and cold.probed is not None and cold.probed.error == "", cold.log
    assert len(cold.probed.traced[TESTS[0]]) == 1 and cold.probed.returns[TESTS[0]] == [("builtins.str", False)]
    assert [run.passing if run else None for run in forked[1:]] == [cold.passing] * 2
    assert [run.probed if run else None for run in forked[1:]] == [cold.probed] * 2
