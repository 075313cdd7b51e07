"""Per-test results in Docker equal what pytest on the host reports, for every Python devset project.

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

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("no_container_left")]
_SUMMARY = re.compile(r"^(PASSED|FAILED|ERROR|XFAIL|XPASS) (\S+)")
_VERBOSE_SKIP = re.compile(r"^(\S+::\S+) SKIPPED")
_STATUS = {"PASSED": "passed", "XPASS": "passed", "FAILED": "failed", "ERROR": "error",
           "XFAIL": "passed", "SKIPPED": "skipped"}  # an expected failure passes (as rfsn reads it)
_WORST = ["passed", "skipped", "error", "failed"]


@pytest.fixture(scope="session")
def host_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("host-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "pytest"],
                   check=True, capture_output=True, timeout=600)
    return venv / "bin" / "python"


def host_statuses(python: Path, repo: Path) -> dict[str, str]:
    env = {"PATH": f"{python.parent}:/usr/bin:/bin", "HOME": str(repo), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([str(python), "-m", "pytest", "-p", "no:cacheprovider", "-rA", "-v"],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    found: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        match = _SUMMARY.match(line) or _VERBOSE_SKIP.match(line)
        if not match:
            continue
        test_id, status = (match.group(2), _STATUS[match.group(1)]) if match.re is _SUMMARY \
            else (match.group(1), "skipped")
        if _WORST.index(status) >= _WORST.index(found.get(test_id, "passed")):
            found[test_id] = status
    assert found, proc.stdout[-2000:]
    return found


def python_instances(instances: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in instances.values() if i["language"] == "python"]


def test_docker_results_equal_host_pytest(devset_instances: dict[str, dict[str, Any]],
                                          devset_repos: Path, tmp_path: Path, host_python: Path,
                                          shared_pack: SharedEnvPython,
                                          docker_settings: Settings) -> None:
    instances = python_instances(devset_instances)
    assert len(instances) == 20
    mismatches = {}
    for instance in instances:
        name = instance["repo"].split("/", 1)[1]
        expected = host_statuses(host_python, with_test_patch(devset_repos, instance, tmp_path / "host" / name))
        repo = with_test_patch(devset_repos, instance, tmp_path / "docker" / name)
        with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
            report = run_tests(box, shared_pack, timeout=300)
        got = {test_id: status.value for test_id, status in report.tests.items()}
        if got != expected:
            mismatches[name] = {"host only": sorted(set(expected.items()) - set(got.items())),
                                "docker only": sorted(set(got.items()) - set(expected.items()))}
        # and both agree with the instance: FAIL_TO_PASS fail, PASS_TO_PASS pass
        assert {t: got.get(t) for t in instance["FAIL_TO_PASS"]} == dict.fromkeys(instance["FAIL_TO_PASS"], "failed")
        assert {t: got.get(t) for t in instance["PASS_TO_PASS"]} == dict.fromkeys(instance["PASS_TO_PASS"], "passed")
    assert mismatches == {}


def test_host_parser_reads_skips_and_xfails(tmp_path: Path, host_python: Path) -> None:
    """The host-side reference parser itself, on a project with every outcome."""
    (tmp_path / "test_all.py").write_text(
        "import pytest\n"
        "def test_p(): pass\n"
        "def test_f(): assert 0\n"
        "@pytest.mark.skip\ndef test_s(): pass\n"
        "@pytest.mark.xfail\ndef test_xf(): assert 0\n"
        "@pytest.fixture\ndef boom():\n    raise RuntimeError\n"
        "def test_e(boom): pass\n")
    assert host_statuses(host_python, tmp_path) == {
        "test_all.py::test_p": "passed", "test_all.py::test_f": "failed",
        "test_all.py::test_s": "skipped", "test_all.py::test_xf": "passed",
        "test_all.py::test_e": "error",
    }
    assert os.listdir(tmp_path) == ["test_all.py"]
