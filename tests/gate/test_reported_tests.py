"""Test ids with shell characters: a runner's own names pass, a planner's inventions do not.

A mocha or jest title is free text (``should attach charset to "application/json; foo=bar"``);
refusing every id with ``;`` refused every screening run of such a project. The gate now lets
through the ids the runner itself reported in the session, and only those; that is safe
because no buildpack puts a test id into a shell script: ids travel as argv elements (or
regex-escaped patterns inside one), which the second test holds for every built-in buildpack.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.buildpacks.base import Buildpack
from rfsn.buildpacks.generic import GenericBuildpack
from rfsn.buildpacks.go.buildpack import GoBuildpack
from rfsn.buildpacks.java.buildpack import JavaBuildpack
from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.rust.buildpack import RustBuildpack
from rfsn.gate import Gate, GateContext, GatePolicy
from rfsn.models import Phase, RunTests

TITLE = 'test/test.js > mimeTypes .contentType(type) > should attach charset to "application/json; foo=bar"'
HOSTILE = [
    "tests/test_a.py::test_x[$(touch PWNED)]",
    "test/a.js > a; touch PWNED",
    "pkg/TestA|touch PWNED",
    "test/a.js > `touch PWNED` & x < y",
]


def context(tmp_path: Path, reported: frozenset[str] = frozenset()) -> GateContext:
    return GateContext(workspace=tmp_path, phase=Phase.PATCH, buildpack="node", reported_tests=reported)


def test_a_reported_title_with_a_semicolon_runs_an_invented_one_does_not(tmp_path: Path) -> None:
    gate = Gate(GatePolicy())
    proposal = RunTests(tests=(TITLE,))
    assert gate.check(proposal, context(tmp_path, frozenset({TITLE}))).accepted
    refused = gate.check(proposal, context(tmp_path))
    assert not refused.accepted and refused.rule == "shell_injection"
    for hostile in HOSTILE:  # not reported: the attack corpus's rule stands
        assert gate.check(RunTests(tests=(hostile,)), context(tmp_path, frozenset({TITLE}))).rule == "shell_injection"
    for broken in (TITLE + "\nid", TITLE + "\x00"):  # never, reported or not
        assert gate.check(RunTests(tests=(broken,)), context(tmp_path, frozenset({broken}))).rule == "shell_injection"


BUILDPACKS: list[Buildpack] = [
    PythonBuildpack(),
    GoBuildpack(),
    RustBuildpack(),
    JavaBuildpack(),
    GenericBuildpack("sh -c 'make test'"),
    *(NodeBuildpack(runner) for runner in ("node", "jest", "mocha", "vitest")),
]


@pytest.mark.parametrize("buildpack", BUILDPACKS, ids=lambda b: getattr(b, "runner", b.name))
def test_no_buildpack_puts_a_test_id_into_a_shell_script(buildpack: Buildpack) -> None:
    commands = [buildpack.test_command(HOSTILE, "/rfsn/r")]
    fail_fast = getattr(buildpack, "fail_fast_command", None)
    if fail_fast is not None:
        commands.append(fail_fast(HOSTILE, "/rfsn/r", 1) or [])
    for argv in commands:
        scripts = [
            argv[i + 1]
            for i, arg in enumerate(argv[:-1])
            if arg == "-c" and i > 0 and argv[i - 1].rsplit("/", 1)[-1] in ("sh", "bash", "dash")
        ]
        assert not any("PWNED" in script for script in scripts), (argv, scripts)
