"""Per-test results in Docker equal what pytest on the host reports: for a project with every
outcome and one devset project by default, for every Python devset project with ``-m sweep``.

Each project gets its instance's test_patch. The host side runs pytest in a
plain virtualenv and reads its -rA summary (no rfsn code involved); the
Docker side is ``open_sandbox`` + ``run_tests``. All projects share one env
image: their only dependency is pytest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings
from tests.conftest import with_test_patch
from tests.sandbox.conftest import SharedEnvPython
from tests.sandbox.projects import make_project

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("no_container_left")]
_SUMMARY = re.compile(r"^(PASSED|FAILED|ERROR|XFAIL|XPASS) (\S+)")
_VERBOSE_SKIP = re.compile(r"^(\S+::\S+) SKIPPED")
_STATUS = {
    "PASSED": "passed",
    "XPASS": "passed",
    "FAILED": "failed",
    "ERROR": "error",
    "XFAIL": "passed",
    "SKIPPED": "skipped",
}  # an expected failure passes (as rfsn reads it)
_WORST = ["passed", "skipped", "error", "failed"]


@pytest.fixture(scope="session")
def host_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain virtualenv with pytest alone, installed by this interpreter's pip (no pip of its own
    to bootstrap first)."""
    venv = tmp_path_factory.mktemp("host-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", "pytest"],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return venv / "bin" / "python"


def host_statuses(python: Path, repo: Path) -> dict[str, str]:
    env = {"PATH": f"{python.parent}:/usr/bin:/bin", "HOME": str(repo), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider", "-rA", "-v"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    found: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        match = _SUMMARY.match(line) or _VERBOSE_SKIP.match(line)
        if not match:
            continue
        test_id, status = (
            (match.group(2), _STATUS[match.group(1)]) if match.re is _SUMMARY else (match.group(1), "skipped")
        )
        if _WORST.index(status) >= _WORST.index(found.get(test_id, "passed")):
            found[test_id] = status
    assert found, proc.stdout[-2000:]
    return found


def python_instances(instances: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in instances.values() if i["language"] == "python"]


def docker_statuses(repo: Path, pack: SharedEnvPython, settings: Settings) -> dict[str, str]:
    with open_sandbox(repo, pack, settings, "docker") as box:
        report = run_tests(box, pack, timeout=300)
    return {test_id: status.value for test_id, status in report.tests.items()}


def mismatches(
    instances: list[dict[str, Any]],
    repos: Path,
    tmp_path: Path,
    host_python: Path,
    pack: SharedEnvPython,
    settings: Settings,
) -> dict[str, Any]:
    """What Docker and the host report differently, by project, for each instance's project with
    its test_patch; each agrees with its instance (FAIL_TO_PASS fail, PASS_TO_PASS pass)."""
    found = {}
    for instance in instances:
        name = instance["repo"].split("/", 1)[1]
        expected = host_statuses(host_python, with_test_patch(repos, instance, tmp_path / "host" / name))
        got = docker_statuses(with_test_patch(repos, instance, tmp_path / "docker" / name), pack, settings)
        if got != expected:
            found[name] = {
                "host only": sorted(set(expected.items()) - set(got.items())),
                "docker only": sorted(set(got.items()) - set(expected.items())),
            }
        assert {t: got.get(t) for t in instance["FAIL_TO_PASS"]} == dict.fromkeys(instance["FAIL_TO_PASS"], "failed")
        assert {t: got.get(t) for t in instance["PASS_TO_PASS"]} == dict.fromkeys(instance["PASS_TO_PASS"], "passed")
    return found


def test_docker_results_equal_host_pytest_for_every_outcome_and_a_devset_project(
    devset_instances: dict[str, dict[str, Any]],
    devset_repos: Path,
    tmp_path: Path,
    host_python: Path,
    shared_pack: SharedEnvPython,
    docker_settings: Settings,
) -> None:
    """A project with each outcome pytest has, and the devset project with the most parametrized
    tests (every Python devset project: the sweep below)."""
    repo = make_project(tmp_path / "outcomes", {"tests/test_all.py": EVERY_OUTCOME})
    assert docker_statuses(repo, shared_pack, docker_settings) == host_statuses(host_python, repo)
    assert (
        mismatches([devset_instances["numerals"]], devset_repos, tmp_path, host_python, shared_pack, docker_settings)
        == {}
    )


@pytest.mark.sweep
def test_docker_results_equal_host_pytest(
    devset_instances: dict[str, dict[str, Any]],
    devset_repos: Path,
    tmp_path: Path,
    host_python: Path,
    shared_pack: SharedEnvPython,
    docker_settings: Settings,
) -> None:
    instances = python_instances(devset_instances)
    assert len(instances) == 20
    assert mismatches(instances, devset_repos, tmp_path, host_python, shared_pack, docker_settings) == {}


EVERY_OUTCOME = (
    "import pytest\n"
    "def test_p(): pass\n"
    "def test_f(): assert 0\n"
    "@pytest.mark.skip\ndef test_s(): pass\n"
    "@pytest.mark.xfail\ndef test_xf(): assert 0\n"
    "@pytest.fixture\ndef boom():\n    raise RuntimeError\n"
    "def test_e(boom): pass\n"
)


def test_host_parser_reads_skips_and_xfails(tmp_path: Path, host_python: Path) -> None:
    """The host-side reference parser itself, on a project with every outcome."""
    (tmp_path / "test_all.py").write_text(EVERY_OUTCOME)
    assert host_statuses(host_python, tmp_path) == {
        "test_all.py::test_p": "passed",
        "test_all.py::test_f": "failed",
        "test_all.py::test_s": "skipped",
        "test_all.py::test_xf": "passed",
        "test_all.py::test_e": "error",
    }
    assert os.listdir(tmp_path) == ["test_all.py"]
