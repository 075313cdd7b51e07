"""The options a test script gives node-tap, ava, tape or vitest reach the run rfsn makes of it.

tapjs/signal-exit at its 2016 fix 395ccc8 (``"test": "tap --timeout=240 ./test/*.js --cov"``): rfsn
ran ``tap --reporter=tap test/many-handlers.js`` and the script's ``--timeout=240`` was dropped (tap's
own 30 s a file), as every option a script gave a runner other than mocha or jest was (vitest's
``--config``, ava's ``--serial``, tape's ``-r``); those that report (``-Rspec``, ``--tap``), select by
name, watch, stop early, measure coverage (``--cov``, ``--100``, ``--coverage.enabled``) or run in
parallel are still left out.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.package import runner_paths
from rfsn.buildpacks.node.runneroptions import runner_options
from tests.buildpacks.test_e2e_docker import _needs_docker, _rfsn_test  # noqa: F401  (skips without a daemon)
from tests.buildpacks.test_node_versions_docker import _project


def test_taps_timeout_is_kept_and_its_coverage_and_reporter_dropped_signal_exit_2016() -> None:
    assert runner_options("standard && nyc tap --timeout=240 ./test/*.js --cov", "tap") == ["--timeout=240"]
    assert runner_options("tap -Rspec --100 -t 60 --node-arg=--expose-gc -J test", "tap") == [
        *("-t", "60", "--node-arg=--expose-gc"),
    ]
    assert runner_paths({"scripts": {"test": "tap -R spec --timeout 240 test/*.js"}}, "tap") == ["test/*.js"]


def test_avas_vitests_and_tapes_options_are_kept_but_what_reports_selects_or_measures() -> None:
    assert runner_options("xo && ava --serial --verbose --timeout=1m -m 'x*' --fail-fast", "ava") == [
        *("--serial", "--timeout=1m"),
    ]
    script = "vitest run --config vitest.unit.ts --coverage --coverage.enabled=false --reporter verbose -t x"
    assert runner_options(script, "vitest") == ["--config", "vitest.unit.ts"]
    assert runner_options("tape -r ./test/setup.js test/*.js", "tape") == ["-r", "./test/setup.js"]


@pytest.mark.parametrize(
    ("runner", "script", "first"),
    [
        ("tap", "tap --timeout=240 test/*.js --cov", ["node_modules/.bin/tap", "--reporter=tap", "--timeout=240"]),
        ("ava", "ava --serial", ["node_modules/.bin/ava", "--tap", "--serial"]),
        ("vitest", "vitest run -c v.config.ts", ["node_modules/.bin/vitest", "run", "-c", "v.config.ts"]),
    ],
)
def test_the_buildpack_gives_the_runner_the_scripts_options(
    tmp_path: Path, runner: str, script: str, first: list[str]
) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"scripts": {"test": script}, "devDependencies": {runner: "*"}}))
    buildpack = NodeBuildpack()
    buildpack.configure(tmp_path)
    argv = buildpack.test_command([], "/tmp/r/reports")
    at = argv.index(first[0])
    assert argv[at : at + len(first)] == first


GC = """\
var t = require('tap');
t.test('the collector', function (t) {
  t.equal(typeof global.gc, 'function');
  t.end();
});
"""


@pytest.mark.docker
def test_node_tap_runs_with_the_node_arguments_its_script_gives_signal_exit_2016(tmp_path: Path) -> None:
    script = "tap --timeout=240 --node-arg=--expose-gc test/*.js --cov"
    package = {"name": "collected", "version": "1.0.0", "engines": {"node": "8.x"}, "scripts": {"test": script}}
    repo = _project(tmp_path / "collected", {**package, "devDependencies": {"tap": "12.7.0"}}, {"test/gc.js": GC})
    assert _rfsn_test(repo) == {"test/gc.js > the collector": "passed"}
