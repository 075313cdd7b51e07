"""Per-test line coverage for node --test from V8's coverage: the parser on a recorded run
of the driver, line semantics on exact ranges, and the driver live on the host's node.

``fixtures/node/v8cov.v8-runs.jsonl`` was recorded with node 20.20 by the buildpack's
coverage plan (the suite's run, then the driver) on ``fixtures/node/v8cov`` copied to
``/tmp/rfsn-v8cov`` (its ``/tmp/rfsn-v8cov`` paths are that copy's).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.jscoverage import (
    DRIVER,
    RUNS_REPORT,
    Source,
    V8Function,
    covered_lines,
    driver_files,
    istanbul_lines,
    parse_v8_runs,
)
from rfsn.models import TestStatus as Status
from rfsn.runner import Measure, run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings, load_settings
from tests.buildpacks.conftest import FIXTURES

PROJECT = FIXTURES / "node" / "v8cov"
RECORDED = FIXTURES / "node" / "v8cov.v8-runs.jsonl"
ROOT = "/tmp/rfsn-v8cov"
T = "test/shapes.test.js > "
MODULE = {1, 7, 30}  # 'use strict', the LABELS constant, module.exports: every run
#: src/shapes.js lines each test runs (the two "of a triangle" tests share one run: one name)
EXPECTED = {
    f"{T}area > of a square": MODULE | {9, 11, 12},
    f"{T}area > of a triangle": MODULE | {9, 11, 14, 15, 20, 21, 22, 23},
    f"{T}area > rejects circles": MODULE | {9, 11, 14, 17},
    f"{T}label > of a triangle": MODULE | {9, 11, 14, 15, 20, 21, 22, 23},
    f"{T}label > of nothing known": MODULE | {20, 21, 22},
    # subtests run only with their parent test: they share its run
    f"{T}labels and areas > square": MODULE | {9, 11, 12, 20, 21, 22, 23},
    f"{T}labels and areas > square area": MODULE | {9, 11, 12, 20, 21, 22, 23},
}


def lines_of(coverage: dict[str, dict[str, set[int]]], path: str) -> dict[str, set[int]]:
    return {test: set(files.get(path, ())) for test, files in coverage.items()}


def test_a_recorded_run_gives_each_test_the_lines_it_ran_alone() -> None:
    coverage = parse_v8_runs(RECORDED.read_text(), ROOT)
    assert lines_of(coverage, "src/shapes.js") == EXPECTED  # the skipped test is absent
    square = coverage[f"{T}area > of a square"]["test/shapes.test.js"]
    assert 9 in square and 12 not in square  # its own body, not its neighbour's


def test_the_fixtures_bug_ranks_first_from_recorded_coverage() -> None:
    """The one failing test covers label()'s early return; no passing test covers it alone."""
    from rfsn.planners.localize import rank

    coverage = parse_v8_runs(RECORDED.read_text(), ROOT)
    failing = [f"{T}label > of nothing known"]
    ranked = rank(coverage, failing, [t for t in coverage if t not in failing])
    assert (ranked[0].file, ranked[0].line) == ("src/shapes.js", 22)


def source_and_functions(text: str, *ranges: tuple[str, int]) -> tuple[Source, list[V8Function]]:
    """Ranges given by the exact substring they span (first occurrence), in UTF-16 offsets."""

    def utf16(index: int) -> int:
        return len(text[:index].encode("utf-16-le")) // 2

    spans = [{"startOffset": 0, "endOffset": utf16(len(text)), "count": 1}]
    for fragment, count in ranges:
        start = text.index(fragment)
        spans.append({"startOffset": utf16(start), "endOffset": utf16(start + len(fragment)), "count": count})
    return Source.read(text), [V8Function.model_validate({"ranges": spans})]


def test_the_innermost_range_wins_and_a_line_counts_when_any_of_its_code_ran() -> None:
    text = "function f(x) {\n  if (x) return 1;\n  g();\n  return 2;\n}\nf(1);\n"
    source, functions = source_and_functions(text, ("return 1;\n  g();\n  return 2;", 0), ("g();", 1))
    # line 2's `if (x)` ran though its `return 1;` did not; g() is nested back to 1 inside the 0
    assert covered_lines(source, functions) == {1, 2, 3, 6}


def test_offsets_count_utf16_code_units() -> None:
    """An astral character is one Python index but two V8 offsets: a mapping off by one would
    leave ``y`` inside the outer range and count line 2."""
    text = "const a = '\U0001f53a';\ny\nz\n"
    source, functions = source_and_functions(text, ("y", 0))
    assert covered_lines(source, functions) == {1, 3}


def test_lines_without_code_are_never_covered() -> None:
    text = "// a comment\n/* a\n   block */\nconst a = 1;\n\n});\n  ],\nfoo(); // trailing\n"
    source, functions = source_and_functions(text)
    assert covered_lines(source, functions) == {4, 8}


def test_a_byte_order_mark_is_not_counted() -> None:
    """node strips a BOM before compiling: offsets start after it."""
    source, functions = source_and_functions("a;\nb;\n", ("b;", 0))
    bom = Source.read("\ufeffa;\nb;\n")
    assert covered_lines(bom, functions) == covered_lines(source, functions) == {1}


def run_line(events: list[tuple[str, str]], lines: dict[str, list[int]], text: str) -> list[str]:
    """One source line per script and a run line covering ``lines`` (each 'x;' line is 3 units)."""
    out = [json.dumps({"url": f"file:///w/{path}", "source": text}) for path in lines]
    scripts = [
        {
            "url": f"file:///w/{path}",
            "functions": [
                {
                    "ranges": [
                        {"startOffset": 0, "endOffset": len(text), "count": 0},
                        *({"startOffset": 3 * (n - 1), "endOffset": 3 * n, "count": 1} for n in covered),
                    ]
                }
            ],
        }
        for path, covered in lines.items()
    ]
    reported = "\n".join(
        json.dumps({"event": status, "name": name, "nesting": 0, "file": "t.js", "skip": False, "kind": "test"})
        for name, status in events
    )
    return [*out, json.dumps({"file": "t.js", "name": None, "events": reported, "scripts": scripts})]


def test_a_test_gets_the_lines_common_to_every_run_it_ran_in() -> None:
    """Its file's run (with its neighbour) and its own: its own wins; the neighbour without
    a run of its own keeps the file's lines; a failing test counts like a passing one."""
    text = "a;\nb;\nc;\n"
    file_run = run_line([("one", "pass"), ("two", "fail")], {"m.js": [1, 2, 3]}, text)
    own_run = run_line([("one", "pass")], {"m.js": [1, 2], "n.js": [1]}, text)
    coverage = parse_v8_runs("\n".join([*file_run, *own_run, '{"file": "t.js", "na']), "/w")
    assert coverage == {"t.js > one": {"m.js": {1, 2}}, "t.js > two": {"m.js": {1, 2, 3}}}


def test_scripts_outside_the_workspace_or_in_node_modules_are_left_out() -> None:
    text = "a;\n"
    lines = run_line([("one", "pass")], {"node_modules/dep/i.js": [1], "m.js": [1]}, text)
    assert parse_v8_runs("\n".join(lines), "/w") == {"t.js > one": {"m.js": {1}}}
    assert parse_v8_runs("\n".join(lines), "/elsewhere") == {"t.js > one": {}}


@given(
    st.text(max_size=300)
    | st.lists(
        st.dictionaries(
            st.sampled_from(["url", "source", "file", "name", "events", "scripts", "functions"]),
            st.none() | st.integers() | st.text(max_size=10) | st.lists(st.integers(), max_size=2),
        ),
        max_size=4,
    ).map(lambda items: "\n".join(json.dumps(i) for i in items))
)
def test_any_text_parses_without_raising(text: str) -> None:
    assert isinstance(parse_v8_runs(text, "/w"), dict)


def test_the_plan_runs_the_driver_after_the_suite_for_node_test_and_mocha() -> None:
    plan = NodeBuildpack("node").coverage_plan([], "/scratch/r1")
    assert plan.commands[0][:2] == ["node", "--test"] and plan.commands[1][:2] == ["node", "/scratch/r1/v8runs.cjs"]
    assert "v8runs.cjs" in plan.files
    mocha = NodeBuildpack("mocha").coverage_plan([], "/r")
    assert mocha.commands[1][:2] == ["node", "/r/v8runs.cjs"]
    assert mocha.commands[1][-2:] == ["mocha", "node_modules/.bin/mocha"]
    jest = NodeBuildpack("jest").coverage_plan([], "/scratch/r2")  # jest's runs keep the session's cache
    assert jest.commands[1][-3:] == ["jest", "node_modules/.bin/jest", "--cacheDirectory=/scratch/cache-jest"]
    assert "--cacheDirectory=/scratch/cache-jest" in jest.commands[0]
    vitest = NodeBuildpack("vitest")
    assert vitest.coverage_plan(["a.test.js"], "/r").commands == [vitest.test_command(["a.test.js"], "/r")]
    assert vitest.parse_coverage({}, ["a.test.js > x"], "/w") == {}


def test_parse_coverage_keeps_only_the_tests_of_the_run() -> None:
    reports = {RUNS_REPORT: RECORDED.read_text()}
    wanted = [f"{T}area > of a square", f"{T}nowhere"]
    coverage = NodeBuildpack("node").parse_coverage(reports, wanted, ROOT)
    assert list(coverage) == [f"{T}area > of a square"]
    assert coverage[f"{T}area > of a square"]["src/shapes.js"] == sorted(EXPECTED[wanted[0]])


def _node_major() -> int:
    node = shutil.which("node")
    if node is None:
        return 0
    out = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    match = re.match(r"v(\d+)\.", out)
    return int(match.group(1)) if match else 0


@pytest.mark.skipif(_node_major() < 20, reason="needs node 20+ on the host")
def test_the_driver_live_gives_what_was_recorded(tmp_path: Path) -> None:
    """The real plan in a local sandbox: the suite's run, then the driver; per-test coverage
    in the report, the statuses from the suite's run alone."""
    repo = tmp_path / "v8cov"
    shutil.copytree(PROJECT, repo)
    pack = NodeBuildpack()
    with open_sandbox(repo, pack, load_settings(), "local") as box:
        report = run_tests(box, pack, timeout=120, measure=Measure(coverage=True))
    assert report.tests[f"{T}label > of nothing known"].value == "failed"
    assert len(report.tests) == 8  # with the skipped test
    coverage = {t: {f: set(lines) for f, lines in files.items()} for t, files in report.coverage.items()}
    assert lines_of(coverage, "src/shapes.js") == EXPECTED


MOCHA_RECORDED = FIXTURES / "node" / "mocha-words.v8-runs.jsonl"  # the driver under mocha 10, node 20
MOCHA_ROOT = "/tmp/localize_mocha/p"
M = "test/words.test.js > words > "


def test_mocha_runs_give_each_test_the_lines_it_ran_alone() -> None:
    """A seeded ``s.slice(2)``: only the failing test runs line 7; mocha's JSON names the tests."""
    coverage = NodeBuildpack("mocha").parse_coverage(
        {RUNS_REPORT: MOCHA_RECORDED.read_text()},
        [f"{M}drops the first character", f"{M}keeps the empty string", f"{M}shouts"],
        MOCHA_ROOT,
    )
    assert coverage[f"{M}drops the first character"]["src/words.js"] == [1, 3, 4, 7, 14]
    assert coverage[f"{M}keeps the empty string"]["src/words.js"] == [1, 3, 4, 5, 14]
    assert coverage[f"{M}shouts"]["src/words.js"] == [1, 10, 11, 14]


@pytest.mark.skipif(_node_major() < 20, reason="needs node 20+ on the host")
def test_mocha_measures_each_test_in_one_run_of_its_file_mime_types_seed_8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mocha's tests are measured in one process per file, coverage taken around each test: a
    process per test (0.5 s each for mime-types' 47 tests) outgrew the budget, and the file's
    run alone ranked every line alike. With no budget for a process per test, each test still
    gets its own lines, and those of its suite's ``before`` hook (as a run of it alone)."""
    from rfsn.buildpacks.node import jscoverage

    monkeypatch.setattr(jscoverage, "BUDGET_SECONDS", 0)
    repo = tmp_path / "mocha-words"
    shutil.copytree(FIXTURES / "node" / "mocha-words", repo)
    pack = NodeBuildpack("mocha")
    with open_sandbox(repo, pack, load_settings(), "local") as box:
        report = run_tests(box, pack, timeout=120, measure=Measure(coverage=True))
    words = "test/words.test.js > words > "
    assert report.tests[f"{words}drops the first character"] is Status.FAILED
    coverage = {t: {f: set(lines) for f, lines in files.items()} for t, files in (report.coverage or {}).items()}
    module, before = {1, 18}, {10, 11, 14, 15}  # module-level code; the hook's shout('hi')
    assert lines_of(coverage, "src/words.js") == {
        f"{words}drops the first character": module | before | {3, 4, 7},
        f"{words}keeps the empty string": module | before | {3, 4, 5},
        f"{words}shouts": module | before,
    }


def test_a_script_named_twice_in_a_run_counts_every_line_either_ran() -> None:
    """A run's script named by several V8 results (a child process's, each take of the mocha
    hooks') covers the union of their lines."""
    text = "a;\nb;\n"
    lines = run_line([("one", "pass")], {"m.js": [1]}, text)
    again = json.loads(lines[-1])
    again["scripts"] = again["scripts"] + json.loads(run_line([("one", "pass")], {"m.js": [2]}, text)[-1])["scripts"]
    assert parse_v8_runs("\n".join([*lines[:-1], json.dumps(again)]), "/w") == {"t.js > one": {"m.js": {1, 2}}}


JEST_RECORDED = FIXTURES / "node" / "jest-words.v8-runs.jsonl"  # the driver under jest 29, node 20
JEST_ROOT = "/tmp/localize_jest/p"
J = "test/words.test.js > "


def test_jest_runs_carry_jests_own_coverage_per_test() -> None:
    """The same seeded ``s.slice(2)`` under jest: its coverage, a statement at its first line."""
    coverage = NodeBuildpack("jest").parse_coverage(
        {RUNS_REPORT: JEST_RECORDED.read_text()},
        [f"{J}words > drops the first character", f"{J}words > keeps the empty string", f"{J}shouts"],
        JEST_ROOT,
    )
    assert coverage == {
        f"{J}words > drops the first character": {"src/words.js": [4, 7, 14]},
        f"{J}words > keeps the empty string": {"src/words.js": [4, 5, 14]},
        f"{J}shouts": {"src/words.js": [11, 14]},
    }


def test_jest_keeps_its_transforms_and_measures_every_test_in_one_run_past_the_budget_luxon_seed_37(
    tmp_path: Path, docker_client: object
) -> None:
    """Two rules of one session of luxon seed 37. jest kept its transform cache in the run's own
    TMPDIR, so every run compiled the project again (luxon: 4.9 s a run, 1.6 s with the cache): the
    session's runs share one cache, its suite runs and its coverage runs alike, and report what they
    reported before. Past the budget for a jest run per test, each test got the lines of its whole
    file's run (luxon: the seeded line, which every test runs, ranked past the 100th in each group):
    the jest hooks measure each test's own lines in one run of the files, after the project's setup
    files."""
    repo = tmp_path / "jest-words"
    shutil.copytree(FIXTURES / "node" / "jest-words", repo)
    shutil.copytree(FIXTURES / "node" / "mocha-words" / "src", repo / "src")  # the same code, other tests
    (repo / "test" / "many.test.js").write_text(  # 40 more tests: 40 runs of jest outlast the budget
        "for (let i = 0; i < 40; i++) test(`shouts ${i}`, () => expect(words.shout('a')).toBe('A!'));\n"
    )
    (repo / "test" / "setup.js").write_text("globalThis.words = require('../src/words');\n")  # the project's own
    (repo / "jest.config.js").write_text("module.exports = { setupFilesAfterEnv: ['./test/setup.js'] };\n")
    pack = NodeBuildpack("jest")
    settings = Settings(sandbox="docker", memory="1g", cpus=1.0, pids=512, test_timeout=300)
    with open_sandbox(repo, pack, settings, "docker") as box:
        first = run_tests(box, pack, timeout=300)
        cached = sorted(p.name for p in (box.scratch / "cache-jest").iterdir())
        second = run_tests(box, pack, timeout=300, measure=Measure(coverage=True))
    assert cached, "the first run left its transforms in the session's cache"
    statuses = {
        f"{J}words > drops the first character": Status.FAILED,
        f"{J}words > keeps the empty string": Status.PASSED,
        f"{J}shouts": Status.PASSED,
        **{f"test/many.test.js > shouts {i}": Status.PASSED for i in range(40)},
    }
    assert first.tests == second.tests == statuses
    coverage = second.coverage or {}
    assert coverage[f"{J}words > drops the first character"] == {"src/words.js": [4, 7, 18]}
    assert coverage[f"{J}shouts"] == {"src/words.js": [11, 15, 18]}
    assert coverage["test/many.test.js > shouts 39"] == {"src/words.js": [11, 15, 18]}


def test_a_jest_config_of_several_projects_is_measured_by_runs_per_file_and_per_test(
    tmp_path: Path, docker_client: object
) -> None:
    """The hooks go after one project's setup files: with several projects, the runs of before."""
    repo = tmp_path / "jest-words"
    shutil.copytree(FIXTURES / "node" / "jest-words", repo)
    shutil.copytree(FIXTURES / "node" / "mocha-words" / "src", repo / "src")
    (repo / "jest.config.js").write_text(
        "module.exports = { projects: [{ displayName: 'a' }, { displayName: 'b', testMatch: ['**/none/*.js'] }] };\n"
    )
    pack = NodeBuildpack("jest")
    settings = Settings(sandbox="docker", memory="1g", cpus=1.0, pids=512, test_timeout=300)
    with open_sandbox(repo, pack, settings, "docker") as box:
        report = run_tests(box, pack, timeout=300, measure=Measure(coverage=True))
    assert (report.coverage or {})[f"{J}shouts"] == {"src/words.js": [11, 15, 18]}


def test_a_test_the_jest_hooks_measured_gets_the_lines_they_wrote() -> None:
    events = json.dumps(
        {
            "testResults": [
                {
                    "name": "/w/test/a.test.js",
                    "assertionResults": [{"ancestorTitles": ["words"], "title": "drops", "status": "failed"}],
                }
            ]
        }
    )
    line = {
        "file": "/w/test/a.test.js",
        "name": "words drops",
        "events": events,
        "runner": "jest",
        "scripts": [],
        "lines": {"/w/src/a.js": [4, 7], "/w/node_modules/x.js": [1], "/else/b.js": [2]},
    }
    assert parse_v8_runs(json.dumps(line), "/w") == {"test/a.test.js > words > drops": {"src/a.js": {4, 7}}}


def test_istanbul_lines_skip_what_did_not_run_and_what_lies_outside() -> None:
    data = {
        "/w/src/a.js": {
            "statementMap": {
                "0": {"start": {"line": 2}, "end": {"line": 5}},
                "1": {"start": {"line": 3}, "end": {"line": 3}},
            },
            "s": {"0": 1, "1": 0},
        },
        "/w/node_modules/x/i.js": {"statementMap": {"0": {"start": {"line": 1}}}, "s": {"0": 1}},
        "/elsewhere/b.js": {"statementMap": {"0": {"start": {"line": 1}}}, "s": {"0": 1}},
    }
    assert istanbul_lines(json.dumps(data), "/w") == {"src/a.js": {2}}
    assert istanbul_lines("not json", "/w") == {}


SLOW_MEASURED = {
    "package.json": '{"name": "slow", "version": "1.0.0", "scripts": {"test": "node --test"}}\n',
    "src/m.js": "exports.add = (a, b) => a - b;\n",
    "test/a.test.js": (
        "const test = require('node:test');\nconst assert = require('node:assert');\n"
        "const { add } = require('../src/m.js');\n"
        "test('adds', () => { assert.strictEqual(add(1, 2), 3); });\n"
    ),
    # measured, this file's run takes a minute (a coverage run costs more than the suite's)
    "test/b.test.js": (
        "const test = require('node:test');\n"
        "test('waits when measured', async () => {\n"
        "  if (process.env.NODE_V8_COVERAGE) await new Promise((r) => setTimeout(r, 60000));\n"
        "});\n"
    ),
}


@pytest.mark.skipif(_node_major() < 20, reason="needs node 20+ on the host")
def test_the_drivers_runs_stop_within_the_measurement_time_with_what_they_measured_luxon(tmp_path: Path) -> None:
    """The driver's file runs stop when the time given to measuring ends, and what they measured
    by then stands (luxon b6b9d03: jest's per-file coverage runs took 8 minutes, past the
    session's budget): the failing test's file, measured first, keeps its lines."""
    repo = tmp_path / "slow"
    for name, text in SLOW_MEASURED.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    pack = NodeBuildpack()
    started = time.monotonic()
    with open_sandbox(repo, pack, load_settings(), "local") as box:
        report = run_tests(box, pack, timeout=120, measure=Measure(coverage=True, within=5))
    assert time.monotonic() - started < 40
    assert report.tests == {
        "test/a.test.js > adds": Status.FAILED,
        "test/b.test.js > waits when measured": Status.PASSED,
    }
    assert report.coverage is not None and report.coverage["test/a.test.js > adds"]["src/m.js"] == [1]


def _processes_naming(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        if text in argv:
            found.append(f"{cmdline.parent.name}: {argv}")
    return found


@pytest.mark.skipif(_node_major() < 20, reason="needs node 20+ on the host")
def test_a_stopped_run_leaves_no_process_of_its_test_file_behind(tmp_path: Path) -> None:
    """The driver stops a run with its whole process group: a process the run started outlived
    the kill of the run's own process (a review found a test file's node alive, parent 1)."""
    marker = f"lingers_{uuid.uuid4().hex}"
    name = f"{marker}.test.js"
    repo, reports = tmp_path / "slow", tmp_path / "reports"
    (repo / "test").mkdir(parents=True)
    reports.mkdir()
    (repo / "test" / name).write_text(  # measured, it waits 20 s on a child of its own
        "const test = require('node:test');\nconst { spawnSync } = require('node:child_process');\n"
        "test('waits when measured', () => {\n  if (process.env.NODE_V8_COVERAGE) spawnSync(process.execPath,"
        f" ['-e', 'setTimeout(() => {{}}, 20000)', '{marker}'], {{ stdio: 'ignore' }});\n}});\n"
    )
    (reports / DRIVER).write_text(driver_files()[DRIVER])
    suite = {"file": f"test/{name}", "name": "waits when measured", "nesting": 0, "event": "pass"}
    (reports / "node-tests.jsonl").write_text(json.dumps(suite) + "\n")
    started = time.monotonic()
    subprocess.run(
        ["node", str(reports / DRIVER), str(reports), "30", "spec"],
        cwd=repo,
        timeout=60,
        env={**os.environ, "RFSN_SECONDS_LEFT": "3"},
        check=True,
    )
    assert time.monotonic() - started < 30
    time.sleep(1)  # a killed process's exit
    assert _processes_naming(marker) == []
