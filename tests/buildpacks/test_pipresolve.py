"""The build's resolver script, run by a real pip: where that pip has no ``--report`` (before
22.2, the newest a Python 3.6 runs), it installs the project with its test extras into a
scratch directory and pins what landed there, the project itself left out."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from rfsn.buildpacks.python.pipresolve import SCRIPT

SETUP_PY = """\
from setuptools import setup

EXTRAS = {"base": ["tiny"]}
EXTRAS["test"] = EXTRAS["base"] + ["tinier"]
setup(name="Computed", version="1.0", py_modules=["computed"], extras_require=EXTRAS)
"""


def _wheel(directory: Path, name: str) -> None:
    with zipfile.ZipFile(directory / f"{name}-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr(f"{name}.py", "")
        wheel.writestr(f"{name}-1.0.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        wheel.writestr(f"{name}-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{name}-1.0.dist-info/RECORD", "")


def test_a_pip_without_report_resolves_by_installing_into_a_scratch_directory(tmp_path: Path) -> None:
    """marshmallow 2018 on Python 3.6: no pip 23.1 runs there, the era's pip 18 resolves."""
    project, links, fake = tmp_path / "project", tmp_path / "links", tmp_path / "fake"
    for directory in (project, links, fake):
        directory.mkdir()
    (project / "setup.py").write_text(SETUP_PY)
    (project / "computed.py").write_text("")
    _wheel(links, "tiny")
    _wheel(links, "tinier")
    (tmp_path / "pipresolve.py").write_text(SCRIPT)
    # the edge not ours: which pip this is (pip 21.3.1, the last for Python 3.6), told to the
    # script's process alone (a sitecustomize importing pip would reach pip's build processes too,
    # where setuptools' distutils shim refuses a pip imported first)
    (fake / "as_old_pip.py").write_text(
        "import pip, runpy, sys\npip.__version__ = '21.3.1'\nsys.argv = sys.argv[1:]\n"
        "runpy.run_path(sys.argv[0], run_name='__main__')\n"
    )
    env = {**os.environ, "PIP_FIND_LINKS": str(links), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run(
        [
            sys.executable,
            str(fake / "as_old_pip.py"),
            str(tmp_path / "pipresolve.py"),
            "test,tests",
            str(tmp_path / "resolved.txt"),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "resolved.txt").read_text() == "tinier==1.0\ntiny==1.0\n"
    assert (
        "pip resolved 2 requirement(s) of Computed ['test'] (pip 21.3.1, no --report: installed "
        "into a scratch directory)"
    ) in done.stdout, done.stdout
