"""ava, node-tap and tape: their TAP read test by test, and the runner the test script names.

chalk/strip-ansi and the sindresorhus packages (``xo && ava && tsd``), npm/node-which and
isaacs/yallist (``tap``), tape suites (``nyc tape 'test/**/*.js'``) ran ``node --test`` before,
which found no test of theirs. The fixtures are what the real runners printed (their README).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.package import detect_runner, full_test_script, plain_node_files, runner_paths
from rfsn.buildpacks.node.runcommands import NODE_REPORT
from rfsn.buildpacks.node.tapruns import TAP_REPORT
from rfsn.models import TestReport
from rfsn.models import TestStatus as Status
from tests.buildpacks.conftest import FIXTURES

TAP = FIXTURES / "node" / "tap"


@pytest.mark.parametrize("version", ["6.4.1", "3.15.0"])
def test_ava_tap_names_each_test_by_file_and_title(version: str) -> None:
    statuses = NodeBuildpack("ava").parse("", {TAP_REPORT: (TAP / f"ava-{version}.tap").read_text()})
    assert statuses == {
        "b > other file": Status.PASSED,
        "a > adds": Status.PASSED,
        "a > fails on purpose": Status.FAILED,
        "a > skipped one": Status.SKIPPED,
        "a > later": Status.SKIPPED,
    }


@pytest.mark.parametrize("version", ["21.8.0", "16.3.10"])
def test_node_tap_subtests_are_tests_and_their_assertions_are_not(version: str) -> None:
    statuses = NodeBuildpack("tap").parse("", {TAP_REPORT: (TAP / f"tap-{version}.tap").read_text()})
    file = "tp/y.test.cjs" if version.startswith("21") else "tp/y.test.js"
    assert statuses == {
        f"{file} > adds": Status.PASSED,
        f"{file} > group > inner ok": Status.PASSED,
        f"{file} > group > inner bad": Status.FAILED,
        f"{file} > skipped": Status.SKIPPED,
        file: Status.PASSED,  # its own assertion among its subtests ("top-level assert")
    }


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        (
            "both",
            {
                "hooks > first": "passed",
                "hooks > second fails": "failed",
                "hooks > third": "passed",
                "plain > other": "passed",
            },
        ),
        ("one", {"first": "passed", "second fails": "failed", "third": "passed"}),
    ],
)
def test_avas_comments_that_hooks_ran_name_no_test_sindresorhus_find_up_head(
    printed: str, expected: dict[str, str]
) -> None:
    """find-up at HEAD (ava with ``beforeEach``/``afterEach``): ava's comments that a hook ran
    (``# findup``, U+203A, ``afterEach hook for ...``) were read as tape's test headers: 106 tests
    counted as 56, named by hooks."""
    statuses = NodeBuildpack("ava").parse("", {TAP_REPORT: (TAP / f"ava-6.4.1-hooks-{printed}.tap").read_text()})
    assert {tid: status.value for tid, status in statuses.items()} == expected


def test_tape_tests_are_the_comments_that_head_their_assertions() -> None:
    statuses = NodeBuildpack("tape").parse("", {TAP_REPORT: (TAP / "tape-5.10.2.tap").read_text()})
    assert statuses == {
        "adds": Status.PASSED,
        "fails": Status.FAILED,
        "skipped": Status.SKIPPED,
        "inner": Status.PASSED,
    }


def test_a_file_of_bare_assertions_is_one_test_and_console_lines_are_ignored() -> None:
    report = (
        "TAP version 13\n# Subtest: test/basic.js\n    hello from a test\n    ok 1 - should be equal\n"
        "    not ok 2 - should be equal\n    1..2\nnot ok 1 - test/basic.js # time=3ms\n1..1\n"
    )
    assert NodeBuildpack("tap").parse("", {TAP_REPORT: report}) == {"test/basic.js": Status.FAILED}


#: what tap 2.3.4 printed for isaacs/yallist at 308a33b with the test of 82ebcd0 (cut): bare
#: assertions with repeated messages, a subtest, then the error the file threw, as an assertion
_YALLIST_BASE = """TAP version 13
    # Subtest: test/basic.js
    ok 1 - build from single list or args
    ok 2 - should be equal
        # Subtest: forEach
        1..1
        ok 1 - should be equal
    ok 3 - forEach # time=1.672ms

    ok 4 - should be equal
    ok 5 - should be equivalent
    not ok 6 - TypeError: Cannot set properties of null (setting 'prev')
      ---
      at:
        file: yallist.js
      ...
    1..6
    # failed 1 of 6 tests
not ok 1 - test/basic.js # time=449.278ms
1..1
"""


def test_a_files_own_assertions_among_its_subtests_are_one_test_of_the_file_yallist_82ebcd0() -> None:
    """isaacs/yallist 82ebcd0 (tap 2): at the base the file threw, named by its error, and with
    the fix its later assertions ran, named by their repeated messages: no test flipped."""
    base = NodeBuildpack("tap").parse("", {TAP_REPORT: _YALLIST_BASE})
    assert base == {"test/basic.js": Status.FAILED, "test/basic.js > forEach": Status.PASSED}
    fixed = _YALLIST_BASE.replace("not ok 6 - TypeError: Cannot set properties of null (setting 'prev')", "ok 6 - ok")
    after = NodeBuildpack("tap").parse("", {TAP_REPORT: fixed.replace("not ok 1 -", "ok 1 -")})
    assert after == {"test/basic.js": Status.PASSED, "test/basic.js > forEach": Status.PASSED}


def _package(tmp_path: Path, scripts: dict[str, str], dev: dict[str, str]) -> Path:
    (tmp_path / "package.json").write_text(json.dumps({"scripts": scripts, "devDependencies": dev}))
    return tmp_path


def test_the_runner_and_its_paths_come_from_the_scripts_the_test_script_runs(tmp_path: Path) -> None:
    """form-data/form-data's ``npm run tests-only`` form, here running ``nyc tape 'test/**/*.js'``."""
    package = {
        "scripts": {"test": "npm run tests-only", "tests-only": "nyc tape 'test/**/*.js'"},
        "devDependencies": {"nyc": "1", "tape": "5"},
    }
    assert full_test_script(package) == "nyc tape 'test/**/*.js'"
    assert detect_runner(package) == "tape" and runner_paths(package, "tape") == ["test/**/*.js"]
    assert runner_paths({"scripts": {"test": "xo && ava test/a.js test/b.js && tsd"}}, "ava") == [
        "test/a.js",
        "test/b.js",
    ]
    regex = {"scripts": {"test": "pnpm run /^test:/", "test:unit": "mocha spec", "lint": "eslint ."}}
    assert full_test_script(regex) == "mocha spec" and detect_runner(regex) == "mocha"
    (tmp_path / "test").mkdir()
    bare = {"scripts": {"test": "eslint . && tap -Rspec --100 test"}}
    assert runner_paths(bare, "tap") == [] and runner_paths(bare, "tap", tmp_path) == ["test"]


def test_the_commands_write_their_tap_where_it_is_read(tmp_path: Path) -> None:
    buildpack = NodeBuildpack()
    buildpack.configure(_package(tmp_path, {"test": "xo && ava test/a.js && tsd"}, {"ava": "6", "xo": "1"}))
    argv = buildpack.test_command(["a > adds"], "/r")
    assert argv[:2] == ["sh", "-c"] and TAP_REPORT in argv[2] and argv[4] == "/r"
    assert argv[5:] == ["node_modules/.bin/ava", "--tap", "test/a.js", "--match=adds"]
    buildpack.configure(_package(tmp_path, {"test": "standard && tape"}, {"tape": "5"}))
    assert buildpack.runner == "script"  # tape given no file runs none: the script as a whole


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm")
def test_a_checkout_is_prepared_as_npm_install_and_npm_test_would_isaacs_yallist(tmp_path: Path) -> None:
    """isaacs/yallist's tests import what ``prepare`` (tshy) builds; ``npm install`` in a checkout
    runs it, rfsn's install (package.json alone) cannot. A failing ``pretest`` is said, not fatal."""
    build = "node -e \"require('fs').writeFileSync('built.txt', 'yes')\""
    repo = _package(tmp_path, {"prepare": build, "pretest": "exit 3", "test": "tap"}, {"tap": "21"})
    link, *steps = NodeBuildpack().setup_commands(repo)
    assert "node_modules" in link[-1] and len(steps) == 2
    runs = [subprocess.run(argv, cwd=repo, capture_output=True, text=True, timeout=120) for argv in steps]
    assert [r.returncode for r in runs] == [0, 0] and (repo / "built.txt").read_text() == "yes"
    assert "npm run pretest failed" in runs[1].stderr


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm")
def test_a_test_file_the_checkout_lacks_is_built_first_chokidar_head(tmp_path: Path) -> None:
    """paulmillr/chokidar at HEAD: ``node index.test.js`` runs what ``tsc`` (``npm run build``)
    writes from ``src/index.test.ts``; the checkout has no such file, and no test ran."""
    build = "node -e \"require('fs').writeFileSync('index.test.js', 'built')\""
    repo = _package(tmp_path, {"build": build, "test": "node index.test.js"}, {"typescript": "6"})
    from rfsn.sandbox.local import LocalSandbox

    buildpack = NodeBuildpack()
    link, *steps = buildpack.setup_commands(repo)
    assert steps == [] and buildpack.rebuilds.names == ["build"]  # built before the first test run
    box = LocalSandbox(repo, None, {}, "2g")
    try:
        assert buildpack.rebuild(box, 120)[1] == "" and (repo / "index.test.js").read_text() == "built"
    finally:
        box.close()
    assert NodeBuildpack().setup_commands(repo) == [link]  # the file is there (no git): nothing to build


def _run_script(repo: Path) -> None:
    """The project's test script as rfsn runs it as a whole (``script``), offline; it must pass."""
    buildpack = NodeBuildpack()
    buildpack.configure(repo)
    assert buildpack.runner == "script"
    env = {**os.environ, "npm_config_offline": "true", "npm_config_update_notifier": "false"}
    done = subprocess.run(buildpack.test_command([], "/r"), cwd=repo, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm")
def test_the_script_as_a_whole_runs_without_its_posttest_form_data_head(tmp_path: Path) -> None:
    """form-data/form-data at HEAD: ``npm test`` ran its ``posttest``, ``npx npm@'>=10.2' audit``,
    which cannot pass in a sandbox without network: the suite failed whatever its tests did. The
    pretest and the scripts the test script runs by name keep their own pre-scripts."""
    write = "node -e \"require('fs').appendFileSync('ran.txt', process.argv[1] + ' ')\""
    scripts = {
        "pretest": f"{write} pretest",
        "test": "npm run tests-only",
        "pretests-only": f"{write} pretests-only",
        "tests-only": f"{write} tests-only",
        "posttest": "exit 3",
    }
    repo = _package(tmp_path, scripts, {"istanbul": "0.4", "tape": "5"})
    _run_script(repo)
    assert (repo / "ran.txt").read_text().split() == ["pretest", "pretests-only", "tests-only"]
    # an npm before 7 has no ``npm exec``: its test script runs as ``npm test`` did
    (repo / "package.json").write_text(json.dumps({"engines": {"node": "6"}, "scripts": scripts}))
    buildpack = NodeBuildpack()
    buildpack.configure(repo)
    assert buildpack.test_command([], "/r") == ["npm", "test"]


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm")
def test_the_script_as_a_whole_runs_without_its_linters_and_type_checks_postcss_head(tmp_path: Path) -> None:
    """postcss/postcss at HEAD (``FORCE_COLOR=1 pnpm run /^test:/``: eslint, check-dts, the uvu
    tests, size-limit): the run was killed at 900 s with eslint still linting on a loaded machine,
    and the suite counted as failed. The checks are left out; the tests and their wrapper run."""
    scripts = {
        "test:lint": "eslint .",
        "test:types": "check-dts",
        "test:unit": 'c8 uvu test "\\.test\\.(ts|js)$"',
        "test:size": "size-limit",
        "test": "FORCE_COLOR=1 pnpm run /^test:/",
    }
    repo = _package(tmp_path, scripts, {"uvu": "0.5", "eslint": "9", "check-dts": "1", "size-limit": "11"})
    bins = repo / "node_modules" / ".bin"
    bins.mkdir(parents=True)
    for name, text in (("c8", 'exec "$@"'), ("uvu", 'printf "%s " uvu "$@" >> ran.txt')):
        (bins / name).write_text(f"#!/bin/sh\n{text}\n")
        (bins / name).chmod(0o755)
    _run_script(repo)
    assert (repo / "ran.txt").read_text().split() == ["uvu", "test", "\\.test\\.(ts|js)$"]
    only_checks = {"test": "xo && tsd"}  # nothing but checks: the script runs as it is
    (repo / "package.json").write_text(json.dumps({"engines": {"node": "16"}, "scripts": only_checks}))
    buildpack = NodeBuildpack()
    buildpack.configure(repo)
    assert buildpack.test_command([], "/r") == ["npm", "test"]


def test_files_run_with_plain_node_are_node_tests_and_an_unread_runner_runs_the_script(tmp_path: Path) -> None:
    """lodash/lodash (``node test/test && node test/test-fp``): those files, not every file of test/
    that ``node --test`` would discover; postcss/postcss (``c8 uvu ... test``): the script as a whole."""
    (tmp_path / "test").mkdir()
    for name in ("test.js", "test-fp.js", "helper.js"):
        (tmp_path / "test" / name).write_text("")
    lodash = {
        "scripts": {
            "test": "npm run test:main && npm run test:fp",
            "test:main": "node test/test",
            "test:fp": "node test/test-fp",
        },
        "devDependencies": {"lodash-doc": "1"},
    }
    assert plain_node_files(lodash, tmp_path) == ["test/test.js", "test/test-fp.js"]
    buildpack = NodeBuildpack()
    buildpack.configure(_package(tmp_path, lodash["scripts"], lodash["devDependencies"]))
    assert buildpack.runner == "node" and buildpack.test_command([], "/r")[-2:] == ["test/test.js", "test/test-fp.js"]
    nanoid = {"scripts": {"test": "bnt --coverage 100 && oxlint && node ./test/check-versions.js"}}
    (tmp_path / "test" / "check-versions.js").write_text("")
    assert plain_node_files(nanoid, tmp_path) == []
    uvu = {"test": 'c8 uvu -r ts-node/register test "\\.test\\.(ts|js)$" && node ./test/version.js'}
    assert detect_runner({"scripts": uvu}) == "script"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_a_wrapper_of_node_test_runs_the_files_named_as_tests_ai_nanoid_head(tmp_path: Path) -> None:
    """ai/nanoid at HEAD (``bnt``, which runs ``node --test`` on its ``*.test.js``): rfsn's bare
    ``node --test`` also ran test/benchmark.js and the browser demo (``document is not defined``),
    two errors that the project's own run never has."""
    (tmp_path / "test" / "demo").mkdir(parents=True)
    (tmp_path / "test" / "demo" / "index.js").write_text("document.body.innerHTML = ''\n")
    (tmp_path / "test" / "benchmark.js").write_text("process.exit(2)\n")
    (tmp_path / "test" / "index.test.js").write_text("require('node:test')('adds', () => {})\n")
    repo = _package(tmp_path, {"test": "bnt --coverage 100"}, {"better-node-test": "0.8"})
    buildpack = NodeBuildpack()
    buildpack.configure(repo)
    assert buildpack.runner == "node" and buildpack.node_args == ["test/index.test.js"]
    reports = tmp_path / "reports"
    reports.mkdir()
    done = subprocess.run(buildpack.test_command([], str(reports)), cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert buildpack.parse(done.stdout, {NODE_REPORT: (reports / NODE_REPORT).read_text()}) == {
        "test/index.test.js > adds": Status.PASSED
    }


def test_a_title_with_a_lone_surrogate_gives_an_id_json_can_carry_eemeli_yaml() -> None:
    """eemeli/yaml tests a string with a lone surrogate; vitest's JSON names the test with it, and
    ``rfsn test --json`` died: "UnicodeEncodeError: ... surrogates not allowed"."""
    report = json.dumps(
        {
            "testResults": [
                {
                    "name": "/p/tests/doc.ts",
                    "assertionResults": [
                        {"ancestorTitles": ["strings"], "title": "lone \udead surrogate", "status": "passed"}
                    ],
                }
            ]
        }
    )
    statuses = NodeBuildpack("vitest").parse("", {"vitest.json": report, "cwd.txt": "/p"})
    assert list(statuses) == ["tests/doc.ts > strings > lone \\udead surrogate"]
    assert "surrogate" in TestReport(tests=statuses).model_dump_json()
