"""Go's ``-timeout`` limits a whole test binary: when it fires, only a test that itself ran as long
as the per-test limit is ``timeout``; the tests it cut short run again. Real ``go test`` on the
host (seconds each)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from rfsn.buildpacks.base import limit_cases
from rfsn.buildpacks.go.buildpack import GoBuildpack, go_crashes, parse_go_json
from rfsn.buildpacks.go.goreasons import go_reasons
from rfsn.models import TestStatus as Status
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings

pytestmark = pytest.mark.skipif(shutil.which("go") is None, reason="needs go on the host")
PKG = "example.com/slow"
GO_MOD = f"module {PKG}\n\ngo 1.19\n"
HEADER = 'package slow\n\nimport (\n\t"testing"\n\t"time"\n)\n\n'


def run_go(tmp_path: Path, tests: str, selected: tuple[str, ...] = ()) -> tuple[dict[str, Status], float]:
    repo = tmp_path / "slow"
    repo.mkdir()
    (repo / "go.mod").write_text(GO_MOD)
    (repo / "slow_test.go").write_text(HEADER + tests)
    pack = GoBuildpack()
    limit_cases(pack, 3.0)
    started = time.monotonic()
    with open_sandbox(repo, pack, load_settings(), "local") as box:
        report = run_tests(box, pack, selected, timeout=120)
    return report.tests, time.monotonic() - started


def test_healthy_tests_longer_together_than_the_limit_all_pass_gin(tmp_path: Path) -> None:
    """Two 2 s tests under a 3 s limit: the binary times out in the second, which did not fail
    and passes when it runs again (a review reproduced "panic: test timed out after 3s")."""
    tests = (
        "func TestOne(t *testing.T) { time.Sleep(2 * time.Second) }\n"
        "func TestTwo(t *testing.T) { time.Sleep(2 * time.Second) }\n"
    )
    statuses, _ = run_go(tmp_path, tests)
    assert statuses == {f"{PKG}/TestOne": Status.PASSED, f"{PKG}/TestTwo": Status.PASSED}


@pytest.mark.parametrize("selected", [(), (f"{PKG}/TestHang", f"{PKG}/TestLater", f"{PKG}/TestAdd")])
def test_a_hanging_test_is_timeout_and_the_others_pass(tmp_path: Path, selected: tuple[str, ...]) -> None:
    tests = (
        "func TestAdd(t *testing.T) {}\n"
        "func TestHang(t *testing.T) { time.Sleep(time.Hour) }\n"
        "func TestLater(t *testing.T) {}\n"
    )
    statuses, elapsed = run_go(tmp_path, tests, selected)
    assert statuses == {
        f"{PKG}/TestAdd": Status.PASSED,
        f"{PKG}/TestHang": Status.TIMEOUT,
        f"{PKG}/TestLater": Status.PASSED,
    }
    assert elapsed < 60


def event(action: str, test: str | None = None, output: str | None = None, at: float = 0.0) -> str:
    seconds = f"{int(at):02d}.{round(at % 1 * 1e6):06d}"
    fields = {"Time": f"2026-01-01T00:00:{seconds}Z", "Action": action, "Package": PKG}
    return json.dumps(fields | ({"Test": test} if test else {}) | ({"Output": output} if output else {}))


def test_go_1_20s_running_tests_lines_name_who_ran_too_long() -> None:
    """Go 1.20+ names the running tests and their own elapsed times after the panic; those
    times decide, not the timestamps (the panic line is printed by the test the output names)."""
    log = "\n".join(
        [
            event("run", "TestSlow", at=0.0),
            event("run", "TestPar", at=0.0),
            event("output", "TestSlow", "panic: test timed out after 3s\n", at=3.0),
            event("output", "TestSlow", "running tests:\n", at=3.0),
            event("output", "TestSlow", "\tTestPar (1s)\n", at=3.0),
            event("output", "TestSlow", "\tTestSlow (3s)\n", at=3.0),
            event("fail", "TestSlow", at=3.0),
            event("fail", "TestPar", at=3.0),
            event("fail", at=3.0),
        ]
    )
    assert parse_go_json(log) == {f"{PKG}/TestSlow": Status.TIMEOUT}
    (crash,) = go_crashes(log)
    assert (crash.test, crash.unit, crash.reason) == ("", PKG, "test timed out after 3s")
    assert go_reasons(log)[f"{PKG}/TestSlow"] == ("test timed out after 3s", PKG)
