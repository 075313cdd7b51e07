"""A project whose CI is Travis CI ran its tests on a terminal, and colour detection gave colours
there: rfsn's runs give them too (``FORCE_COLOR=1``).

chalk/wrap-ansi a8c3423 (2017, jsbugs design row): ``"test": "xo && nyc ava"``, Travis CI only; its
tests expect chalk's colours (``\\u001B[31mfox j\\u001B[39m``). rfsn's runs have no terminal, chalk
gave none, six tests failed at the buggy commit and with the fix alike, and the new test never
passed: "no test fails at the buggy commit and passes with the fix".
"""

from __future__ import annotations

import json
from pathlib import Path

from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.runneroptions import terminal_env
from rfsn.models import TestStatus as Status
from tests.buildpacks.test_runner_env import run_stand_in


def _project(where: Path, *ci: str) -> Path:
    scripts = {"test": "xo && nyc ava"}
    where.mkdir(exist_ok=True)
    (where / "package.json").write_text(json.dumps({"scripts": scripts, "devDependencies": {"ava": "^0.21.0"}}))
    (where / "test.js").write_text("")
    for path in ci:
        (where / path).parent.mkdir(parents=True, exist_ok=True)
        (where / path).write_text("language: node_js\n")
    return where


def test_a_suite_of_travis_ci_runs_with_its_terminals_colours_wrap_ansi_2017(tmp_path: Path) -> None:
    repo = _project(tmp_path, ".travis.yml")
    report = run_stand_in(repo, "ava", "no word-wrapping", "FORCE_COLOR=1")
    assert report.tests == {"no word-wrapping": Status.PASSED}, report.log[-2000:]


def test_only_where_travis_ci_is_the_only_ci(tmp_path: Path) -> None:
    assert terminal_env(_project(tmp_path / "a", ".travis.yml")) == ["FORCE_COLOR=1"]
    assert terminal_env(_project(tmp_path / "b")) == []
    # GitHub Actions gives no terminal: a suite that runs there passes without colours
    assert terminal_env(_project(tmp_path / "c", ".travis.yml", ".github/workflows/ci.yml")) == []
    script = NodeBuildpack()
    only_checks = {"engines": {"node": "16"}, "scripts": {"test": "xo && tsd"}}  # the script as a whole
    (_project(tmp_path / "d", ".travis.yml") / "package.json").write_text(json.dumps(only_checks))
    script.configure(tmp_path / "d")
    assert script.runner == "script" and script.test_command([], "/r") == ["env", "FORCE_COLOR=1", "npm", "test"]
