"""The build a project's tests import runs again before each test run, so a patch reaches it.

Rich-Harris/magic-string ffaca6e (2015): its tests import ``dist/``, which ``pretest`` (``npm run
build:cjs``, rollup) builds; the sandbox's setup built it once, before validate applied the gold
patch, so the gold run tested the unpatched build and the bug was ``gold_unresolved``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rfsn import hostgit
from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.checkout import rebuild_steps
from rfsn.models import TestStatus as Status
from rfsn.runner import run_tests


def test_only_the_steps_that_build_run_again_and_each_script_once(tmp_path: Path) -> None:
    """magic-string 2015 (``pretest``: ``npm run build:cjs``), isaacs/yallist (``pretest``: ``npm run
    prepare``), magic-string at HEAD (``prepare`` and ``pretest`` both ``pnpm run build``) build;
    form-data's ``pretest`` (``npm run lint``) and a husky ``prepare`` do not."""
    built = {"pretest": "npm run build:cjs", "build:cjs": "rollup -c", "test": "mocha"}
    assert rebuild_steps({"scripts": built}, tmp_path, "mocha") == ["pretest"]
    assert rebuild_steps({"scripts": {"prepare": "tshy", "pretest": "npm run prepare"}}, tmp_path, "tap") == ["pretest"]
    twice = {"build": "tsdown", "prepare": "pnpm run build", "pretest": "pnpm run build", "test": "vitest run"}
    assert rebuild_steps({"scripts": twice}, tmp_path, "vitest") == ["prepare"]
    lint = {"pretest": "npm run lint", "lint": "eslint .", "prepare": "husky install", "test": "tape t.js"}
    assert rebuild_steps({"scripts": lint}, tmp_path, "tape") == []
    # the test script as a whole (``npm test``) runs its pretest itself
    assert rebuild_steps({"scripts": built}, tmp_path, "script") == []


def test_a_build_the_test_script_runs_before_its_runner_is_a_build_step_js_tokens_head(tmp_path: Path) -> None:
    """lydell/js-tokens at HEAD: ``... && npm run build && tsd && vitest run``; rfsn runs vitest
    alone, and every test file failed importing ``../build/index.js``, which ``build`` writes."""
    scripts = {"build": "node build.js", "test": "eslint . && npm run build && tsd && vitest run"}
    package = {"scripts": scripts, "devDependencies": {"vitest": "4"}}
    (tmp_path / "package.json").write_text(json.dumps(package))
    (tmp_path / "build.js").write_text("")  # the checkout has its build script, not what it writes
    buildpack = NodeBuildpack()
    _link, *setup = buildpack.setup_commands(tmp_path)
    assert buildpack.rebuilds.names == ["build"] and setup == []  # built before the first run, not in the setup
    # the test script as a whole runs its build itself: once in the setup, not again before it
    assert rebuild_steps(package, tmp_path, "script") == []


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm")
def test_a_patch_to_the_sources_reaches_the_build_the_tests_import_magic_string_ffaca6e(tmp_path: Path) -> None:
    from rfsn.sandbox.local import LocalSandbox

    scripts = {"pretest": "npm run build", "build": "node build.js", "test": "node --test"}
    (tmp_path / "package.json").write_text(json.dumps({"scripts": scripts, "devDependencies": {"rollup": "0.20"}}))
    (tmp_path / "build.js").write_text(
        "const fs = require('fs'); fs.mkdirSync('dist', { recursive: true });\n"
        "if (fs.readFileSync('src/value.js', 'utf8').includes('(')) process.exit(1);\n"
        "fs.copyFileSync('src/value.js', 'dist/value.js');\n"
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "value.js").write_text("module.exports = 1;\n")
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "value.test.js").write_text(
        "const test = require('node:test'); const assert = require('assert');\n"
        "test('value', () => assert.strictEqual(require('../dist/value.js'), 2));\n"
    )
    buildpack = NodeBuildpack()
    _link, *setup = buildpack.setup_commands(tmp_path)
    box = LocalSandbox(tmp_path, None, {}, "2g")
    try:
        assert setup == []  # the first run builds
        assert run_tests(box, buildpack, timeout=120).tests == {"test/value.test.js > value": Status.FAILED}
        (tmp_path / "src" / "value.js").write_text("module.exports = 2;\n")  # the patch
        assert run_tests(box, buildpack, timeout=120).tests == {"test/value.test.js > value": Status.PASSED}
        # a patch the build fails on is not judged on the last build, which passed
        (tmp_path / "src" / "value.js").write_text("module.exports = (2;\n")
        broken = run_tests(box, buildpack, ["test/value.test.js > value"], timeout=120)
        assert broken.tests == {"test/value.test.js > value": Status.ERROR} and "npm run pretest" in broken.reason
    finally:
        box.close()
    assert (tmp_path / "dist" / "value.js").read_text() == "module.exports = 2;\n"


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm")
def test_a_build_that_never_built_here_is_dropped_and_the_tests_run(tmp_path: Path) -> None:
    """A build the environment cannot run (a tool it lacks) fails from the first: the tests run
    without it, as the setup's step does, rather than never."""
    from rfsn.sandbox.local import LocalSandbox

    scripts = {"pretest": "npm run build", "build": "exit 7", "test": "node --test"}
    (tmp_path / "package.json").write_text(json.dumps({"scripts": scripts, "devDependencies": {"rollup": "0.20"}}))
    (tmp_path / "a.test.js").write_text("require('node:test')('a', () => {});\n")
    buildpack = NodeBuildpack()
    buildpack.setup_commands(tmp_path)
    box = LocalSandbox(tmp_path, None, {}, "2g")
    try:
        assert run_tests(box, buildpack, timeout=120).tests == {"a.test.js > a": Status.PASSED}
    finally:
        box.close()
    assert buildpack.rebuilds.names == []


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm")
def test_a_tree_unchanged_since_its_last_build_is_not_built_again_yallist_head(tmp_path: Path) -> None:
    """isaacs/yallist at HEAD (``pretest``: ``npm run prepare``, tshy): the setup built the tree,
    then the first run built the same tree again (33.9 s before a 24.2 s run). One build per tree."""
    from rfsn.sandbox.local import LocalSandbox

    scripts = {"pretest": "npm run build", "build": "node build.js", "test": "node --test"}
    (tmp_path / "package.json").write_text(json.dumps({"scripts": scripts, "devDependencies": {"tshy": "3"}}))
    (tmp_path / "build.js").write_text(
        "const fs = require('fs'); fs.appendFileSync('builds.log', 'built\\n');\n"
        "fs.mkdirSync('dist', { recursive: true }); fs.copyFileSync('src/value.js', 'dist/value.js');\n"
    )
    (tmp_path / ".gitignore").write_text("dist/\nbuilds.log\nnode_modules\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "value.js").write_text("module.exports = 1;\n")
    (tmp_path / "value.test.js").write_text(
        "const test = require('node:test'); const assert = require('assert');\n"
        "test('value', () => assert.strictEqual(require('./dist/value.js'), 1));\n"
    )
    hostgit.git(tmp_path, "init", "-q")
    hostgit.git(tmp_path, "add", "-A")
    hostgit.commit(tmp_path, "the checkout")
    buildpack = NodeBuildpack()
    _link, *setup = buildpack.setup_commands(tmp_path)
    box = LocalSandbox(tmp_path, None, {}, "2g")
    try:
        assert [box.exec(argv, timeout=120).exit_code for argv in setup] == [0] * len(setup)
        for _ in range(2):
            assert run_tests(box, buildpack, timeout=120).tests == {"value.test.js > value": Status.PASSED}
        assert (tmp_path / "builds.log").read_text().count("built") == 1
        (tmp_path / "src" / "value.js").write_text("module.exports = 2;\n")  # a patch: built again
        assert run_tests(box, buildpack, timeout=120).tests == {"value.test.js > value": Status.FAILED}
    finally:
        box.close()
    assert (tmp_path / "builds.log").read_text().count("built") == 2


def test_a_build_output_an_earlier_sandbox_left_on_disk_is_built_still_chokidar_head(tmp_path: Path) -> None:
    """paulmillr/chokidar at HEAD: the test script runs ``node`` on a file ``build`` (tsc) writes; a
    second sandbox on the same workspace found the first one's output on disk and built nothing,
    neither in its setup nor before its runs, so a patch never reached the tests."""
    package = {"scripts": {"build": "tsc", "test": "node index.test.js"}, "devDependencies": {"typescript": "5"}}
    (tmp_path / "package.json").write_text(json.dumps(package))
    (tmp_path / ".gitignore").write_text("index.test.js\n")
    hostgit.git(tmp_path, "init", "-q")
    hostgit.git(tmp_path, "add", "-A")
    hostgit.commit(tmp_path, "the checkout")
    (tmp_path / "index.test.js").write_text("")  # what the first sandbox's build wrote
    buildpack = NodeBuildpack()
    buildpack.setup_commands(tmp_path)
    assert buildpack.rebuilds.names == ["build"]
