"""A plain repository's instance in evaluate and validate gets the environment a repair session
gets: the date and Python the settings choose reach its env recipe (and so the validation
cache's key) before anything asks for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.batch.harness.specenv import instance_buildpack
from rfsn.errors import EnvUnavailable
from rfsn.models.swebench import Instance
from rfsn.settings import load_settings
from tests.buildpacks.test_pyversions import commit, make


def test_the_python_the_settings_choose_reaches_an_instance_of_a_2019_project(tmp_path: Path) -> None:
    """Issue 45's review: evaluate built the recipe with default options, so a project declaring
    only Pythons Debian lacks was labelled env even with RFSN_PYTHON=3.11."""
    repo = make(
        tmp_path / "repo",
        {
            ".travis.yml": "language: python\npython:\n  - 3.6\n  - 3.7\n",
            "setup.cfg": "[options]\npython_requires = <3.8\n",
            "requirements.txt": "six\n",
            "tests/test_x.py": "def test_x():\n    pass\n",
        },
    )
    base = commit(repo, "2019-06-01T12:00:00+00:00")
    inst = Instance(instance_id="o__r-1", repo=str(repo), base_commit=base)
    with pytest.raises(EnvUnavailable, match="not shipped by Debian"):
        instance_buildpack(inst, repo, load_settings(home=tmp_path / "h")).env_recipe(repo)
    chosen = instance_buildpack(inst, repo, load_settings(home=tmp_path / "h", python="3.11"))
    recipe = chosen.env_recipe(repo)
    assert recipe.base.version == "3.11", recipe.base
