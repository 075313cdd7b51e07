"""Builds of every date share the layers of the steps that never read the dated index: the index's
URL is a build argument, and Docker caches each step after its declaration under its value, so a
venv made before it is built once for a base, not once per date (pure: the Dockerfiles)."""

from __future__ import annotations

from pathlib import Path

from rfsn.buildpacks.base import EnvOptions, date_env
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.pyenv import CREATE_VENV
from rfsn.buildpacks.python.swebench import specs
from rfsn.sandbox.envimage import OPEN_AT_EXIT, EnvImage
from tests.buildpacks.test_pyversions import commit, make

ARG = "ARG PIP_INDEX_URL PIP_TRUSTED_HOST"


def _lines(recipe: object) -> list[str]:
    return EnvImage(recipe, "base").dockerfile(with_ca=True).splitlines()  # type: ignore[arg-type]


def _before_index(lines: list[str]) -> list[str]:
    return [line for line in lines[: lines.index(ARG)] if not line.startswith("#")]


def test_the_venv_of_a_dated_build_is_made_before_the_index_is_given_so_every_date_shares_it(tmp_path: Path) -> None:
    """Two commits of different days (and the same project as of today) build the same steps up
    to the venv; every step that runs pip comes after the index's declaration."""
    repo = make(tmp_path, {"setup.cfg": "[metadata]\nname = d\n[options]\ninstall_requires = six\n"})
    pack = PythonBuildpack()
    date_env(pack, EnvOptions(runtime="3.11"))
    commit(repo, "2019-06-15T12:00:00Z")
    old = _lines(pack.env_recipe(repo))
    commit(repo, "2022-11-15T12:00:00Z")
    newer = _lines(pack.env_recipe(repo))
    date_env(pack, EnvOptions(runtime="3.11", as_of="today"))
    today = _lines(pack.env_recipe(repo))
    assert ARG not in today
    shared = _before_index(old)
    assert shared == _before_index(newer) == today[: len(shared)]
    assert shared[-1] == f"RUN {OPEN_AT_EXIT}set -e; {CREATE_VENV}"
    assert all("pip" not in line for line in shared)
    assert old != newer  # the dates differ after it


def test_a_dated_spec_makes_its_venv_before_the_index_too() -> None:
    spec = {"python": "3.11", "install": "", "test_cmd": "pytest -rA", "pip_packages": ["six==1.16.0"]}
    dated = _lines(specs.render_recipe(spec, registry=False, index_date="2021-01-01"))
    plain = _lines(specs.render_recipe(spec, registry=False))
    shared = _before_index(dated)
    assert shared[-1] == f"RUN {OPEN_AT_EXIT}set -e; {CREATE_VENV}" and plain[: len(shared)] == shared
    assert all("pip" not in line for line in shared)
