"""A ``node --test`` file whose test calls ``process.exit``, read from node 20's real output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.nodecrash import CRASH_IMPORT, DISARM_VAR, node_crashes
from rfsn.models import Crash
from rfsn.models import TestStatus as Status
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings
from tests.buildpacks.conftest import FIXTURES

NODE = FIXTURES / "node"


def test_an_exit_in_a_test_is_read_as_that_tests_crash_with_its_stack() -> None:
    """Node 20 (rfsn/base-node) reports a file whose test exits as one error, or, exit code 0,
    as a pass: run with the preload, its line names the test (nested and after an await too)
    and the stack."""
    exit_three, exit_zero = node_crashes((NODE / "exits.stdout").read_text(), {})
    assert (exit_three.test, exit_three.reason, exit_three.unit) == (
        "test/exit.test.js > exits",
        "process.exit(3) called",
        "test/exit.test.js",
    )
    assert "at quit (/testbed/src/list.js:6:11)" in exit_three.stack
    assert (exit_zero.test, exit_zero.reason) == (
        "test/nested.test.js > outer > inner > dies",
        "process.exit(0) called",
    )
    for name in ("cart-pricing.stdout", "event-bus.stdout", "duration-fmt.stdout"):
        assert node_crashes((NODE / name).read_text(), {}) == [], name


def test_a_file_reported_as_one_test_is_a_crash_of_a_test_not_known_yet() -> None:
    statuses = {"t/a.test.js": Status.ERROR, "t/b.test.js": Status.PASSED, "t/c.test.js > x": Status.PASSED}
    assert [(c.test, c.unit) for c in node_crashes("", statuses)] == [("", "t/a.test.js"), ("", "t/b.test.js")]


def test_the_rest_of_a_file_runs_with_the_exits_of_its_done_tests_disarmed() -> None:
    pack = NodeBuildpack("node")
    assert CRASH_IMPORT not in pack.test_command([], "/r")  # it slows every test down
    crash = Crash(test="t/a.test.js > s > dies", reason="process.exit(3) called", unit="t/a.test.js")
    argv = pack.rest_command(crash, ["t/a.test.js > s > dies", "t/b.test.js > x"], [], "/r")
    assert argv is not None and argv[0] == "env" and argv[4] == CRASH_IMPORT
    assert argv[2:4] + argv[5:] == pack.test_command(["t/a.test.js"], "/r")
    assert argv[1].startswith(f"{DISARM_VAR}=") and json.loads(argv[1].partition("=")[2]) == [["s", "dies"]]
    selected = pack.rest_command(crash, [crash.test], ["t/a.test.js > s > other", "t/b.test.js > x"], "/r")
    assert selected is not None and selected[2:4] + selected[5:] == pack.test_command(["t/a.test.js > s > other"], "/r")
    outside = Crash(test="t/a.test.js", reason="process.exit(1) called", unit="t/a.test.js")
    assert pack.rest_command(outside, [], [], "/r") is None
    assert NodeBuildpack("jest").crashes((NODE / "exits.stdout").read_text(), {"t/a.test.js": Status.ERROR}) == []


def _plain_node_project(tmp_path: Path, code: int) -> Path:
    """A test script that runs files with plain ``node``; each prints its tally and ends its
    process with ``process.exit(code)`` once its own runner is done, as QUnit's Node driver does."""
    (tmp_path / "package.json").write_text(json.dumps({"scripts": {"test": "node test/test && node test/more"}}))
    (tmp_path / "test").mkdir()
    for name in ("test", "more"):
        (tmp_path / "test" / f"{name}.js").write_text(
            f"setTimeout(() => {{ console.log('PASS: 3  FAIL: 0'); process.exit({code}); }}, 10);\n"
        )
    return tmp_path


@pytest.mark.parametrize(("code", "status"), [(0, Status.PASSED), (1, Status.FAILED)])
def test_a_plain_files_exit_outside_any_test_is_its_verdict_not_a_crash_lodash_head(
    tmp_path: Path, code: int, status: Status
) -> None:
    """Run for real by ``node --test`` (the local sandbox's Node): each file is one test, and
    its ``process.exit`` outside any test ends it as the project's test script would; with code 0
    it passed (before: the rerun read the exit as the file's crash and failed both files); with
    another code the file failed, and its exit is the crash its report names."""
    repo = _plain_node_project(tmp_path, code)
    pack = NodeBuildpack()
    pack.configure(repo)
    assert pack.runner == "node"
    with open_sandbox(repo, pack, load_settings(), "local") as box:
        report = run_tests(box, pack, timeout=120)
    assert report.tests == {"test/more.js": status, "test/test.js": status}, report.log[-2000:]
    assert sorted(c.test for c in report.crashes) == ([] if code == 0 else ["test/more.js", "test/test.js"])
