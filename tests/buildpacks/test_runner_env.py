"""The variables a test script sets where it runs its runner reach rfsn's run of it.

node-fetch/node-fetch 2d0fc68 (2018, jsbugs design row): ``"test": "cross-env BABEL_ENV=test mocha
--require babel-register test/test.js"``, its ``.babelrc`` has presets only under ``env.test``; rfsn
ran mocha with the script's ``--require babel-register`` but without ``BABEL_ENV``, babel transformed
nothing, and both refine runs read no test ("the runs read no test: the runner's report is empty").
"""

from __future__ import annotations

import json
from pathlib import Path

from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.runneroptions import runner_env
from rfsn.models import TestReport
from rfsn.models import TestStatus as Status
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings


def test_the_scripts_assignments_before_its_runner_are_its_variables_node_fetch_2018() -> None:
    script = "cross-env BABEL_ENV=test mocha --require babel-register test/test.js"
    assert runner_env(script, "mocha") == ["BABEL_ENV=test"]
    assert runner_env("TRACE_LEVEL=log jest && A=1 node build.js", "jest") == ["TRACE_LEVEL=log"]
    assert runner_env("env NODE_ENV=test X=a=b nyc tap test/*.js", "tap") == ["NODE_ENV=test", "X=a=b"]
    assert runner_env("BABEL_ENV=rollup rollup -c && mocha", "mocha") == []  # another command's


def test_the_runner_runs_with_the_variables_its_script_sets_node_fetch_2018(tmp_path: Path) -> None:
    """A stand-in tap (the edge: a runner's binary) that passes its test only with ``BABEL_ENV=test``."""
    scripts = {"test": "cross-env BABEL_ENV=test tap test/*.js"}
    (tmp_path / "package.json").write_text(json.dumps({"scripts": scripts, "devDependencies": {"tap": "12"}}))
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "a.js").write_text("")
    report = run_stand_in(tmp_path, "tap", "test/a.js", "BABEL_ENV=test")
    assert report.tests == {"test/a.js": Status.PASSED}, report.log[-2000:]


def run_stand_in(repo: Path, runner: str, test: str, variable: str) -> TestReport:
    """The run of ``repo``'s tests by a stand-in TAP ``runner`` whose one ``test`` passes only
    with ``variable`` (``NAME=value``) set, its command checked to set it first."""
    bins = repo / "node_modules" / ".bin"
    bins.mkdir(parents=True)
    name, value = variable.split("=", 1)
    said = f'if [ "${name}" = {value} ]; then echo "ok 1 - {test}"; else echo "not ok 1 - {test}"; fi'
    (bins / runner).write_text(f'#!/bin/sh\necho "TAP version 13"\n{said}\necho "1..1"\n')
    (bins / runner).chmod(0o755)
    buildpack = NodeBuildpack()
    buildpack.configure(repo)
    assert buildpack.test_command([], "/r")[:2] == ["env", variable]
    with open_sandbox(repo, buildpack, load_settings(), "local") as box:
        return run_tests(box, buildpack, timeout=120)
