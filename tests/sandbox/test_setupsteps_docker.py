"""The project's own install (the sandbox's setup) in a real container: a setup that lacked a
command gets the Debian package that ships it in its env image and runs once more; a setup that
failed, after which the tests only error, is what ``rfsn test`` says (exit 2, ``env_error``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest

from tests.cli.test_true_cause import make_repo
from tests.controller.test_repair_docker import SHOP, SRC_PROJECT
from tests.sandbox.test_syspkgs import seed_index

ROOT = Path(__file__).resolve().parents[2]
TEST = "import shop\n\n\ndef test_shop():\n    assert shop.OPEN\n"


def _rfsn_test(tmp_path: Path, repo: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "home"
    seed_index(home, date.today())  # the real index's lines for these files: no fetch from Debian
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RFSN_HOME": str(home), "RFSN_PYTHON": "3.11"}
    argv = [sys.executable, "-m", "rfsn", "test", str(repo), "--sandbox", "docker", *extra]
    return subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1800)


@pytest.mark.docker
@pytest.mark.slow
def test_uvloop_like_setup_that_lacked_libtoolize_runs_again_with_libtool(tmp_path: Path) -> None:
    marker = uuid.uuid4().hex[:8]  # a recipe of its own: no cached image answers for it
    setup = (
        "import subprocess\nfrom setuptools import setup\n\n"
        f"subprocess.check_call('libtoolize --version', shell=True)  # {marker}\n"
        "setup(name='shop', version='0.1', py_modules=['shop'])\n"
    )
    repo = make_repo(tmp_path, {"setup.py": setup, "shop.py": "OPEN = True\n", "tests/test_shop.py": TEST})
    log = tmp_path / "events.jsonl"
    proc = _rfsn_test(tmp_path, repo, "--log-file", str(log))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "1 passed" in proc.stdout, proc.stdout
    events = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert [e["added"] for e in events if e.get("event") == "sandbox.setup_system_packages"] == [["libtool"]]
    assert not [e for e in events if e.get("event") == "sandbox.setup_failed"][1:]  # the second setup passed
    notes = [n for e in events if e.get("event") == "sandbox.environment_built" for n in e["notes"]]
    assert any(n.startswith("Debian package libtool added: the build lacked the executable libtoolize") for n in notes)


@pytest.mark.docker
@pytest.mark.slow
def test_a_failed_install_whose_tests_only_error_is_the_runs_env_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {**SHOP, "pyproject.toml": SRC_PROJECT.format(license="12")})  # not a license
    proc = _rfsn_test(tmp_path, repo, "--json")
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["tests"] == {"tests/test_shop.py": "error"}
    assert report["env_error"].startswith(
        "the environment is broken: 0 test(s) passed after the project's setup failed"
    )
    assert "pip install -e ." in report["env_error"]
    assert proc.stderr.strip().splitlines()[-1] == f"rfsn: error: {report['env_error']}"
