"""A project whose setup.py computes its ``dev`` extra gets that extra's packages in the env
image: pip resolves the project in the build (real Docker, a real PyPI install)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings

pytestmark = [pytest.mark.docker, pytest.mark.slow]

#: the ``dev`` extra is the sum of other lists, as pvlib's and marshmallow's setup.py make it
SETUP_PY = """\
from setuptools import setup

EXTRAS_REQUIRE = {"reco": ["six==1.16.0"], "lint": []}
EXTRAS_REQUIRE["dev"] = EXTRAS_REQUIRE["reco"] + EXTRAS_REQUIRE["lint"]
setup(name="computed", version="1.0", packages=["computed"], extras_require=EXTRAS_REQUIRE)
"""


def test_an_extra_computed_in_setup_py_is_in_the_env_and_the_project_is_the_checkout(
    docker_client: Any, tmp_path: Path, rfsn_home: Path
) -> None:
    repo = tmp_path / "computed"
    (repo / "computed").mkdir(parents=True)
    (repo / "tests").mkdir()
    (repo / "setup.py").write_text(SETUP_PY)
    (repo / "computed" / "__init__.py").write_text("ANSWER = 42\n")
    (repo / "conftest.py").write_text("import six  # the dev extra's package\n")
    (repo / "tests" / "test_answer.py").write_text(
        "import six\nfrom computed import ANSWER\n\ndef test_answer():\n"
        "    assert (six.__version__, ANSWER) == ('1.16.0', 42)\n"
    )
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "c"], check=True)
    settings = Settings(
        sandbox="docker", home=rfsn_home, memory="1g", cpus=1.0, pids=256, test_timeout=120, setup_timeout=600
    )
    pack = PythonBuildpack()
    with open_sandbox(repo, pack, settings, "docker") as sandbox:
        assert sandbox.setup_failure is None
        result = sandbox.exec(pack.test_command([], sandbox.scratch_path), timeout=120)
        where = sandbox.exec(["python", "-c", "import computed; print(computed.__file__)"], timeout=60)
    assert result.exit_code == 0, result.output
    assert "1 passed" in result.output
    assert where.output.strip() == f"{sandbox.workdir}/computed/__init__.py"  # not the build's copy
