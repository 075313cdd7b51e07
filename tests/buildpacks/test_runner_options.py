"""The options a test script gives mocha or jest reach the run rfsn makes of it.

paulmillr/chokidar at its 2022 commit (``"mocha": "mocha --exit --timeout 90000"``): rfsn ran
``mocha --reporter <its own> test.js`` and the suite's ``before`` hook, which makes a directory per
test, had mocha's default 2000 ms: ``Timeout of 2000ms exceeded``, the row 0/1. eemeli/yaml at
its 2022 commit (``"test": "jest --config config/jest.config.js"``): jest ran without its config,
so without its babel transform (``SyntaxError: Cannot use import statement outside a module``),
and only the two files jest's default pattern finds: 0/2.
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


def test_the_scripts_mocha_options_are_kept_but_what_reports_selects_or_watches_chokidar_2022() -> None:
    assert runner_options("npm run lint && mocha --exit --timeout 90000", "mocha") == ["--exit", "--timeout", "90000"]
    script = "istanbul cover _mocha -- -R spec --require ./test/setup.js -t=5000 --grep slow --bail test/"
    assert runner_options(script, "mocha") == ["--require", "./test/setup.js", "-t=5000"]
    # each option once, the first place that gives it; a segment without mocha gives none
    assert runner_options("node build.js -t 3 && mocha -u tdd a.js && mocha -u bdd --watch b.js", "mocha") == [
        "-u",
        "tdd",
    ]


def test_jests_config_is_kept_and_no_test_path_but_what_selects_or_reports_eemeli_yaml_2022(tmp_path: Path) -> None:
    package = {"scripts": {"test": "jest --config config/jest.config.js"}, "devDependencies": {"jest": "^29"}}
    assert runner_paths(package, "jest") == []
    assert runner_options("jest -c a.js --coverage --json -i --testTimeout=9 --bail 1", "jest") == [
        *("-c", "a.js", "-i", "--testTimeout=9"),
    ]
    (tmp_path / "package.json").write_text(json.dumps(package))
    buildpack = NodeBuildpack()
    buildpack.configure(tmp_path)
    argv = buildpack.test_command([], "/tmp/r/reports")
    at = argv.index("node_modules/.bin/jest")
    assert argv[at + 1 : at + 3] == ["--config", "config/jest.config.js"] and "--json" in argv


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
    assert _rfsn_test(repo) == {"test/suite.js > the suite > runs after a slow hook": "passed"}


@pytest.mark.docker
def test_jest_reads_the_config_the_test_script_names_eemeli_yaml_2022(tmp_path: Path) -> None:
    repo = tmp_path / "configured"
    (repo / "config").mkdir(parents=True)
    (repo / "checks").mkdir()
    package = {"name": "configured", "scripts": {"test": "jest --config config/jest.config.js"}}
    (repo / "package.json").write_text(json.dumps({**package, "devDependencies": {"jest": "^29"}}))
    config = "module.exports = { rootDir: '..', testMatch: ['**/checks/*.js'] };\n"
    (repo / "config" / "jest.config.js").write_text(config)
    (repo / "checks" / "value.js").write_text("test('one', () => expect(1 + 1).toBe(2));\n")
    assert _rfsn_test(repo) == {"checks/value.js > one": "passed"}
