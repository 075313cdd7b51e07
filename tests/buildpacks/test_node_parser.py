"""The node --test, jest, vitest and mocha parsers on recorded runs, and round trips."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.jsreports import mocha_reasons, parse_jest_json, parse_mocha_json, parse_node_events
from rfsn.models import TestStatus as Status
from tests.buildpacks.conftest import FIXTURES, load_expected

NODE = FIXTURES / "node"


@pytest.mark.parametrize("project", ["cart-pricing", "event-bus", "duration-fmt"])
def test_devset_runs_match_the_devset_harness(project: str) -> None:
    """The expected files hold the devset's FAIL_TO_PASS (failed) and PASS_TO_PASS (passed)."""
    statuses = parse_node_events((NODE / f"{project}.node-tests.jsonl").read_text())
    assert {k: v.value for k, v in statuses.items()} == load_expected(NODE / f"{project}.expected.json")


def test_nested_suites_join_titles_and_report_leaves() -> None:
    statuses = parse_node_events((NODE / "nested.node-tests.jsonl").read_text())
    assert statuses == {
        "test/a.test.js > outer > inner > works": Status.PASSED,
        "test/a.test.js > outer > inner > skipped one": Status.SKIPPED,
        "test/a.test.js > outer > inner > todo one": Status.SKIPPED,
        "test/a.test.js > outer > fails": Status.FAILED,
        "test/a.test.js > top > sub a": Status.PASSED,
        "t2/bad.test.js": Status.ERROR,
        "t2/throws.test.js": Status.ERROR,
    }


def test_tests_filtered_by_name_pattern_are_left_out() -> None:
    lines = [
        {"event": "pass", "name": "kept", "nesting": 0, "file": "t.test.js", "skip": False},
        {
            "event": "pass",
            "name": "other",
            "nesting": 0,
            "file": "t.test.js",
            "skip": "test name does not match pattern",
        },
    ]
    text = "\n".join(json.dumps(line) for line in lines)
    assert parse_node_events(text) == {"t.test.js > kept": Status.PASSED}


def test_a_suite_whose_tests_were_all_filtered_out_is_no_test() -> None:
    """node 20 still reports a describe whose tests --test-name-pattern filtered out
    (and an empty one): a passing suite without children; only a failing one is kept."""
    filtered = "test name does not match pattern"
    lines = [
        {"event": "pass", "name": "other", "nesting": 1, "file": "t.js", "skip": filtered, "kind": "test"},
        {"event": "pass", "name": "area", "nesting": 0, "file": "t.js", "skip": False, "kind": "suite"},
        {"event": "pass", "name": "kept", "nesting": 1, "file": "t.js", "skip": False, "kind": "test"},
        {"event": "pass", "name": "label", "nesting": 0, "file": "t.js", "skip": False, "kind": "suite"},
        {"event": "fail", "name": "broken", "nesting": 0, "file": "t.js", "skip": False, "kind": "suite"},
    ]
    text = "\n".join(json.dumps(line) for line in lines)
    assert parse_node_events(text) == {"t.js > label > kept": Status.PASSED, "t.js > broken": Status.FAILED}


def test_a_parent_failing_on_its_own_is_reported() -> None:
    lines = [
        {"event": "pass", "name": "child", "nesting": 1, "file": "t.js"},
        {"event": "fail", "name": "parent", "nesting": 0, "file": "t.js"},
    ]
    text = "\n".join(json.dumps(line) for line in lines)
    assert parse_node_events(text) == {
        "t.js > parent > child": Status.PASSED,
        "t.js > parent": Status.FAILED,
    }


def test_garbage_gives_nothing() -> None:
    assert parse_node_events("not json\n{broken\n[1,2]\n") == {}
    assert parse_jest_json("{") == {}
    assert parse_mocha_json("") == {}


def test_jest_report() -> None:
    statuses = parse_jest_json((NODE / "sample-jest.json").read_text(), root="/tmp/jsr")
    assert statuses == {
        "test/sum.test.js > sum > of integers > adds two numbers": Status.PASSED,
        "test/sum.test.js > sum > of integers > is wrong on purpose": Status.FAILED,
        "test/sum.test.js > sum > skipped one": Status.SKIPPED,
        "test/sum.test.js > sum > todo one": Status.SKIPPED,
        "test/sum.test.js > top level > with arrow": Status.PASSED,
        "test/broken.test.js": Status.ERROR,
    }


def test_vitest_report() -> None:
    statuses = parse_jest_json((NODE / "sample-vitest.json").read_text(), root="/tmp/jsr/")
    assert statuses["vt/sum.test.mjs > sum > of integers > is wrong on purpose"] is Status.FAILED
    assert statuses["vt/sum.test.mjs > top level"] is Status.PASSED
    assert len(statuses) == 5


def test_mocha_report_keeps_parent_suites_as_one_title() -> None:
    statuses = parse_mocha_json((NODE / "sample-mocha.json").read_text(), root="/tmp/jsr")
    assert statuses == {
        "spec/sum.spec.js > top level": Status.PASSED,
        "spec/sum.spec.js > sum of integers > adds two numbers": Status.PASSED,
        "spec/sum.spec.js > sum of integers > is wrong on purpose": Status.FAILED,
        "spec/sum.spec.js > sum > skipped one": Status.SKIPPED,
    }


def test_mocha_report_says_why_each_test_failed_mime_types_seed_8() -> None:
    """The first line of each failure's stack and the first frame of the project's (mime-types'
    nine failures were one group "the runner printed no reason")."""
    reasons = NodeBuildpack("mocha").reasons(
        "", {"mocha.json": (NODE / "sample-mocha.json").read_text(), "cwd.txt": "/tmp/jsr\n"}
    )
    assert reasons == {
        "spec/sum.spec.js > sum of integers > is wrong on purpose": (
            "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:",
            "spec/sum.spec.js",
        )
    }
    assert mocha_reasons("not json") == {} and mocha_reasons('{"failures": [{"title": "t", "err": {}}]}') == {}


_title = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda t: ">" not in t and t.strip() == t
)
_status = st.sampled_from([Status.PASSED, Status.FAILED, Status.SKIPPED])


@given(st.dictionaries(st.tuples(_title, _title), _status, min_size=1, max_size=8))
def test_round_trip_through_synthesized_reporter_output(tests: dict[tuple[str, str], Status]) -> None:
    """Any (suite, test) tree written the way the rfsn reporter writes it parses back."""
    suites: dict[str, list[tuple[str, Status]]] = {}
    for (suite, name), status in tests.items():
        suites.setdefault(suite, []).append((name, status))
    lines = []
    for suite, cases in suites.items():
        for name, status in cases:
            lines.append(
                {
                    "event": "fail" if status is Status.FAILED else "pass",
                    "name": name,
                    "nesting": 1,
                    "file": "test/x.test.js",
                    "skip": status is Status.SKIPPED,
                    "todo": False,
                }
            )
        failed = any(s is Status.FAILED for _, s in cases)
        lines.append(
            {
                "event": "fail" if failed else "pass",
                "name": suite,
                "nesting": 0,
                "file": "test/x.test.js",
                "kind": "suite",
            }
        )
    parsed = parse_node_events("\n".join(json.dumps(line) for line in lines))
    assert parsed == {f"test/x.test.js > {s} > {n}": status for (s, n), status in tests.items()}


def test_durations_are_read_for_the_ids_the_statuses_have() -> None:
    from rfsn.buildpacks.node.jsreports import node_durations

    lines = [
        {"event": "pass", "name": "leaf", "nesting": 1, "file": "t.test.js", "duration_ms": 250.0},
        {"event": "pass", "name": "group", "nesting": 0, "file": "t.test.js", "kind": "suite", "duration_ms": 260.0},
        {"event": "fail", "name": "alone", "nesting": 0, "file": "t.test.js", "duration_ms": 5},
        {"event": "pass", "name": "unmeasured", "nesting": 0, "file": "t.test.js"},
    ]
    text = "\n".join(json.dumps(line) for line in lines)
    assert node_durations(text) == {"t.test.js > group > leaf": 0.25, "t.test.js > alone": 0.005}
    assert set(node_durations(text)) < set(parse_node_events(text))


def test_a_real_node_run_reports_each_tests_duration(tmp_path) -> None:
    """The reporter passes node's own duration_ms: screening gets per-test limits for node."""
    import shutil

    from rfsn.buildpacks.node.buildpack import NodeBuildpack
    from rfsn.runner import run_tests
    from rfsn.sandbox.local import LocalSandbox

    if shutil.which("node") is None:
        pytest.skip("no node on the host")
    (tmp_path / "test").mkdir()
    (tmp_path / "package.json").write_text('{"name": "d", "scripts": {"test": "node --test"}}')
    (tmp_path / "test" / "slow.test.js").write_text(
        "const test = require('node:test');\n"
        "test('slow', async () => { await new Promise((r) => setTimeout(r, 300)); });\n"
        "test('quick', () => {});\n"
    )
    box = LocalSandbox(tmp_path, None, {}, "2g")
    try:
        report = run_tests(box, NodeBuildpack(), timeout=60)
    finally:
        box.close()
    assert set(report.durations) == set(report.tests) == {"test/slow.test.js > slow", "test/slow.test.js > quick"}
    assert report.durations["test/slow.test.js > slow"] >= 0.29 > report.durations["test/slow.test.js > quick"]
