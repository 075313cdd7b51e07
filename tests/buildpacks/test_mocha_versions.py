"""rfsn's mocha reporter reads the same from every major version of mocha, 1.x to 10.x.

Mocha 1.x-4.x bugs of 2014-2018 projects were labelled ``env`` ("N test(s) not collected at
base"): their JSON reporter never wrote where rfsn asked. The fixtures are what
``mochareport.cjs`` wrote under the real last release of each major (see their README).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rfsn.buildpacks.node.buildpack import MOCHA_EVENTS, NodeBuildpack
from rfsn.models import TestStatus as Status
from tests.buildpacks.conftest import FIXTURES

VERSIONS = FIXTURES / "node" / "mocha-versions"
ROOT = "/work/data/mocha/proj"


@pytest.mark.parametrize(
    "version", ["1.21.5", "2.5.3", "3.5.3", "4.1.0", "5.2.0", "6.2.3", "7.2.0", "8.4.0", "9.2.2", "10.8.2"]
)
def test_every_mocha_major_reports_each_test_by_file_and_title(version: str) -> None:
    report = (VERSIONS / f"mocha-{version}.jsonl").read_text()
    buildpack = NodeBuildpack("mocha")
    statuses = buildpack.parse("", {MOCHA_EVENTS: report, "cwd.txt": ROOT})
    hooks = {tid: s for tid, s in statuses.items() if tid.startswith("test/hooks.js")}
    assert {tid: s for tid, s in statuses.items() if tid not in hooks} == {
        "test/math.js > math > top level of math": Status.PASSED,
        "test/math.js > math add > adds two numbers": Status.PASSED,
        "test/math.js > math add > fails on purpose": Status.FAILED,
        "test/math.js > math add > is skipped": Status.SKIPPED,
    }
    # the failing hook is one failure under its suite (1.x names the hook alone, 10.x its test too)
    [(hook, status)] = hooks.items()
    assert hook.startswith('test/hooks.js > with a failing hook > "before each" hook') and status == Status.FAILED
    reasons = buildpack.reasons("", {MOCHA_EVENTS: report, "cwd.txt": ROOT})
    first, where = reasons["test/math.js > math add > fails on purpose"]
    assert first.startswith("AssertionError") and first.endswith("2 == 3") and where == "test/math.js"


def test_a_run_that_died_midway_keeps_the_tests_it_finished() -> None:
    lines = (VERSIONS / "mocha-4.1.0.jsonl").read_text().splitlines()
    cut = "\n".join(lines[:2]) + '\n{"event": "pass", "title": "half a li'
    assert len(NodeBuildpack("mocha").parse("", {MOCHA_EVENTS: cut, "cwd.txt": ROOT})) == 2


def test_the_mocha_command_loads_rfsns_reporter_and_names_its_report() -> None:
    argv = NodeBuildpack("mocha").test_command(["test/math.js > math add > adds two numbers"], "/s/r1")
    reporter = argv[argv.index("--reporter") + 1]
    assert reporter == "/s/rfsn-mocha-reporter.cjs" and argv[5] == reporter  # the wrapper writes it there
    assert "module.exports = RfsnMochaReporter" in argv[6] and MOCHA_EVENTS in argv[2]
    assert "--reporter-option" not in argv  # mocha 1.x refuses it; 2.x-8.x ignore it


def test_a_stack_of_frames_only_gives_the_errors_name_and_message_as_the_reason() -> None:
    """expressjs/cors of 2016 on Node 0.10: should's AssertionError had a stack without its
    header line, and the reason read ``at Assertion.fail (...)``."""
    line = {
        "event": "fail",
        "title": "500",
        "fullTitle": "error response 500",
        "file": "/p/test/e.js",
        "err": {
            "name": "AssertionError",
            "message": "expected 'x' to be 'y'",
            "stack": "    at Assertion.fail (/p/node_modules/should/lib/assertion.js:183:17)\n"
            "    at Context.<anonymous> (/p/test/e.js:12:9)",
        },
    }
    reasons = NodeBuildpack("mocha").reasons("", {MOCHA_EVENTS: json.dumps(line), "cwd.txt": "/p"})
    assert reasons == {"test/e.js > error response > 500": ("AssertionError: expected 'x' to be 'y'", "test/e.js")}


def _files(root: Path, *paths: str) -> Path:
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("")
    return root


def test_mocha_driven_from_code_gets_the_projects_test_files_fs_extra_head(tmp_path: Path) -> None:
    """jprichardson/node-fs-extra at HEAD: ``nyc node test.js`` builds a Mocha over
    ``lib/**/__tests__/*.test.js``; mocha given no path read its empty ``./test`` and found nothing."""
    scripts = {"test": "npm run lint && npm run unit", "lint": "standard", "unit": "nyc node test.js"}
    package = {"scripts": scripts, "devDependencies": {"mocha": "^10.1.0", "nyc": "^15.0.0"}}
    repo = _files(
        tmp_path / "fs-extra",
        "test.js",
        "lib/__tests__/promise.test.js",
        "lib/copy/__tests__/copy.test.js",
        "lib/copy/copy.js",
        "node_modules/klaw/a.test.js",
    )
    (repo / "package.json").write_text(json.dumps(package))
    buildpack = NodeBuildpack()
    buildpack.configure(repo)
    argv = buildpack.test_command([], "/s/r1")
    assert buildpack.runner == "mocha"
    assert argv[argv.index("--reporter") + 2 :] == ["lib/__tests__/promise.test.js", "lib/copy/__tests__/copy.test.js"]
    # mocha's own place holds a test file, or a config names its specs: mocha is left to find them
    for own in ("test/a.js", ".mocharc.yml"):
        mine = _files(tmp_path / own.replace("/", "_"), own, "lib/__tests__/promise.test.js")
        (mine / "package.json").write_text(json.dumps(package))
        buildpack.configure(mine)
        argv = buildpack.test_command([], "/s/r1")
        assert argv[argv.index("--reporter") + 2 :] == []
