"""The go test -json parser on a recorded run, test-id splitting, and a round trip."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from rfsn.buildpacks.base import limit_cases
from rfsn.buildpacks.go.buildpack import GoBuildpack, go_crashes, go_run_pattern, parse_go_json, split_test_id
from rfsn.models import Crash
from rfsn.models import TestStatus as Status
from tests.buildpacks.conftest import FIXTURES

GO = FIXTURES / "go"
PKG = "example.com/calc"


def test_recorded_run_with_subtests_skips_examples_and_a_build_failure() -> None:
    assert parse_go_json((GO / "calc.output").read_text()) == {
        f"{PKG}/mathx/TestAbs": Status.PASSED,
        f"{PKG}/mathx/TestAbs/positive": Status.PASSED,
        f"{PKG}/mathx/TestAbs/negative_number": Status.PASSED,
        f"{PKG}/mathx/TestAbs/zero": Status.PASSED,
        f"{PKG}/mathx/TestClamp": Status.FAILED,
        f"{PKG}/mathx/TestClamp/below": Status.PASSED,
        f"{PKG}/mathx/TestClamp/above": Status.FAILED,
        f"{PKG}/mathx/TestSkipped": Status.SKIPPED,
        f"{PKG}/strs/TestShout": Status.PASSED,
        f"{PKG}/strs/ExampleShout": Status.PASSED,
        f"{PKG}/broken": Status.ERROR,
    }


def test_a_json_package_failure_without_failing_tests_is_an_error() -> None:
    events = [
        {"Action": "pass", "Package": "m/p", "Test": "TestA"},
        {"Action": "fail", "Package": "m/p"},
        {"Action": "fail", "Package": "m/q", "Test": "TestB"},
        {"Action": "fail", "Package": "m/q"},
        {"Action": "skip", "Package": "m/nofiles"},
    ]
    assert parse_go_json("\n".join(json.dumps(e) for e in events)) == {
        "m/p/TestA": Status.PASSED,
        "m/p": Status.ERROR,
        "m/q/TestB": Status.FAILED,
    }


def test_split_test_id() -> None:
    assert split_test_id(f"{PKG}/mathx/TestClamp/above") == (f"{PKG}/mathx", "TestClamp")
    assert split_test_id("github.com/a/b/ExampleFoo") == ("github.com/a/b", "ExampleFoo")
    assert split_test_id("example.com/testing/Test") == ("example.com/testing", "Test")
    assert split_test_id(f"{PKG}/broken") == (f"{PKG}/broken", None)


def test_selected_tests_become_run_patterns_per_package() -> None:
    argv = GoBuildpack().test_command(
        [f"{PKG}/mathx/TestClamp/above", f"{PKG}/mathx/TestAbs", f"{PKG}/strs/TestShout"], "/r"
    )
    assert argv == ["go", "test", "-json", "-run", "^(TestAbs|TestClamp|TestShout)$", f"{PKG}/mathx", f"{PKG}/strs"]
    assert GoBuildpack().test_command([], "/r") == ["go", "test", "-json", "./..."]
    assert "-run" not in GoBuildpack().test_command([f"{PKG}/broken", f"{PKG}/strs/TestX"], "/r")


def test_run_pattern_escapes_regex_metacharacters() -> None:
    assert go_run_pattern(["TestA.b", "Test(x)"]) == r"^(TestA\.b|Test\(x\))$"


_func = st.from_regex(r"Test[A-Z][A-Za-z0-9_]{0,10}", fullmatch=True)
_sub = st.from_regex(r"[a-z0-9_#]{1,10}", fullmatch=True)
_pkg = st.lists(st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True), min_size=1, max_size=3).map(
    lambda parts: "example.com/" + "/".join(parts)
)


@given(
    st.dictionaries(
        st.tuples(_pkg, _func, st.none() | _sub),
        st.sampled_from([Status.PASSED, Status.FAILED, Status.SKIPPED]),
        max_size=15,
    )
)
def test_round_trip_through_synthesized_go_json(tests: dict[tuple[str, str, str | None], Status]) -> None:
    action = {Status.PASSED: "pass", Status.FAILED: "fail", Status.SKIPPED: "skip"}
    lines = []
    for (pkg, func, sub), status in tests.items():
        name = f"{func}/{sub}" if sub else func
        lines.append(json.dumps({"Action": "run", "Package": pkg, "Test": name}))
        lines.append(json.dumps({"Action": "output", "Package": pkg, "Test": name, "Output": "x\n"}))
        lines.append(json.dumps({"Action": action[status], "Package": pkg, "Test": name}))
    expected = {f"{p}/{f}/{s}" if s else f"{p}/{f}": st_ for (p, f, s), st_ in tests.items()}
    parsed = parse_go_json("\n".join(lines))
    assert parsed == expected
    for tid in expected:
        pkg, func = split_test_id(tid)
        assert tid.startswith(f"{pkg}/{func}")


def test_a_recorded_panic_is_its_tests_crash_with_the_panics_message_and_stack() -> None:
    """A panic ends the package's test binary (go 1.19, a slice off-by-one): the test that
    panicked is read with the panic's message and its stack, which names the faulty line."""
    output = (GO / "words-panic.output").read_text()
    assert parse_go_json(output) == {
        "example.com/gopanic/words/TestVerb": Status.PASSED,
        "example.com/gopanic/words/TestArgsOne": Status.FAILED,
    }
    (crash,) = go_crashes(output)
    assert (crash.test, crash.reason, crash.unit) == (
        "example.com/gopanic/words/TestArgsOne",
        "runtime error: slice bounds out of range [2:1]",
        "example.com/gopanic/words",
    )
    assert "\t/testbed/words/words.go:12\n" in crash.stack
    assert go_crashes((GO / "calc.output").read_text()) == []


def test_a_test_binary_runs_under_the_per_test_limit_where_one_is_set() -> None:
    pack = GoBuildpack()
    limit_cases(pack, 2.5)
    assert pack.test_command([], "/r") == ["go", "test", "-json", "-timeout=3s", "./..."]
    crash = Crash(test="m/p/TestB", reason="test timed out after 3s", unit="m/p")
    assert pack.rest_command(crash, ["m/p/TestB"], ["m/p/TestB", "m/p/TestC"], "/r") == [
        "go",
        "test",
        "-json",
        "-timeout=3s",
        "-run",
        "^(TestC)$",
        "m/p",
    ]
    assert pack.coverage_plan([], "/r").commands[-1][-1] == "-timeout=3s"


def test_the_rest_of_a_crashed_package_is_its_tests_not_done() -> None:
    crash = Crash(test="m/p/TestB", reason="boom", unit="m/p")
    done = ["m/p/TestA", "m/p/TestB", "m/p/TestB/sub", "m/q/TestC"]
    argv = GoBuildpack().rest_command(crash, done, [], "/r")
    assert argv is not None and argv[:2] == ["sh", "-c"] and argv[3:] == ["sh", "m/p", "-timeout=10m", "TestA", "TestB"]
    assert GoBuildpack().rest_command(crash, done, ["m/p/TestA", "m/p/TestD", "m/q/TestE"], "/r") == [
        "go",
        "test",
        "-json",
        "-timeout=10m",
        "-run",
        "^(TestD)$",
        "m/p",
    ]
    assert GoBuildpack().rest_command(crash, done, ["m/p/TestA", "m/p/TestB"], "/r") is None


def test_a_panic_in_a_goroutine_the_test_started_is_that_tests_crash() -> None:
    """go 1.19's test2json gives the test no result when a goroutine it started panics, only the
    package's failure: the panic's output names the test, which fails in the package's place."""
    output = (GO / "goroutine-panic.output").read_text()
    assert parse_go_json(output) == {"example.com/gogo/p/TestA": Status.PASSED, "example.com/gogo/p": Status.ERROR}
    (crash,) = go_crashes(output)
    assert (crash.test, crash.reason, crash.unit) == (
        "example.com/gogo/p/TestGoroutine",
        "runtime error: index out of range [3] with length 1",
        "example.com/gogo/p",
    )


def test_a_stack_overflow_is_its_tests_crash_with_the_runtimes_fatal_error() -> None:
    """go 1.19: a runaway recursion ends the binary with ``fatal error: stack overflow`` and no
    test result; the test whose output holds it crashed, its stack naming the recursing line."""
    (crash,) = go_crashes((GO / "stack-overflow.output").read_text())
    assert (crash.test, crash.reason) == ("example.com/gogo/p/TestDeep", "stack overflow")
    assert "\t/testbed/p/p_test.go:5 +0x" in crash.stack
