"""The install step of a Python environment, run by a real shell and a real pip in a venv: a
test requirement that cannot be installed at all is left out and said; an install requirement,
or an index that cannot be reached, fails the step."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rfsn.buildpacks.pyenv import PIP_INSTALL, optional


@pytest.fixture(scope="module")
def env_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``$RFSN_ENV`` with a venv, and a tiny wheel pip can install offline (``tiny``)."""
    root = tmp_path_factory.mktemp("env")
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    with zipfile.ZipFile(root / "tiny-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("tiny.py", "")
        wheel.writestr("tiny-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: tiny\nVersion: 1.0\n")
        wheel.writestr("tiny-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n"
                       "Tag: py3-none-any\n")
        wheel.writestr("tiny-1.0.dist-info/RECORD", "")
    return root


def _step(root: Path, step: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "RFSN_ENV": str(root), "PIP_RETRIES": "1", "PIP_FIND_LINKS": "",
               "PIP_DISABLE_PIP_VERSION_CHECK": "1", **env}
    (root / "notes.txt").unlink(missing_ok=True)
    return subprocess.run(["sh", "-c", f"set -e; {step}"], env=environ, capture_output=True, text=True,
                          timeout=300, check=False)


def test_a_test_requirement_nowhere_on_the_index_is_left_out_and_said(env_root: Path) -> None:
    """tomlkit 2021 pinned codecov==2.1.8, deleted from PyPI since: the environment is built
    without it, the report says so, the tests that import it fail with their own error."""
    done = _step(env_root, optional([str(env_root / "tiny-1.0-py3-none-any.whl")], ["no-such-package-rfsn==1.0"]),
                 PIP_NO_INDEX="1")
    assert done.returncode == 0, done.stdout + done.stderr
    notes = (env_root / "notes.txt").read_text()
    assert notes.startswith("rfsn: test requirement no-such-package-rfsn==1.0 cannot be installed ("), notes
    reason = notes.split("(", 1)[1]
    assert reason.startswith(("ERROR: ", "Could not")) and "no-such-package-rfsn" in reason, notes
    assert notes.endswith("); left out\n"), notes


def test_an_install_requirement_that_cannot_be_installed_fails_the_step(env_root: Path) -> None:
    done = _step(env_root, optional(["no-such-package-rfsn==1.0"], [str(env_root / "tiny-1.0-py3-none-any.whl")]),
                 PIP_NO_INDEX="1")
    assert done.returncode != 0
    assert not (env_root / "notes.txt").exists()


def test_an_index_that_cannot_be_reached_fails_the_step_rather_than_leave_requirements_out(
        env_root: Path) -> None:
    done = _step(env_root, optional([str(env_root / "tiny-1.0-py3-none-any.whl")], ["no-such-package-rfsn==1.0"]),
                 PIP_INDEX_URL="http://127.0.0.1:9/simple")
    assert done.returncode != 0, done.stdout + done.stderr
    assert not (env_root / "notes.txt").exists()


def test_without_test_requirements_the_step_is_one_pip_call() -> None:
    assert optional(["six"], [], PIP_INSTALL) == f"{PIP_INSTALL} six"
