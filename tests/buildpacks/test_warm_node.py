"""The warm ``node --test`` runner must be indistinguishable from a cold ``node --test``."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rfsn.buildpacks.node.buildpack import NODE_REPORT, NodeBuildpack
from rfsn.buildpacks.node.warm.node_client import NodeRun, WarmNode
from rfsn.models import TestStatus as Status
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.sandbox.base import Sandbox
from rfsn.settings import load_settings

FIXTURE = Path(__file__).parent / "fixtures" / "node" / "warm"
CALC = "test/calc.test.js"
#: selections a screening run makes: tests of one file, nested ones, tests across files
SELECTIONS = [
    [f"{CALC} > adds wrongly", f"{CALC} > a fresh module in each run"],
    [f"{CALC} > outer > inner > deep fails", f"{CALC} > outer > passes"],
    [f"{CALC} > with subtests", "test/esm.test.mjs > esm passes", f"{CALC} > times out"],
    ["test/empty.test.js", "test/broken.test.js", "test/exits.test.js"],
]


def project(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "warm"))


def started(box: Sandbox) -> WarmNode:
    warm = WarmNode(box, NODE_REPORT)
    assert warm.start()
    return warm


def test_a_node_test_argv_is_read_back_into_the_run_it_asks_for() -> None:
    """The buildpack's commands parse into the request; any other command stays cold (None)."""
    pack = NodeBuildpack()
    argv = pack.test_command([f"{CALC} > outer > passes"], "/r")
    run = NodeRun.parse(argv)
    assert run is not None and run.paths == (CALC,) and run.max_failures is None
    assert run.patterns == ("^(?:outer|passes)$",)
    assert run.destinations == ("stdout", f"/r/{NODE_REPORT}")
    assert run.request(NODE_REPORT, "/o", 5.0)["events"] == 1
    fail_fast = pack.fail_fast_command([], "/r", 2)
    assert fail_fast is not None
    assert NodeRun.parse(fail_fast) == NodeRun((), (), run.reporters, run.destinations, 2)
    assert NodeRun.parse(["node", "--test", "--watch"]) is None
    assert NodeRun.parse(["node", "x.js"]) is None
    assert NodeRun.parse(["env", "RFSN_MAX_FAILURES=x", *argv]) is None
    assert NodeBuildpack("jest").warm_runner(object()) is None  # type: ignore[arg-type]


def assert_warm_agrees_with_cold(box: Sandbox) -> None:
    pack = NodeBuildpack()
    warm = started(box)
    cold_all = run_tests(box, pack, timeout=60)
    warm_all = run_tests(box, pack, timeout=60, via=warm)
    assert warm_all.tests == cold_all.tests
    assert cold_all.tests[f"{CALC} > outer > inner > deep fails"] is Status.FAILED
    assert cold_all.tests[f"{CALC} > times out"] is Status.FAILED
    assert cold_all.tests["test/broken.test.js"] is Status.ERROR
    assert cold_all.tests["test/empty.test.js"] is Status.PASSED
    assert cold_all.tests["test/exits.test.js"] is Status.ERROR
    assert cold_all.tests[f"{CALC} > skipped"] is Status.SKIPPED
    for tests in SELECTIONS:
        assert (
            run_tests(box, pack, tests, timeout=60, via=warm).tests == run_tests(box, pack, tests, timeout=60).tests
        ), tests
    again = run_tests(box, pack, SELECTIONS[0], timeout=60, via=warm)
    assert again.tests[f"{CALC} > a fresh module in each run"] is Status.FAILED  # 1 call, not 3
    assert warm.warm_runs == 2 + len(SELECTIONS) and warm.cold_runs == 0


_title = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12).filter(
    lambda t: " > " not in t and t.strip() == t
)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["test/a.test.js", "test/b c.test.mjs", "t.js"]), st.lists(_title, min_size=1, max_size=3)
        ),
        max_size=4,
    ),
    st.none() | st.integers(min_value=1, max_value=9),
)
def test_any_selection_reaches_the_server_as_the_files_and_patterns_node_would_get(
    selection: list[tuple[str, list[str]]], max_failures: int | None
) -> None:
    """Whatever the titles (regex characters, '=', spaces), the request carries exactly the
    files and name patterns of the cold command."""
    pack = NodeBuildpack()
    tests = [" > ".join([file, *titles]) for file, titles in selection]
    argv = pack.test_command(tests, "/r") if max_failures is None else pack.fail_fast_command(tests, "/r", max_failures)
    run = NodeRun.parse(argv or [])
    assert run is not None and run.max_failures == max_failures
    cold_patterns = [a.partition("=")[2] for a in argv or [] if a.startswith("--test-name-pattern=")]
    assert list(run.patterns) == cold_patterns
    assert list(run.paths) == list(dict.fromkeys(file for file, _ in selection))


@pytest.mark.docker
def test_warm_runs_report_exactly_what_cold_runs_report(docker_client: Any, tmp_path: Path) -> None:
    """Same statuses, warm or cold: the whole suite (files found as node finds them) and
    selections of tests, with failing, nested, skipped, todo, timed out (node's per-test
    timeout), ESM tests and files that fail at load, run no test or exit non-zero."""
    with open_sandbox(project(tmp_path), NodeBuildpack(), load_settings(), "docker") as box:
        assert_warm_agrees_with_cold(box)


def test_warm_runs_on_the_hosts_node_report_what_cold_runs_report(tmp_path: Path) -> None:
    """The same on the host's node (a local sandbox), whatever its version (18.19-20)."""
    from rfsn.sandbox.local import LocalSandbox

    if shutil.which("node") is None:
        pytest.skip("no node on the host")
    box = LocalSandbox(project(tmp_path), None, {}, "2g")
    try:
        assert_warm_agrees_with_cold(box)
    finally:
        box.close()


@pytest.mark.docker
def test_a_warm_run_stops_after_the_file_with_the_failures_asked_for(docker_client: Any, tmp_path: Path) -> None:
    """max_failures: the warm run ends after the first file that failed; the files it did not
    reach are absent from the report (cold, node runs them all)."""
    repo = project(tmp_path)
    pack = NodeBuildpack()
    with open_sandbox(repo, pack, load_settings(), "docker") as box:
        warm = started(box)
        report = run_tests(box, pack, timeout=60, via=warm, max_failures=1)
        files = {test.split(" > ")[0] for test in report.tests}
        assert files == {"test/broken.test.js"}  # the first file in node's order, and it fails
        assert len({t.split(" > ")[0] for t in run_tests(box, pack, timeout=60, max_failures=1).tests}) == 5


@pytest.mark.docker
def test_a_warm_run_past_its_timeout_is_killed_with_its_process_group(docker_client: Any, tmp_path: Path) -> None:
    """A looping test and the process it spawned are killed at the run's timeout; the next
    run is served as usual."""
    repo = project(tmp_path)
    (repo / "test" / "loop.test.js").write_text(
        "const test = require('node:test');\nconst { spawn } = require('node:child_process');\n"
        "test('loops', () => { spawn('sleep', ['300']); for (;;) {} });\n"
    )
    pack = NodeBuildpack()
    with open_sandbox(repo, pack, load_settings(), "docker") as box:
        warm = started(box)
        started_at = time.monotonic()
        report = run_tests(box, pack, ["test/loop.test.js > loops"], timeout=3, via=warm)
        assert report.timed_out and time.monotonic() - started_at < 20
        assert report.tests == {"test/loop.test.js > loops": Status.ERROR}
        again = run_tests(box, pack, [f"{CALC} > adds"], timeout=30, via=warm)
        assert again.passing == [f"{CALC} > adds"] and warm.warm_runs == 2
        processes = box.exec(["ps", "-eo", "args"], timeout=10).output
        assert "sleep 300" not in processes and "loop.test.js" not in processes


@pytest.mark.docker
def test_runs_go_cold_once_the_server_is_gone(docker_client: Any, tmp_path: Path) -> None:
    """Waiting workers that died are replaced, never used; a server that died is given up: the
    run, and every run after it, is the plain exec, with the same statuses; its waiting workers
    exit with it."""
    repo = project(tmp_path)
    pack = NodeBuildpack()
    tests = [f"{CALC} > adds", f"{CALC} > adds wrongly"]
    with open_sandbox(repo, pack, load_settings(), "docker") as box:
        warm = started(box)
        expected = run_tests(box, pack, tests, timeout=60, via=warm).tests
        missing = run_tests(box, pack, ["test/missing.test.js"], timeout=60, via=warm)
        assert (warm.cold_runs, warm.alive) == (1, True)  # node cannot say which files: cold, once
        assert missing.tests == run_tests(box, pack, ["test/missing.test.js"], timeout=60).tests
        box.exec(["sh", "-c", "pkill -KILL -f node_worker.cjs; true"], timeout=10)
        assert run_tests(box, pack, tests, timeout=60, via=warm).tests == expected  # replaced
        assert (warm.warm_runs, warm.cold_runs) == (2, 1)
        box.exec(["sh", "-c", "pkill -KILL -f node_server.cjs; true"], timeout=10)
        assert run_tests(box, pack, tests, timeout=60, via=warm).tests == expected
        assert run_tests(box, pack, tests, timeout=60, via=warm).tests == expected
        assert (warm.warm_runs, warm.cold_runs, warm.alive) == (2, 3, False)
        time.sleep(1)
        assert "node_worker" not in box.exec(["ps", "-eo", "args"], timeout=10).output  # none waits on


def test_a_server_that_cannot_start_gives_no_warm_runner(tmp_path: Path) -> None:
    """No node in the sandbox (or no server): the buildpack answers None, runs stay cold."""
    from rfsn.sandbox.local import LocalSandbox

    box = LocalSandbox(project(tmp_path), None, {"PATH": "/nonexistent"}, "2g")
    try:
        assert NodeBuildpack().warm_runner(box) is None
    finally:
        box.close()


def test_the_server_of_a_local_sandbox_exits_once_it_is_closed(tmp_path: Path) -> None:
    """The server and its workers are daemons (out of the sandbox's process group): they must
    notice that the session removed their socket and exit, never outlive it on the host."""
    import subprocess

    from rfsn.sandbox.local import LocalSandbox

    if shutil.which("node") is None:
        pytest.skip("no node on the host")
    box = LocalSandbox(project(tmp_path), None, {}, "2g")
    warm = started(box)
    report = run_tests(box, NodeBuildpack(), [f"{CALC} > adds"], timeout=60, via=warm)
    assert report.passing == [f"{CALC} > adds"] and warm.warm_runs == 1
    scratch = str(box.scratch)

    def ours() -> list[str]:
        ps = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True).stdout
        return [line for line in ps.splitlines() if scratch in line]

    assert len(ours()) >= 3  # the server and its waiting workers
    box.close()
    deadline = time.monotonic() + 15
    while ours() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ours() == []
