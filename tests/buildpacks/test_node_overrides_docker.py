"""An old project without a lockfile installs what its day installed: package.json's ``overrides``
where the era's npm predates them (npm 8.3), the runner its test script calls undeclared.

From the historical JavaScript bugs of issue 70: a 2019 project on Node 10 (npm 6.14.12, no
lockfile) whose dependency's dependency asks for a release the registry no longer lists; the
engine pins wrote an override that npm 6 never read, and the install stopped on the same range
(chokidar dae7788). Here a project of 2019 on Node 10 overrides a dependency's dependency
(mocha 3.5.3's ``debug``, pinned at 2.6.8) and its tests, run on Node 10, read what got installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.buildpacks.test_e2e_docker import _needs_docker, _rfsn_test  # noqa: F401  (skips without a daemon)
from tests.buildpacks.test_node_versions_docker import _project

pytestmark = pytest.mark.docker

SUITE = """\
var assert = require('assert');
describe('the install', function () {
  it('runs on the node the project declares', function () { assert.equal(process.version.split('.')[0], 'v10'); });
  it('holds the override', function () { assert.equal(require('debug/package.json').version, '2.6.9'); });
});
"""


def test_overrides_hold_on_node_10_whose_npm_6_ignores_them_chokidar_2019_jsbugs(tmp_path: Path) -> None:
    repo = _project(
        tmp_path / "old",
        {
            "name": "old",
            "version": "1.0.0",
            "engines": {"node": "10.x"},
            "scripts": {"test": "mocha"},
            "devDependencies": {"mocha": "3.5.3"},
            "overrides": {"debug": "2.6.9"},
        },
        {"test/install.js": SUITE},
        day="2019-03-01T12:00:00Z",
    )
    assert _rfsn_test(repo) == {
        "test/install.js > the install > runs on the node the project declares": "passed",
        "test/install.js > the install > holds the override": "passed",
    }


GLOBAL_MOCHA = """\
var assert = require('assert');
describe('the runner', function () {
  it('runs on the node the project declares', function () { assert.equal(process.version.split('.')[1], '10'); });
  it('is a mocha of its day', function () { assert.equal(require('mocha/package.json').version.split('.')[0], '2'); });
});
"""


def test_a_runner_the_test_script_calls_undeclared_is_installed_of_its_day_micromatch_2015_jsbugs(
    tmp_path: Path,
) -> None:
    """micromatch feeb898 (2015): ``"test": "mocha"`` with no mocha among its dependencies (a global
    install of the day); the runs exited 127, ``node_modules/.bin/mocha: not found``."""
    repo = _project(
        tmp_path / "old",
        {"name": "old", "version": "1.0.0", "engines": {"node": "0.10.x"}, "scripts": {"test": "mocha"}},
        {"test/runner.js": GLOBAL_MOCHA},
        day="2015-02-15T12:00:00Z",
    )
    assert _rfsn_test(repo) == {
        "test/runner.js > the runner > runs on the node the project declares": "passed",
        "test/runner.js > the runner > is a mocha of its day": "passed",
    }
