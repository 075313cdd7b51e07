"""The pytest fork server must be indistinguishable from a cold ``python -m pytest``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rfsn.buildpacks import select
from rfsn.buildpacks.warm.client import WarmPytest
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings
from tests.conftest import with_test_patch

# Different layouts: requirements only (not installed), setup.py, src/ layout, unittest classes.
PROJECTS = ["ratelimit", "daterange", "minitpl", "lrucache"]


@pytest.mark.docker
@pytest.mark.parametrize("name", PROJECTS)
def test_warm_runs_report_exactly_what_cold_runs_report(
    name: str, docker_client: Any, devset_repos: Path, devset_instances: dict[str, Any], tmp_path: Path
) -> None:
    """Same statuses for the whole suite and for selected failing tests, warm or cold."""
    repo = with_test_patch(devset_repos, devset_instances[name], tmp_path / name)
    pack = select(repo)
    with open_sandbox(repo, pack, load_settings(), "docker") as box:
        warm = WarmPytest(box)
        assert warm.start()
        cold_all = run_tests(box, pack)
        warm_all = run_tests(box, pack, via=warm)
        assert warm_all.tests == cold_all.tests
        failing = devset_instances[name]["FAIL_TO_PASS"]
        assert run_tests(box, pack, failing, via=warm).tests == run_tests(box, pack, failing).tests


@pytest.mark.docker
def test_warm_run_past_its_timeout_is_killed(docker_client: Any, tmp_path: Path) -> None:
    """A looping test is killed at the timeout and the server keeps serving."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_loop.py").write_text(
        "import time\n\ndef test_loops():\n    while True:\n        time.sleep(0.01)\n\n"
        "def test_ok():\n    assert True\n"
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    pack = select(tmp_path)
    with open_sandbox(tmp_path, pack, load_settings(), "docker") as box:
        warm = WarmPytest(box)
        assert warm.start()
        report = run_tests(box, pack, ["tests/test_loop.py::test_loops"], timeout=2, via=warm)
        assert report.timed_out
        again = run_tests(box, pack, ["tests/test_loop.py::test_ok"], timeout=30, via=warm)
        assert again.passing == ["tests/test_loop.py::test_ok"]
        assert "test_loop" not in box.exec(["ps", "-eo", "args"], timeout=10).output


@pytest.mark.docker
def test_a_preloaded_server_hot_swaps_body_edits_and_hands_back_the_rest(
    docker_client: Any, devset_repos: Path, devset_instances: dict[str, Any], tmp_path: Path
) -> None:
    """Selected tests run in a child of the preloaded project with the edited function swapped
    in, reporting what a cold run reports; an edit outside function bodies, and any whole-suite
    run, goes to the plain server (fresh imports)."""
    instance = devset_instances["ratelimit"]
    repo = with_test_patch(devset_repos, instance, tmp_path / "ratelimit")
    pack = select(repo)
    failing = instance["FAIL_TO_PASS"]
    with open_sandbox(repo, pack, load_settings(), "docker") as box:
        warm = WarmPytest(box)
        assert warm.start() and warm.hot
        assert run_tests(box, pack, failing, via=warm).failing == sorted(failing)
        source = repo / "ratelimit" / "bucket.py"
        original = source.read_text()
        source.write_text(original.replace("self._tokens > cost", "self._tokens >= cost"))
        fixed = run_tests(box, pack, failing, via=warm)
        assert fixed.passing == sorted(failing) and warm.swapped == 2
        assert fixed.tests == run_tests(box, pack, failing).tests  # as a cold run says
        source.write_text(original + "\nEXTRA = 1\n")  # module level: not swappable
        handed_back = run_tests(box, pack, failing, via=warm)
        assert handed_back.failing == sorted(failing) and warm.not_swappable == 1
        source.write_text(original)
        suite = run_tests(box, pack, via=warm)  # the whole suite: never hot
        assert suite.failing == sorted(failing) and warm.swapped == 2


def test_the_servers_of_a_local_sandbox_exit_once_it_is_closed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The servers are daemons (out of the sandbox's process group): they must notice that the
    session removed their socket and exit, never outlive it on the host."""
    import os
    import subprocess
    import sys
    import time

    from rfsn.buildpacks.python import PythonBuildpack
    from rfsn.sandbox.local import LocalSandbox

    (tmp_path / "test_one.py").write_text("def test_one():\n    assert True\n")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    box = LocalSandbox(tmp_path, None, {}, "2g")
    warm = WarmPytest(box)
    assert warm.start() and warm.hot
    report = run_tests(box, PythonBuildpack(), ["test_one.py::test_one"], via=warm)
    assert report.passing == ["test_one.py::test_one"] and warm.swapped == 1
    scratch = str(box.scratch)

    def servers() -> list[str]:
        ps = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True).stdout
        return [line for line in ps.splitlines() if scratch in line and "server.py" in line]

    assert len(servers()) == 2
    box.close()
    deadline = time.monotonic() + 15
    while servers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert servers() == []
