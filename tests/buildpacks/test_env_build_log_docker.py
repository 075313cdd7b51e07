"""A failed environment is explained: the session's one line names the failing step and the
line that says why (never the step's command), and the build's whole output is a file of the
session's outputs, linked from result.json and report.md (real Docker, a real failing build
through the dated loopback index)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.models import SessionStatus
from rfsn.settings import Settings
from rfsn.workspace import prepare
from tests.buildpacks.test_asof_docker import _project

pytestmark = [pytest.mark.docker, pytest.mark.slow]

MISSING = "rfsn-no-such-distribution-anywhere==1.0"


def test_a_failed_build_names_its_step_and_cause_and_keeps_its_whole_output_in_env_build_log(
    tmp_path: Path, rfsn_home: Path
) -> None:
    """A 2019 build's line was its own command (`RUN timeout ... sh -c 'set -e; ... pip install
    ...`) and its output was in no file of the session's: a user could not find out why."""
    repo = _project(
        tmp_path / "broken",
        "2024-06-03T12:00:00+00:00",
        {
            "setup.py": f"from setuptools import setup\nsetup(name='broken', version='1.0', py_modules=['broken'],\n"
            f"      install_requires=[{MISSING!r}])\n",
            "broken.py": "VALUE = 1\n",
            "test_broken.py": "import broken\n\n\ndef test_broken():\n    assert broken.VALUE == 1\n",
        },
    )
    settings = Settings(
        sandbox="docker",
        home=rfsn_home,
        memory="1g",
        cpus=1.0,
        pids=256,
        test_timeout=120,
        setup_timeout=600,
        setup_snapshots=False,
        python="3.11",
    )
    workspace = prepare(str(repo), tmp_path / "work", None)
    out = tmp_path / "out"
    result = repair_workspace(workspace, RepairOptions(out_dir=out, sandbox="docker", session_id="s1"), settings)
    assert result.status is SessionStatus.ERROR
    assert result.message.startswith("env image: pip install "), result.message
    assert f": ERROR: No matching distribution found for {MISSING} (building rfsn/env-python:" in result.message
    assert "RUN " not in result.message and "timeout -k" not in result.message
    log = (out / "s1" / "env-build.log").read_text()
    assert "Step 1/" in log and f"No matching distribution found for {MISSING}" in log
    assert json.loads((out / "s1" / "result.json").read_text())["environment_log"] == "env-build.log"
    report = (out / "s1" / "report.md").read_text()
    assert "[env-build.log](env-build.log)" in report
    # the environment section says what the environment was to be, not "(as the buildpack builds it)"
    assert "- Python 3.11 (--python)" in report and "install_requires: rfsn-no-such-distribution-anywhere" in report
