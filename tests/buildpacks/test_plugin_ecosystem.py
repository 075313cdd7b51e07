"""A plugin language: an installed distribution whose ``rfsn.buildpacks`` entry point names a whole
``Ecosystem`` gets what a built-in gets, through the real code paths: its command and subcommands
allowed by the gate and a skip marker of its own refused, its test files kept from the patch phase
as built-ins' are, its language known by extension, and its buildpack's coverage read by the runner
(on the host, in a local sandbox)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import rfsn.buildpacks as registry
from rfsn.buildpacks.parts import Parts
from rfsn.gate import Gate, GateContext
from rfsn.models import Edit, Phase, RunCommand
from rfsn.models import TestStatus as Status
from rfsn.runner import Measure, run_tests
from rfsn.sandbox.local import LocalSandbox
from tests.conftest import installed_plugin

PLUGIN = '''
import json, sys
from rfsn.buildpacks import BaseImage, Detection, Ecosystem, EnvRecipe, GateRules, Language, TestConventions
from rfsn.buildpacks.base import CoveragePlan

ECOSYSTEM = Ecosystem(
    name="zig",
    buildpack="rfsn_zig:ZigBuildpack",
    languages=(Language(name="zig", extensions=(".zig",)),),
    tests=TestConventions(names=(r".*\\.check\\.zig",)),
    gate=GateRules(
        commands=("zig",),
        subcommands={"zig": ("test",)},
        markers=(("Zig skipped test", r"\\berror\\s*\\.\\s*SkipZigTest\\b"),),
    ),
)
# a runner: each check file's checks pass, and each ran the lines of the source file it names
RUN = """
import json, pathlib, sys
report, results, lines = pathlib.Path(sys.argv[1]), {}, {}
for check in sorted(pathlib.Path("checks").glob("*.check.zig")):
    source = "src/" + check.name.replace(".check", "")
    test = f"{check.as_posix()}::all"
    results[test] = "passed"
    lines[test] = {source: list(range(1, 1 + len(pathlib.Path(source).read_text().splitlines())))}
(report / "results.json").write_text(json.dumps(results))
if len(sys.argv) > 2:
    (report / "coverage.json").write_text(json.dumps(lines))
"""


class ZigBuildpack:
    name = "zig"
    default_base = BaseImage(
        runtime="zig", version="0.13", registry_image="debian:bookworm-slim", debian_release="bookworm",
        debian_packages=(),
    )
    structured = True

    def detect(self, repo):
        return Detection(score=0.9 if list(repo.glob("build.zig")) else 0.0)

    def env_recipe(self, repo):
        return EnvRecipe(buildpack="zig", base=self.default_base)

    def setup_commands(self, repo):
        return []

    def test_command(self, tests, report_dir):
        return [sys.executable, "-c", RUN, report_dir]

    def parse(self, output, reports):
        return json.loads(reports.get("results.json", "{}"))

    def coverage_plan(self, tests, report_dir):
        return CoveragePlan(commands=[[sys.executable, "-c", RUN, report_dir, "coverage"]])

    def parse_coverage(self, reports, test_ids, workdir):
        return json.loads(reports["coverage.json"])
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An installed distribution (a dist-info on sys.path) whose entry point names an Ecosystem."""
    site = installed_plugin(tmp_path / "site", "rfsn_zig", PLUGIN, "[rfsn.buildpacks]\nzig = rfsn_zig:ECOSYSTEM\n")
    monkeypatch.syspath_prepend(str(site))
    yield
    sys.modules.pop("rfsn_zig", None)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    repo = tmp_path / "project"
    for rel, text in {
        "build.zig": 'const std = @import("std");\n',
        "src/math.zig": "pub fn add(a: i32, b: i32) i32 {\n    return a - b;\n}\n",
        "checks/math.check.zig": 'test "adds" {\n    try expect(add(1, 2) == 3);\n}\n',
    }.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    return repo


def _decide(proposal: Edit | RunCommand, repo: Path, phase: Phase = Phase.PATCH) -> tuple[bool, str]:
    decision = Gate().check(proposal, GateContext(workspace=repo, phase=phase, buildpack="zig"))
    return decision.accepted, decision.reason


def _patch(path: str, first: str, second: str, new_second: str) -> Edit:
    """An edit of the second of a file's three lines (the third is ``}``)."""
    return Edit(patch=f"--- a/{path}\n+++ b/{path}\n@@ -1,3 +1,3 @@\n {first}\n-{second}\n+{new_second}\n }}\n")


def test_the_gate_allows_a_plugin_languages_commands_and_refuses_its_skip_marker(plugin: None, project: Path) -> None:
    assert _decide(RunCommand(argv=("zig", "test", "checks/math.check.zig")), project)[0]
    refused, reason = _decide(RunCommand(argv=("zig", "fetch", "x")), project)
    assert not refused and "fetch" in reason
    skipped = _patch(
        "src/math.zig", "pub fn add(a: i32, b: i32) i32 {", "    return a - b;", "    return error.SkipZigTest;"
    )
    accepted, reason = _decide(skipped, project)
    assert not accepted and "Zig skipped test" in reason
    fixed = _patch("src/math.zig", "pub fn add(a: i32, b: i32) i32 {", "    return a - b;", "    return a + b;")
    assert _decide(fixed, project)[0]


def test_a_plugin_languages_test_files_are_kept_from_the_patch_phase(plugin: None, project: Path) -> None:
    weakened = _patch(
        "checks/math.check.zig", 'test "adds" {', "    try expect(add(1, 2) == 3);", "    try expect(true);"
    )
    accepted, reason = _decide(weakened, project)
    assert not accepted and "test files may not be changed" in reason
    assert registry.is_test_file("checks/math.check.zig") and registry.language_of("src/math.zig") == "zig"


def test_the_runner_reads_a_plugin_languages_coverage(plugin: None, project: Path) -> None:
    buildpack = registry.select(project)
    assert buildpack.name == "zig"
    box = LocalSandbox(project, None, {}, "1g")
    try:
        plain = run_tests(box, buildpack, timeout=60)
        measured = run_tests(box, buildpack, timeout=60, measure=Measure(coverage=True))
    finally:
        box.close()
    assert plain.tests == {"checks/math.check.zig::all": Status.PASSED} and plain.coverage is None
    assert measured.coverage == {"checks/math.check.zig::all": {"src/math.zig": [1, 2, 3]}}


def test_without_the_plugin_its_language_is_unknown_to_the_gate(project: Path) -> None:
    refused, reason = _decide(RunCommand(argv=("zig", "test")), project)
    assert not refused and "zig" in reason
    weakened = _patch(
        "checks/math.check.zig", 'test "adds" {', "    try expect(add(1, 2) == 3);", "    try expect(true);"
    )
    assert _decide(weakened, project)[0]
    assert not registry.is_test_file("checks/math.check.zig") and registry.language_of("src/math.zig") is None


def test_the_readmes_ecosystem_runs_as_shown() -> None:
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = text.split("### A whole language: the Ecosystem", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    entry = section.split("```toml\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(snippet, "README.md", "exec"), namespace)
    shown = namespace["ECOSYSTEM"]
    assert isinstance(shown, registry.Ecosystem) and shown.name == "zig"
    assert entry.strip().endswith('zig = "rfsn_zig:ECOSYSTEM"')


def test_a_plugin_buildpack_that_declares_its_parts_gets_those_alone(plugin: None, project: Path) -> None:
    """Its members would measure coverage; it declares no part, and the runner measures none."""
    measuring = type(registry.load("zig"))

    class Declared(measuring):
        def parts(self) -> Parts:
            return Parts()

    box = LocalSandbox(project, None, {}, "1g")
    try:
        report = run_tests(box, Declared(), timeout=60, measure=Measure(coverage=True))
    finally:
        box.close()
    assert report.tests == {"checks/math.check.zig::all": Status.PASSED} and report.coverage is None
