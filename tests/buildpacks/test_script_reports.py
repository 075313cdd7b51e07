"""A test script run as a whole (the ``script`` runner) counts the tests its output names: uvu's
lines, TAP. postcss/postcss at HEAD: its 686 uvu tests passed, then a test of the same chain that
downloads CSS failed without network, and the run counted as one failed ``<suite>``.

The uvu fixtures are what uvu 0.5.6 printed (``FORCE_COLOR=1 uvu test``) for the files below.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.scriptreports import parse_script_output
from rfsn.models import TestStatus as Status
from rfsn.runner import SUITE_ID, run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings
from tests.buildpacks.conftest import FIXTURES

NODE = FIXTURES / "node"
#: test/parse.test.js: ``adds``, ``fails on purpose``, ``later``, a skipped one; suite ``group``:
#: ``inner ok``, ``inner bad``; test/other.test.js: ``other file``
UVU = {
    "other.test.js > #1": Status.PASSED,
    "parse.test.js > #1": Status.PASSED,
    "parse.test.js > fails on purpose": Status.FAILED,
    "parse.test.js > #3": Status.PASSED,
    "parse.test.js > group > #1": Status.PASSED,
    "parse.test.js > group > inner bad": Status.FAILED,
}


def test_uvus_lines_name_its_failures_and_place_its_passed_tests() -> None:
    assert parse_script_output((NODE / "uvu-0.5.6.txt").read_text()) == UVU
    tape = "> x@1.0.0 test\n> tape test/*.js\n\n" + (NODE / "tap" / "tape-5.10.2.tap").read_text()
    assert parse_script_output(tape) == {
        "adds": Status.PASSED,
        "fails": Status.FAILED,
        "skipped": Status.SKIPPED,
        "inner": Status.PASSED,
    }
    assert parse_script_output("ok, done\n(3 / 3) were fine\n") == {}  # no plan, no marks


def _uvu_project(tmp_path: Path, printed: str, status: int) -> Path:
    """A project whose test script runs uvu, then a test that needs the network: the stand-in
    uvu prints what uvu printed and exits as it did; the network test fails."""
    scripts = {"test": 'c8 uvu test "\\.test\\.(ts|js)$" && node test/integration.js'}
    (tmp_path / "package.json").write_text(json.dumps({"scripts": scripts}))
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "integration.js").write_text(
        "console.error('getaddrinfo EAI_AGAIN github.com')\nprocess.exit(1)\n"
    )
    (tmp_path / "printed.txt").write_text(printed)
    bins = tmp_path / "node_modules" / ".bin"
    bins.mkdir(parents=True)
    for name, text in (("c8", 'exec "$@"'), ("uvu", f"cat printed.txt; exit {status}")):
        (bins / name).write_text(f"#!/bin/sh\n{text}\n")
        (bins / name).chmod(0o755)
    return tmp_path


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm")
@pytest.mark.parametrize(
    ("fixture", "status", "expected"),
    [
        ("uvu-0.5.6-passing.txt", 0, {"other.test.js > #1": Status.PASSED, SUITE_ID: Status.FAILED}),
        ("uvu-0.5.6.txt", 1, UVU),
    ],
)
def test_a_whole_scripts_run_counts_the_tests_uvu_printed_postcss_head(
    tmp_path: Path, fixture: str, status: int, expected: dict[str, Status]
) -> None:
    """Every uvu test passed and the network test failed: the tests, and the ``<suite>`` failed
    for what none of them explains; uvu's own failures: those tests, the suite is not counted."""
    repo = _uvu_project(tmp_path, (NODE / fixture).read_text(), status)
    pack = NodeBuildpack()
    pack.configure(repo)
    assert pack.runner == "script"
    with open_sandbox(repo, pack, load_settings(), "local") as box:
        report = run_tests(box, pack, timeout=120)
    assert report.tests == expected, report.log[-2000:]
    assert not report.structured  # still one command, judged as a whole
