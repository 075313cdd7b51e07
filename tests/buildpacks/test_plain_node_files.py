"""On a Node without ``node --test`` (before 18), the files a test script runs with plain ``node``
are each a test, named by its path, whose exit code is its verdict, as ``node --test`` reads them
on Node 18 and later.

form-data/form-data of 2013-2015 (``"test": "node test/run.js"``, its own runner of the integration
tests, on Node 0.10-4): rfsn ran ``npm test`` as a whole, and its one ``<suite>`` verdict is no test
a FAIL_TO_PASS can name (the jsbugs refine's "the runner names no test").
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.models import TestStatus as Status
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings

PASSES = "require('assert').strictEqual(1 + 1, 2);\nconsole.log('ok 7 - printed by the test itself');\n"
FAILS = "require('assert').strictEqual(1 + 1, 3);\n"


def _old_project(root: Path, script: str) -> Path:
    package = {"name": "old", "engines": {"node": "0.10"}, "scripts": {"test": script}}
    (root / "package.json").write_text(json.dumps(package))
    (root / "test").mkdir()
    (root / "test" / "run.js").write_text(PASSES)
    (root / "test" / "other.js").write_text(FAILS)
    return root


def test_the_plain_files_of_an_old_nodes_script_are_its_tests_form_data_2015(tmp_path: Path) -> None:
    repo = _old_project(tmp_path, "node test/run.js && node test/other")
    buildpack = NodeBuildpack()
    buildpack.configure(repo)
    assert (buildpack.runner, buildpack.structured, buildpack.node_args) == (
        "plain",
        True,
        ["test/run.js", "test/other.js"],
    )
    assert buildpack.test_command(["test/other.js"], "/r")[-1:] == ["test/other.js"]
    (repo / "package.json").write_text(json.dumps({"engines": {"node": "0.10"}, "scripts": {"test": "jasmine"}}))
    buildpack.configure(repo)
    assert buildpack.runner == "script"  # a runner rfsn reads no report of: the script as a whole


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_each_plain_file_is_judged_by_its_exit_code_form_data_2015(tmp_path: Path) -> None:
    repo = _old_project(tmp_path, "node test/run.js && node test/other.js")
    buildpack = NodeBuildpack()
    buildpack.configure(repo)
    with open_sandbox(repo, buildpack, load_settings(), "local") as box:
        report = run_tests(box, buildpack, timeout=120)
        chosen = run_tests(box, buildpack, ["test/run.js"], timeout=120)
    assert report.tests == {"test/run.js": Status.PASSED, "test/other.js": Status.FAILED}, report.log[-2000:]
    assert report.structured and chosen.tests == {"test/run.js": Status.PASSED}


def _placeholder_project(root: Path, script: str) -> Path:
    package = {"name": "old", "engines": {"node": "0.10"}, "scripts": {"test": script}}
    (root / "package.json").write_text(json.dumps(package))
    for path, text in {"test/test.js": FAILS, "test/asset/helper.js": PASSES, "lib/index.js": PASSES}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


@pytest.mark.parametrize(
    "script",
    [
        'echo "See the repository CONTRIBUTING.md for testing instructions."',
        'echo "Error: no test specified" && exit 1',
    ],
)
def test_a_script_that_only_echoes_is_no_test_script_lodash_edf8382(tmp_path: Path, script: str) -> None:
    """lodash of 2014 (``"test": "echo \\"See the repository CONTRIBUTING.md ...\\""``, its CI runs
    ``node test/test.js``): rfsn ran the echo as the tests, exit 0 before and after the fix."""
    repo = _placeholder_project(tmp_path, script)
    buildpack = NodeBuildpack()
    buildpack.configure(repo)
    assert (buildpack.runner, buildpack.node_args) == ("plain", ["test/test.js", "test/asset/helper.js"])


def test_no_test_script_on_an_old_node_runs_the_files_plainly_lodash_7653c5f(tmp_path: Path) -> None:
    """lodash of 2011 had no test script; on Node 0.8 rfsn ran ``node --test`` ("unrecognized flag")."""
    repo = _placeholder_project(tmp_path, "")
    (repo / "package.json").write_text(json.dumps({"name": "old", "engines": {"node": "0.8"}}))
    (repo / "test-util.js").write_text(PASSES)
    buildpack = NodeBuildpack()
    buildpack.configure(repo)
    assert (buildpack.runner, buildpack.node_args) == (
        "plain",
        ["test-util.js", "test/test.js", "test/asset/helper.js"],
    )
    (repo / "package.json").write_text(json.dumps({"name": "new", "engines": {"node": ">=20"}}))
    buildpack.configure(repo)
    assert (buildpack.runner, buildpack.node_args) == ("node", [])  # node --test finds them itself


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_the_placeholder_projects_test_file_is_judged_by_its_exit_code_lodash_edf8382(tmp_path: Path) -> None:
    repo = _placeholder_project(tmp_path, 'echo "See CONTRIBUTING.md"')
    buildpack = NodeBuildpack()
    buildpack.configure(repo)
    with open_sandbox(repo, buildpack, load_settings(), "local") as box:
        chosen = run_tests(box, buildpack, ["test/test.js"], timeout=120)
    assert chosen.structured and chosen.tests == {"test/test.js": Status.FAILED}, chosen.log[-2000:]
