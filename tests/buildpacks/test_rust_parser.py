"""The libtest parser on recorded cargo runs, and a round trip through synthesized output."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from rfsn.buildpacks.rust.buildpack import RustBuildpack, libtest_crashes, parse_libtest
from rfsn.models import Crash
from rfsn.models import TestStatus as Status
from tests.buildpacks.conftest import FIXTURES

RUST = FIXTURES / "rust"
#: from the devset's instances.jsonl: FAIL_TO_PASS fail and PASS_TO_PASS pass after test_patch
DEVSET = json.loads((RUST / "devset-expected.json").read_text())


def test_devset_crates_match_the_devset_harness() -> None:
    for crate, expected in DEVSET.items():
        parsed = parse_libtest((RUST / f"{crate}.output").read_text())
        assert {k: v.value for k, v in parsed.items()} == expected, crate


def test_every_kind_of_result_across_test_binaries_and_doc_tests() -> None:
    assert parse_libtest((RUST / "multicrate.output").read_text()) == {
        "tests::doubles": Status.PASSED,
        "tests::halves_wrongly": Status.FAILED,
        "tests::overflow_panics": Status.PASSED,
        "tests::slow_one": Status.SKIPPED,
        "doubles_from_outside": Status.PASSED,
        "doubles": Status.FAILED,
        "src/lib.rs - double (line 5)": Status.PASSED,
        "src/lib.rs - half (line 14)": Status.FAILED,
    }


def test_a_compile_error_gives_no_tests() -> None:
    assert parse_libtest((RUST / "compile-error.output").read_text()) == {}


def test_the_same_name_in_two_binaries_keeps_the_worse_status() -> None:
    output = "test it_works ... ok\ntest it_works ... FAILED\ntest it_works ... ok\n"
    assert parse_libtest(output) == {"it_works": Status.FAILED}


_segment = st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True)
_name = st.lists(_segment, min_size=1, max_size=4).map("::".join)
#: what libtest prints a status as (it has no per-test timeout of its own)
_WORD = {Status.PASSED: "ok", Status.FAILED: "FAILED", Status.SKIPPED: "ignored"}
_status = st.sampled_from(list(_WORD))


@given(st.dictionaries(_name, _status, max_size=20))
def test_round_trip_through_synthesized_libtest_output(tests: dict[str, Status]) -> None:
    lines = [f"running {len(tests)} tests"]
    lines += [f"test {name} ... {_WORD[status]}" for name, status in tests.items()]
    lines += ["", "test result: ok. 0 passed; 0 failed"]
    assert parse_libtest("\n".join(lines)) == tests


def test_test_binaries_that_die_are_read_as_the_crash_of_the_test_their_output_names() -> None:
    """cargo 1.65 in rfsn/base-rust: a stack overflow names its test's thread; an abort among
    tests run in parallel names none, and run one at a time it is the test started last."""
    parallel = (RUST / "abort-parallel.output").read_text()
    assert parse_libtest(parallel) == {"first": Status.PASSED}
    overflow, abort = libtest_crashes(parallel)
    assert (overflow.test, overflow.reason, overflow.unit) == ("tests::b_overflows", "stack overflow", "--lib")
    assert (abort.test, abort.reason, abort.unit) == ("", "signal: 6, SIGABRT: process abort signal", "--test abort")
    (alone,) = libtest_crashes((RUST / "abort-one-at-a-time.output").read_text())
    assert (alone.test, alone.unit) == ("aborts", "--test abort")
    for name in ("ringbuf.output", "wordfreq.output", "multicrate.output", "compile-error.output"):
        assert libtest_crashes((RUST / name).read_text()) == [], name


def test_the_rest_of_a_dead_test_binary_runs_one_at_a_time_without_what_is_done() -> None:
    crash = Crash(test="b", reason="stack overflow", unit="--test abort")
    base = [
        "cargo",
        "test",
        "--offline",
        "--no-fail-fast",
        "--color",
        "never",
        "--test",
        "abort",
        "--",
        "--test-threads=1",
        "--exact",
    ]
    assert RustBuildpack().rest_command(crash, ["b", "a"], [], "/r") == [*base, "--skip", "a", "--skip", "b"]
    assert RustBuildpack().rest_command(crash, ["a", "b"], ["a", "b", "c"], "/r") == [*base, "c"]
    assert RustBuildpack().rest_command(crash, ["a"], ["a", "b"], "/r") is None
