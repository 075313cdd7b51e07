"""The options a test script gives mocha reach the run rfsn makes of it.

paulmillr/chokidar at its 2022 commit (``"mocha": "mocha --exit --timeout 90000"``): rfsn ran
``mocha --reporter <its own> test.js`` and the suite's ``before`` hook, which makes a directory per
test, had mocha's default 2000 ms: ``Timeout of 2000ms exceeded``, the row 0/1.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.package import runner_paths
from rfsn.buildpacks.node.runneroptions import mocha_options
from tests.buildpacks.test_e2e_docker import _needs_docker  # noqa: F401  (skips without a daemon)
from tests.buildpacks.test_node_versions_docker import _project


def test_the_scripts_mocha_options_are_kept_but_what_reports_selects_or_watches_chokidar_2022() -> None:
    assert mocha_options("npm run lint && mocha --exit --timeout 90000") == ["--exit", "--timeout", "90000"]
    script = "istanbul cover _mocha -- -R spec --require ./test/setup.js -t=5000 --grep slow --bail test/"
    assert mocha_options(script) == ["--require", "./test/setup.js", "-t=5000"]
    # each option once, the first place that gives it; a segment without mocha gives none
    assert mocha_options("node build.js -t 3 && mocha -u tdd a.js && mocha -u bdd --watch b.js") == ["-u", "tdd"]


def test_an_options_value_is_no_test_path_and_the_buildpack_passes_them_on(tmp_path: Path) -> None:
    scripts = {"test": "npm run mocha", "mocha": "mocha --require ./test/setup.js --timeout 90000 test/*.js"}
    package = {"scripts": scripts, "devDependencies": {"mocha": "10"}}
    assert runner_paths(package, "mocha") == ["test/*.js"]
    (tmp_path / "package.json").write_text(json.dumps(package))
    buildpack = NodeBuildpack()
    buildpack.configure(tmp_path)
    argv = buildpack.test_command([], "/tmp/r/reports")
    at = argv.index("node_modules/.bin/mocha")
    assert argv[at + 1 : at + 5] == ["--require", "./test/setup.js", "--timeout", "90000"]
    assert argv[-1] == "test/*.js" and "./test/setup.js" not in argv[at + 5 :]


HOOKED = """\
var assert = require('assert');
describe('the suite', function () {
  before(function (done) { setTimeout(done, 2500); });
  it('runs after a slow hook', function () { assert.equal(global.fromSetup, 1); });
});
"""


@pytest.mark.docker
def test_a_hook_slower_than_mochas_default_runs_with_the_scripts_timeout_chokidar_2022(tmp_path: Path) -> None:
    scripts = {"test": "npm run mocha", "mocha": "mocha --timeout 20000 --require ./test/setup.js test/"}
    package = {"name": "hooked", "version": "1.0.0", "engines": {"node": "8.x"}, "scripts": scripts}
    files = {"test/suite.js": HOOKED, "test/setup.js": "global.fromSetup = 1;\n"}
    repo = _project(tmp_path / "hooked", {**package, "devDependencies": {"mocha": "3.5.3"}}, files)
    proc = subprocess.run(
        [sys.executable, "-c", "from rfsn.cli import main; main()", "test", str(repo), "--sandbox", "docker", "--json"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    assert dict(json.loads(proc.stdout)["tests"]) == {"test/suite.js > the suite > runs after a slow hook": "passed"}
