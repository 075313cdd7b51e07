"""The env build asks the project's build backend what building it needs (``build_requires.py``,
run by a real Python in a real tree), rather than reading the files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rfsn.buildpacks.python import pydeps
from rfsn.buildpacks.python.pyenv import BUILD_REQUIRES_SCRIPT

#: astropy 3.1's setup.py: what it builds with is decided as it runs
COMPUTED = """\
import os
from setuptools import setup

setup_requires = ["numpy>=1.13"]
if not os.path.exists(os.path.join(os.path.dirname(__file__), "PKG-INFO")):
    setup_requires.extend(["cython>=0.21", "jinja2>=2.7"])
print("setup.py's own output")
setup(name="computed", packages=["computed"], setup_requires=setup_requires)
"""


def _ask(tree: Path, backend: str) -> subprocess.CompletedProcess[str]:
    script = tree.parent / BUILD_REQUIRES_SCRIPT[0]
    script.write_text(BUILD_REQUIRES_SCRIPT[1])
    return subprocess.run(
        [sys.executable, str(script), backend, str(tree.parent / "listed.txt")],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_astropy_8707_setup_requires_computed_when_setup_py_runs_are_what_the_backend_answers(tmp_path: Path) -> None:
    """astropy 3.1 adds cython and jinja2 to ``setup_requires`` as setup.py runs; a reading of the
    files saw none, the env lacked them, and the sessions' offline reinstall could not build the
    extensions ("ImportError: astropy", astropy__astropy-8707 and -8872). The backend pip would
    ask, asked in the tree, names them."""
    tree = tmp_path / "computed"
    (tree / "computed").mkdir(parents=True)
    (tree / "setup.py").write_text(COMPUTED)
    (tree / "computed" / "__init__.py").write_text("")
    assert pydeps.build_backend(tree) == pydeps.LEGACY_BACKEND
    done = _ask(tree, pydeps.build_backend(tree))
    assert done.returncode == 0, done.stdout + done.stderr
    listed = (tmp_path / "listed.txt").read_text().splitlines()
    assert {"numpy>=1.13", "cython>=0.21", "jinja2>=2.7"} <= set(listed), listed
    (tree / "PKG-INFO").write_text("")
    assert _ask(tree, pydeps.build_backend(tree)).returncode == 0
    assert "cython>=0.21" not in (tmp_path / "listed.txt").read_text().splitlines()


def test_a_backend_the_environment_lacks_fails_the_ask(tmp_path: Path) -> None:
    """The step says so in the build's notes and the build goes on (``specs.install_source``)."""
    tree = tmp_path / "named"
    tree.mkdir()
    (tree / "pyproject.toml").write_text('[build-system]\nrequires = ["nobackend"]\nbuild-backend = "nobackend.api"\n')
    assert pydeps.build_backend(tree) == "nobackend.api"
    done = _ask(tree, pydeps.build_backend(tree))
    assert done.returncode != 0 and "nobackend" in done.stderr
    assert not (tmp_path / "listed.txt").exists()


def test_astropy_8707_what_setuptools_fetched_into_the_tree_while_the_install_ran_is_listed(tmp_path: Path) -> None:
    """astropy 3.1's ``ah_bootstrap`` fetches astropy_helpers by itself (its submodule is empty
    here), and setuptools fetches cython for ``setup_requires``: both land in the tree's
    ``.eggs`` during the env build's install, and the offline reinstall needs them in the venv."""
    tree = tmp_path / "fetching"
    (tree / ".eggs" / "astropy_helpers-3.2.2-py3.9.egg").mkdir(parents=True)
    (tree / ".eggs" / "Cython-3.0.10-py3.9-linux-x86_64.egg").mkdir()
    (tree / ".eggs" / "README.txt").write_text("")
    (tree / "setup.py").write_text("raise SystemExit('setup.py needs the network')\n")
    done = _ask(tree, pydeps.LEGACY_BACKEND)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "listed.txt").read_text().splitlines() == ["Cython==3.0.10", "astropy_helpers==3.2.2"]
