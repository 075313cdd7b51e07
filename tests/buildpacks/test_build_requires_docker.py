"""A setup.py that asks for a build requirement only as it builds (PEP 517's
``SetupRequirementsError``, raised from its ``build_ext``) gets it in the env image: the env build
asks the project's build backend as pip does and installs the answer, so the sessions' offline
build of the project finds it (real Docker, a real PyPI install, a real C extension)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from rfsn.buildpacks.python import pysetup
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings

pytestmark = [pytest.mark.docker, pytest.mark.slow]

#: httptools' setup.py asks for Cython this way when its .c files are not generated yet
SETUP_PY = """\
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class needs_six(build_ext):
    def finalize_options(self):
        try:
            import six
        except ImportError:
            import setuptools.build_meta

            raise setuptools.build_meta.SetupRequirementsError(["six==1.16.0"])
        super().finalize_options()


setup(
    name="fast",
    version="1.0",
    packages=["fast"],
    ext_modules=[Extension("fast._speed", ["fast/_speed.c"])],
    cmdclass={"build_ext": needs_six},
)
"""
SPEED_C = """\
#include <Python.h>
static struct PyModuleDef speed = {PyModuleDef_HEAD_INIT, "_speed", NULL, -1, NULL};
PyMODINIT_FUNC PyInit__speed(void) { return PyModule_Create(&speed); }
"""


def _project(repo: Path) -> None:
    (repo / "fast").mkdir(parents=True)
    (repo / "tests").mkdir()
    (repo / "setup.py").write_text(SETUP_PY)
    (repo / "fast" / "__init__.py").write_text("")
    (repo / "fast" / "_speed.c").write_text(SPEED_C)
    (repo / "tests" / "test_speed.py").write_text("import fast._speed\n\ndef test_built():\n    assert fast._speed\n")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "c"], check=True)


def test_httptools_cython_a_build_requirement_setup_py_raises_for_is_installed_before_the_project(
    docker_client: Any, tmp_path: Path, rfsn_home: Path
) -> None:
    """httptools at HEAD: ``setup: pip install -e .: ModuleNotFoundError: No module named
    'Cython'``; nothing declares Cython, its setup.py asks the backend for it while it builds."""
    repo = tmp_path / "fast"
    _project(repo)
    assert pysetup.imports_at_build(repo) and not pysetup.dynamic(repo)
    settings = Settings(
        sandbox="docker", home=rfsn_home, memory="1g", cpus=1.0, pids=256, test_timeout=120, setup_timeout=600
    )
    pack = PythonBuildpack()
    with open_sandbox(repo, pack, settings, "docker") as sandbox:
        assert sandbox.setup_failure is None, sandbox.setup_failure
        result = sandbox.exec(pack.test_command([], sandbox.scratch_path), timeout=120)
        six = sandbox.exec(["python", "-c", "import six; print(six.__version__)"], timeout=60)
    assert result.exit_code == 0, result.output
    assert "1 passed" in result.output
    assert six.output.strip() == "1.16.0"


def test_only_a_setup_py_importing_what_neither_python_setuptools_nor_the_tree_has_is_asked(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("import os\nfrom setuptools import setup\nimport versioneer\nsetup()\n")
    (tmp_path / "versioneer.py").write_text("")
    assert not pysetup.imports_at_build(tmp_path)
    (tmp_path / "setup.py").write_text(
        "from setuptools import setup\ndef f():\n    from Cython.Build import x\nsetup()\n"
    )
    assert pysetup.imports_at_build(tmp_path)
