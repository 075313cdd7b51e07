"""``rfsn repair`` as a user runs it, in real Docker, on devset instances of each language.

Each fix is graded independently, the SWE-bench way: a fresh copy with the
test_patch and the produced patch.diff must pass every FAIL_TO_PASS and
PASS_TO_PASS test under ``rfsn test``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rfsn.models import TestReport
from rfsn.models import TestStatus as Status
from rfsn.sandbox import labels
from tests.conftest import with_test_patch

#: devset project -> repair it through a file:// URL (instead of a path)
CASES = {"iniconf": True, "duration-fmt": False, "wordfreq": False}


def rfsn(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rfsn", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "NO_COLOR": "1"})


@pytest.fixture
def no_orphans(docker_client: Any) -> Iterator[None]:
    """No container created during the test outlives the rfsn process that made it.

    (Other rfsn runs on this machine may hold containers meanwhile: their owners are alive.)
    """
    def managed() -> dict[str, Any]:
        return {c.id: c for c in docker_client.containers.list(all=True, filters={"label": labels.MANAGED})}

    before = set(managed())
    yield
    orphans = [c for cid, c in managed().items() if cid not in before and not labels.owner_alive(c.labels)]
    for container in orphans:
        container.remove(force=True)
    assert orphans == [], "containers left behind"


def session_dir(out: Path) -> Path:
    (found,) = out.iterdir()
    return found


def grade(repos: Path, instance: dict[str, Any], patch: str, dest: Path) -> dict[str, Status]:
    """Statuses of FAIL_TO_PASS + PASS_TO_PASS in a fresh copy with test_patch and ``patch``."""
    repo = with_test_patch(repos, instance, dest)
    subprocess.run(["git", "apply", "-"], cwd=repo, input=patch, text=True, check=True)
    proc = rfsn("test", str(repo), "--json", "--sandbox", "docker")
    assert proc.returncode in (0, 1), proc.stderr
    report = TestReport.model_validate_json(proc.stdout)
    return {t: report.tests.get(t, Status.ERROR) for t in instance["FAIL_TO_PASS"] + instance["PASS_TO_PASS"]}


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_repair_fixes_a_devset_instance(name: str, devset_instances: dict[str, Any], devset_repos: Path,
                                        tmp_path: Path, no_orphans: None) -> None:
    instance = devset_instances[name]
    repo = with_test_patch(devset_repos, instance, tmp_path / "repo")
    target = f"file://{repo}" if CASES[name] else str(repo)
    proc = rfsn("repair", target, "--out", str(tmp_path / "out"), "--sandbox", "docker")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    out = session_dir(tmp_path / "out")
    result = json.loads((out / "result.json").read_text())
    assert result["status"] == "fixed"
    assert sorted(result["failing_before"]) == sorted(instance["FAIL_TO_PASS"])
    patch = (out / "patch.diff").read_text()
    assert patch and patch == result["patch"]
    assert "+++ b/" in patch and "test" not in patch.split("+++ b/", 1)[1].split("\n", 1)[0].lower()
    statuses = grade(devset_repos, instance, patch, tmp_path / "grade")
    assert all(s is Status.PASSED for s in statuses.values()), statuses


@pytest.mark.docker
def test_repair_without_a_failing_test_is_not_reproduced(devset_repos: Path, tmp_path: Path,
                                                         no_orphans: None) -> None:
    proc = rfsn("repair", str(devset_repos / "iniconf"), "--out", str(tmp_path / "out"),
                "--sandbox", "docker")
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    result = json.loads((session_dir(tmp_path / "out") / "result.json").read_text())
    assert result["status"] == "not_reproduced"
    assert result["patch"] == "" and result["steps"] == 2


@pytest.mark.parametrize(("args", "fragment"), [
    (["/nonexistent/repo/xyz"], "no such directory"),
    (["{repo}", "--planner", "nope"], "unknown planner 'nope'"),
], ids=["no-such-path", "unknown-planner"])
def test_bad_input_is_one_line_and_exit_2(args: list[str], fragment: str, tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    argv = [a.format(repo=tmp_path / "repo") for a in args]
    proc = rfsn("repair", *argv, "--out", str(tmp_path / "out"), "--sandbox", "docker", timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rfsn: error: ") and fragment in lines[0], proc.stderr
    assert proc.stdout == ""
    assert not (tmp_path / "out").exists()  # rejected before any work
