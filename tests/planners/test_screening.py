"""Screen: tiers (failing tests, covering tests, suite), judging a tier, choosing the best patch."""

from __future__ import annotations

from rfsn.buildpacks.testfiles import is_test_module
from rfsn.models import TestReport
from rfsn.models import TestStatus as Status
from rfsn.planners.code.candidates import Candidate, Splice, apply_splices
from rfsn.planners.verify.choice import Evidence, rank_plausible
from rfsn.planners.verify.screening import MAX_LOST_RETRIES, PAIRABLE_TARGETS, RETRY_FACTOR, Screen
from rfsn.planners.verify.startup import STARTUP_WINDOW
from rfsn.planners.verify.tiers import Tier

P, F, E = Status.PASSED, Status.FAILED, Status.ERROR
SOURCE = "def f(x):\n    y = x - 1\n    return y\n"
T1, T2 = "t.py::test_one", "t.py::test_two"
PASSING = [f"t.py::test_p{i}" for i in range(6)]


def best(plausible: list[Candidate], votes: dict[str, int] | None = None) -> Candidate:
    return rank_plausible(plausible, Evidence(votes=votes or {}))[0].candidate


def cand(old: str, new: str, template: str = "op") -> Candidate:
    start = SOURCE.index(old)
    splice = Splice(start, start + len(old), new)
    return Candidate(
        path="f.py",
        line=SOURCE[:start].count("\n") + 1,
        template=template,
        description=f"{old} -> {new}",
        score=1.0,
        original=SOURCE,
        patched=apply_splices(SOURCE, (splice,)),
        splices=(splice,),
    )


def baseline(**extra: Status) -> TestReport:
    return TestReport(tests={T1: F, T2: F, **dict.fromkeys(PASSING, P), **extra}, exit_code=1, duration=2.0)


def test_tiers_without_coverage_are_failing_tests_then_suite() -> None:
    tiers = list(Screen(baseline(), [T1, T2]).tiers(cand("x - 1", "x + 1")))
    # the failing tests alone carry no per-test limit: how long they took while failing says
    # nothing of how long they take once they pass
    assert tiers == [
        Tier("failing tests", [T1, T2], timeout=8.0, case_limit=False),
        Tier("whole suite", [], last=True, timeout=8.0, max_failures=1),
    ]


def test_the_whole_suite_leaves_out_test_files_where_no_test_passed_unless_they_hold_a_target() -> None:
    """A file whose one entry is its own error collected nothing (an import that failed); in
    another every test failed, timed out or was skipped (sympy's test_failing_integrals.py: 800 s
    of sympy-23191's baseline). No test of them passed, so no candidate can break one, and the
    whole suite need not run them again, unless a target is in one (a test patch's file that
    imports what the fix adds). A file with a test that passed runs."""
    report = baseline(
        **{
            "broken/test_a.py": E,
            "given/test_b.py": E,
            "t2.py": E,
            "t2.py::test_x": P,
            "pkg/TestGo": E,
            "sympy/tests/test_failing.py:test_slow": Status.TIMEOUT,
            "test_slow": Status.TIMEOUT,
            "sympy/tests/test_failing.py:test_skip": Status.SKIPPED,
        }
    )
    assert report.passless(is_test_module) == ["broken/test_a.py", "given/test_b.py", "sympy/tests/test_failing.py"]
    tiers = list(Screen(report, [T1, "given/test_b.py::test_new"]).tiers(cand("x - 1", "x + 1")))
    assert [t.leave_out for t in tiers if t.last or not t.case_limit] == [
        (),
        ("broken/test_a.py", "sympy/tests/test_failing.py"),
    ]
    # a target by its bare name, as the dataset names a sympy test, holds its file too
    tiers = list(Screen(report, [T1, "test_slow"]).tiers(cand("x - 1", "x + 1")))
    assert tiers[-1].leave_out == ("broken/test_a.py", "given/test_b.py")
    # a run cut short reached no file it did not report: that says nothing of their collection
    cut = TestReport(
        tests={"test_t.py": E, "test_u.py::test_y": P},
        exit_code=139,
        reason="killed by signal 11",
        unreached=["test_t.py"],
    )
    assert cut.passless(is_test_module) == []


def test_runs_stop_at_the_first_test_that_breaks_allowing_the_suites_own_failures() -> None:
    """The covering tests and the suite stop at the first broken test; a test that already failed
    at baseline (not a target) does not stop the suite; a few failing tests all run (which ones a
    candidate fixes pairs partial fixes), many stop at the first that still fails."""
    coverage = {PASSING[0]: {"f.py": [2]}}
    old_failure = baseline(**{"t.py::test_broken_anyway": E})
    tiers = list(Screen(old_failure, [T1, T2], coverage).tiers(cand("x - 1", "x + 1")))
    assert [t.max_failures for t in tiers] == [None, 1, 2]
    many = [f"t.py::test_f{i}" for i in range(PAIRABLE_TARGETS + 1)]
    report = TestReport(tests={**dict.fromkeys(many, F), **dict.fromkeys(PASSING, P)}, duration=2.0)
    first = next(Screen(report, many).tiers(cand("x - 1", "x + 1")))
    assert first.max_failures == 1 and first.tests == many


def test_the_suite_does_not_stop_at_an_old_test_the_reproduction_restates() -> None:
    """Set aside from the baseline, a restated test may fail; counted as a break, it stopped the
    whole suite early and every test after it was missing (pytest-8906 in the ceiling sweep)."""
    restated = "t.py::test_old_expectation"
    last = list(Screen(baseline(), [T1, T2], may_break=[restated]).tiers(cand("x - 1", "x + 1")))[-1]
    assert last.name == "whole suite" and last.max_failures == 2


def test_a_test_that_fails_with_no_candidate_applied_is_stale_and_set_aside_in_every_tier() -> None:
    """The baseline ran before the reproduction's files: a test that fails in the whole suite
    without any candidate once they are there is no candidate's doing. Set aside, it breaks no
    tier and the suite does not stop at it. A test that run did not report is not stale (the
    problem may cut the run short), nor is a target."""
    lister, unreported = PASSING[0], PASSING[1]
    screen = Screen(baseline(), [T1, T2], {lister: {"f.py": [2]}, PASSING[2]: {"f.py": [2]}})
    without = TestReport(tests={T1: F, T2: F, lister: F, **dict.fromkeys(PASSING[2:], P)})
    assert not screen.rebaselined
    assert screen.rebaseline(without) == [lister] and screen.stale == [lister] and screen.rebaselined
    covering, suite = list(screen.tiers(cand("x - 1", "x + 1")))[1:]
    assert covering.tests == [PASSING[2]]  # it stops at the first failure: not at the stale test
    assert suite.max_failures == 2
    run = TestReport(tests={T1: P, T2: P, lister: F, **dict.fromkeys(PASSING[1:], P)})
    assert screen.judge(covering, run).passed_tier and screen.judge(suite, run).plausible
    assert unreported not in screen.stale


def test_tests_a_candidate_calls_obsolete_break_no_tier_and_issue_only_runs_tell_more_breaks() -> None:
    """A candidate may break the tests its proposer called obsolete (planners.verify.obsolete): they are
    not in the covering tier (it stops at the first failure), the suite does not stop at them,
    and no tier counts them. With ``tell_broken`` (issue-only) a run goes on past the first
    break, so the model hears of every test it broke at once."""
    old = PASSING[0]
    coverage = {old: {"f.py": [2]}, PASSING[1]: {"f.py": [2]}}
    called = cand("x - 1", "x + 1").model_copy(update={"obsolete": (old,)})
    _, covering, suite = Screen(baseline(), [T1, T2], coverage).tiers(called)
    assert covering.tests == [PASSING[1]] and covering.max_failures == 1 and suite.max_failures == 2
    run = TestReport(tests={T1: P, T2: P, old: F, **dict.fromkeys(PASSING[1:], P)})
    screen = Screen(baseline(), [T1, T2], coverage)
    assert screen.judge(suite, run, called.obsolete).plausible and not screen.judge(suite, run).plausible
    assert screen.judge(suite, run).broke == (old,)
    telling = list(Screen(baseline(), [T1, T2], coverage, tell_broken=5).tiers(called))
    assert [t.max_failures for t in telling] == [None, 6, 7]


def test_tiers_run_tests_in_the_baselines_order_as_humanize_2d891b8_needs() -> None:
    """Tests that share state (one deletes a module's attribute another reads) pass or fail by
    their order: a screening runs them as the baseline did, never cheapest or by name first."""
    later, first = "t.py::test_a_deletes", "t.py::test_z_reads"
    run = TestReport(
        tests={first: F, later: F, **dict.fromkeys(PASSING, P)},
        exit_code=1,
        duration=2.0,
        durations={first: 0.3, later: 0.01},
    )
    tiers = list(Screen(run, [later, first], {t: {"f.py": [2]} for t in PASSING[2::-1]}).tiers(cand("x - 1", "x + 1")))
    assert tiers[0].tests == [first, later]
    assert tiers[1].tests == PASSING[:3]  # the covering tests too
    unknown = Screen(run, ["t.py::new_b", first, "t.py::new_a"]).in_suite_order(["t.py::new_b", first, "t.py::new_a"])
    assert unknown == [first, "t.py::new_a", "t.py::new_b"]


def test_a_looping_candidate_gets_a_limit_from_its_tests_baseline_durations() -> None:
    """Mutants may loop: the failing tests' tier may take 10x their baseline plus one slack,
    never more than a whole-suite run; unknown durations fall back to that."""
    timed = baseline().model_copy(update={"durations": {T1: 0.3, T2: 0.01, **dict.fromkeys(PASSING, 0.05)}})
    screen = Screen(timed, [T1, T2])
    first, suite = list(screen.tiers(cand("x - 1", "x + 1")))
    startup = 2.0 - (0.3 + 0.01 + 6 * 0.05)
    assert abs(first.timeout - (startup + 10 * 0.31 + 1.0)) < 1e-9
    assert suite.timeout == screen.timeout == 8.0
    slow = baseline().model_copy(update={"durations": {T1: 5.0, T2: 5.0}})
    assert Screen(slow, [T1, T2]).limit([T1, T2]) == 8.0  # capped by the suite's limit
    assert Screen(baseline(), [T1]).limit([T1]) == 8.0  # no durations known


def test_a_warm_runs_limit_is_its_tests_time_and_the_start_up_of_the_runs_before_it_tokenizer() -> None:
    """A screening run forked from a warm runner has no cold start-up: once runs of selected tests
    ran to their end, a limit carries the largest start-up they showed (of the last
    ``STARTUP_WINDOW``), not the baseline's cold imports and collection (tokenizer: 5.1 s of a
    6.1 s limit for 0.02 s of tests; looping candidates took 61-69 % of its 600 s)."""
    timed = baseline().model_copy(update={"duration": 5.1, "durations": {T1: 0.01, T2: 0.01}})
    screen = Screen(timed, [T1, T2])
    failing = next(screen.tiers(cand("x - 1", "x + 1")))
    assert abs(screen.limit([T1, T2]) - (5.08 + 10 * 0.02 + 1.0)) < 1e-9  # no run yet: the cold one
    assert screen.startup.cold_start() == 0.0
    screen.ran(failing, TestReport(tests={T1: F, T2: F}, duration=0.32, durations={T1: 0.01, T2: 0.01}))
    screen.ran(failing, TestReport(tests={T1: F, T2: F}, duration=0.52, durations={T1: 0.01, T2: 0.01}))
    assert abs(screen.limit([T1, T2]) - (0.5 + 10 * 0.02 + 1.0)) < 1e-9  # the largest start-up seen
    # a run that starts cold after all (an edit the warm runner cannot swap in) has the cold limit
    assert (
        abs(screen.startup.cold_start() - 4.58) < 1e-9 and next(screen.tiers(cand("x - 1", "x + 1"))).cold_start == 4.58
    )
    # a run cut off, killed, or of the whole suite (never forked) teaches nothing
    screen.ran(failing, TestReport(tests={T1: E}, duration=9.0, durations={T1: 0.01}, timed_out=True))
    screen.ran(failing, TestReport(tests={T1: E}, duration=9.0, durations={T1: 0.01}, exit_code=139))
    suite = Tier("whole suite", [], last=True)
    screen.ran(suite, TestReport(tests={T1: F}, duration=9.0, durations={T1: 0.01}))
    assert abs(screen.limit([T1, T2]) - 1.7) < 1e-9
    for _ in range(STARTUP_WINDOW):
        screen.ran(failing, TestReport(tests={T1: F, T2: F}, duration=0.12, durations={T1: 0.01, T2: 0.01}))
    assert abs(screen.limit([T1, T2]) - 1.3) < 1e-9  # the window moved on


def test_tests_covering_the_edited_line_form_a_middle_tier() -> None:
    coverage = {PASSING[0]: {"f.py": [1, 2, 3]}, PASSING[1]: {"f.py": [3]}, PASSING[2]: {"g.py": [2]}}
    tiers = list(Screen(baseline(), [T1], coverage).tiers(cand("x - 1", "x + 1")))  # edits line 2
    assert [t.name for t in tiers] == ["failing tests", "tests covering the edit", "whole suite"]
    assert tiers[1].tests == [PASSING[0]]


def test_no_covering_tier_when_most_tests_cover_the_edit() -> None:
    coverage = {t: {"f.py": [2]} for t in PASSING}
    tiers = list(Screen(baseline(), [T1], coverage).tiers(cand("x - 1", "x + 1")))
    assert [t.name for t in tiers] == ["failing tests", "whole suite"]


def test_the_targets_files_form_the_middle_tier_where_coverage_gives_none_history_sqlparse() -> None:
    """Most tests covering the edit, or none known: the passing tests of the targets' own files
    run before the whole suite (forked, not cold: a candidate that breaks a neighbour is refused
    there), unless they are half the suite or more."""
    near = ["t.py::test_n0", "t.py::test_n1"]
    others = {f"u.py::test_o{i}": P for i in range(8)}
    report = TestReport(tests={T1: F, **dict.fromkeys(near, P), **others}, exit_code=1, duration=2.0)
    everywhere = {t: {"f.py": [2]} for t in [*near, *others]}
    for coverage in (None, everywhere):
        tiers = list(Screen(report, [T1], coverage).tiers(cand("x - 1", "x + 1")))
        assert [t.name for t in tiers] == ["failing tests", "the targets' test files", "whole suite"]
        assert tiers[1].tests == near and tiers[1].max_failures == 1 and tiers[1].case_limit
    assert [t.name for t in Screen(baseline(), [T1]).tiers(cand("x - 1", "x + 1"))] == ["failing tests", "whole suite"]


def test_the_screening_timeout_scales_with_the_baseline() -> None:
    assert Screen(baseline(), [T1]).timeout == 8.0
    assert Screen(TestReport(duration=0.1), [T1]).timeout == 3.0


def test_judge_failing_tier() -> None:
    screen = Screen(baseline(), [T1, T2])
    tier = Tier("failing tests", [T1, T2])
    both = screen.judge(tier, TestReport(tests={T1: P, T2: P}))
    assert both.passed_tier and not both.plausible and both.fixed == {T1, T2}
    half = screen.judge(tier, TestReport(tests={T1: P, T2: F}))
    assert not half.passed_tier and half.fixed == {T1}


def test_judge_whole_suite_needs_every_target_and_every_baseline_pass() -> None:
    screen = Screen(baseline(), [T1])
    suite = Tier("whole suite", [], last=True)
    good = {T1: P, T2: F, **dict.fromkeys(PASSING, P)}  # T2 is not a target: it may still fail
    assert screen.judge(suite, TestReport(tests=good)).plausible
    broken = {**good, PASSING[3]: E}
    assert not screen.judge(suite, TestReport(tests=broken)).passed_tier
    missing = {k: v for k, v in good.items() if k != PASSING[5]}  # a vanished test is not a pass
    assert not screen.judge(suite, TestReport(tests=missing)).passed_tier


def test_judge_covering_tier_only_needs_its_own_tests() -> None:
    screen = Screen(baseline(), [T1])
    tier = Tier("tests covering the edit", [PASSING[0]])
    assert screen.judge(tier, TestReport(tests={PASSING[0]: P})).passed_tier
    assert not screen.judge(tier, TestReport(tests={PASSING[0]: F})).passed_tier


def test_judge_a_timeout_or_no_report_never_holds() -> None:
    screen = Screen(baseline(), [T1])
    tier = Tier("failing tests", [T1])
    assert not screen.judge(tier, None).passed_tier
    timed_out = screen.judge(tier, TestReport(tests={T1: P}, timed_out=True))
    assert not timed_out.passed_tier and timed_out.fixed == frozenset()


def test_a_run_that_timed_out_before_any_test_reported_is_run_again_with_a_longer_limit() -> None:
    """A build slowed by load and a candidate that loops look alike: neither is a verdict yet."""
    screen = Screen(baseline(), [T1])
    tier = Tier("failing tests", [T1], timeout=5.0)
    silent = screen.judge(tier, TestReport(tests={T1: E}, timed_out=True, exit_code=124, unreached=[T1]))
    assert silent.inconclusive and not silent.passed_tier
    again = screen.retry(tier, silent)
    assert again is not None and again.timeout == 5.0 * RETRY_FACTOR and again.tests == [T1]
    # cut off once the target had passed (killed while it wrote its report): nothing against it
    passed = screen.judge(tier, TestReport(tests={T1: P}, timed_out=True, exit_code=124))
    assert passed.inconclusive and screen.retry(tier, passed) is not None
    errored = TestReport(tests={T1: E}, timed_out=True, exit_code=124)
    assert not screen.judge(tier, errored).inconclusive  # T1's error was reported: a verdict
    # the whole suite cut off under load (sympy-12171: 21 s at baseline, cut off at 80 s) with
    # passes only, the files it never reached in place: no verdict either
    # passes only, the files it never reached in place, a test that failed at baseline failing
    # again (it fails anyway): no verdict either
    suite = Tier("whole suite", [], last=True, timeout=80.0)
    never = {"t/test_b.py": E}
    partial = TestReport(tests={PASSING[0]: P, T2: F, **never}, timed_out=True, exit_code=124, unreached=[*never])
    assert screen.judge(suite, partial).inconclusive and screen.retry(suite, screen.judge(suite, partial))
    broke = TestReport(tests={PASSING[0]: F, **never}, timed_out=True, exit_code=124, unreached=[*never])
    assert not screen.judge(suite, broke).inconclusive  # a test that passed at baseline failed
    unfixed = TestReport(tests={T1: F, **never}, timed_out=True, exit_code=124, unreached=[*never])
    assert not screen.judge(suite, unfixed).inconclusive  # and so did the target
    spoke = screen.judge(tier, TestReport(tests={T1: F, T2: P}, timed_out=True, exit_code=124))
    assert not spoke.inconclusive and screen.retry(tier, spoke) is None  # a test answered: a verdict
    assert screen.retry(tier, screen.judge(tier, TestReport(tests={T1: F}))) is None


def test_the_failing_tests_are_retried_twice_and_other_tiers_once() -> None:
    """How long the targets took while failing says nothing of how long they take once fixed."""
    screen = Screen(baseline(), [T1])
    failing, suite = list(screen.tiers(cand("x - 1", "x + 1")))
    silent = TestReport(tests={T1: E}, timed_out=True, exit_code=124, unreached=[T1])
    once = screen.retry(failing, screen.judge(failing, silent))
    twice = once and screen.retry(once, screen.judge(once, silent))
    assert once is not None and twice is not None and twice.timeout == failing.timeout * RETRY_FACTOR**2
    assert screen.retry(twice, screen.judge(twice, silent)) is None
    again = screen.retry(suite, screen.judge(suite, silent))
    assert again is not None and screen.retry(again, screen.judge(again, silent)) is None


def test_the_failing_tests_are_not_retried_twice_past_a_limit_as_long_as_the_slowest_passing_test() -> None:
    """duration-fmt: a candidate that loops in its targets was cut at 2.4 s, 9.2 s and 34 s, each
    rerun four times the last, where every test of the suite ran in milliseconds. Past its first
    rerun, a run cut off at a limit that let each target run as long as the suite's slowest test
    (ten times over) is hung: a fix rarely makes a test slower than that. A suite with a slow test
    keeps the ladder (a target that takes minutes once fixed), and so does one of unknown durations."""
    silent = TestReport(tests={T1: E}, timed_out=True, exit_code=124, unreached=[T1])

    def ladder(slowest: float) -> list[float]:
        durations = {T1: 0.01, T2: 0.01, **dict.fromkeys(PASSING, 0.01), PASSING[0]: slowest}
        screen = Screen(baseline().model_copy(update={"durations": durations}), [T1])
        tier: Tier | None = next(iter(screen.tiers(cand("x - 1", "x + 1"))))
        limits = []
        while tier is not None:
            limits.append(tier.timeout)
            tier = screen.retry(tier, screen.judge(tier, silent))
        return limits

    fast = ladder(0.01)
    assert fast == [fast[0], fast[0] * RETRY_FACTOR]  # one rerun: the load may explain a cut-off
    assert len(ladder(5.0)) == 3
    screen = Screen(baseline(), [T1])  # no durations: nothing bounds the ladder
    failing = next(iter(screen.tiers(cand("x - 1", "x + 1"))))
    once = screen.retry(failing, screen.judge(failing, silent))
    assert once is not None and screen.retry(once, screen.judge(once, silent)) is not None


def test_a_target_the_per_test_limit_stopped_counts_as_fixed_only_once_it_passed_alone() -> None:
    screen = Screen(baseline(), [T1])
    suite = Tier("whole suite", [], last=True)
    stopped = TestReport(tests={T1: Status.TIMEOUT, T2: F, **dict.fromkeys(PASSING, P)})
    assert not screen.judge(suite, stopped).plausible
    assert screen.judge(suite, stopped, held=True).plausible


def test_a_run_whose_runner_died_of_a_signal_is_run_again() -> None:
    """An extension that crashes the interpreter now and then (astropy 1.3's ``_erfa`` in its
    environment) and a candidate that crashes it look alike: the run is no verdict yet. A run
    killed (SIGKILL: out of memory) or one that ended with an ordinary failure is one."""
    screen = Screen(baseline(), [T1])
    tier = Tier("the whole suite", [], last=True, timeout=5.0)
    crashed = screen.judge(tier, TestReport(tests={T1: P}, exit_code=139))
    assert crashed.inconclusive and not crashed.passed_tier
    again = screen.retry(tier, crashed)
    assert again is not None and again.timeout == 5.0 * RETRY_FACTOR
    killed = screen.judge(tier, TestReport(tests={T1: P}, exit_code=137))
    assert not killed.inconclusive and screen.retry(tier, killed) is None
    assert not screen.judge(tier, TestReport(tests={T1: P, T2: F}, exit_code=1)).inconclusive


def test_retries_stop_once_the_reruns_keep_timing_out() -> None:
    """Past a few reruns that loop again, candidates loop: the machine is not the cause."""
    screen = Screen(baseline(), [T1])
    tier = Tier("failing tests", [T1], timeout=5.0)
    silent = screen.judge(tier, TestReport(timed_out=True, exit_code=124))
    screen.retried(screen.judge(tier, TestReport(tests={T1: P})))  # a rerun that answered costs nothing
    for _ in range(MAX_LOST_RETRIES):
        assert screen.retry(tier, silent) is not None
        screen.retried(silent)
    assert screen.retry(tier, silent) is None


def test_a_tier_the_runner_refused_says_nothing_about_the_candidate() -> None:
    """No test reported, no timeout: the runner refused the command (an id it cannot address)."""
    screen = Screen(baseline(), [T1])
    refused = TestReport(exit_code=4, log="ERROR: not found: t.py::test_one[\\xa3]")
    assert screen.judge(Tier("failing tests", [T1]), refused).ran_nothing
    assert not screen.judge(Tier("whole suite", [], last=True), refused).ran_nothing  # the suite decides
    assert not screen.judge(Tier("failing tests", [T1]), TestReport(exit_code=124, timed_out=True)).ran_nothing


def test_choose_best_prefers_small_non_deleting_patches_then_rank() -> None:
    small = cand("x - 1", "x + 1")
    large = cand("y = x - 1", "y = x + 1\n    y = y * 1")  # three diff lines to small's two
    deleting = cand("    y = x - 1\n", "", template="delete_statement")
    same_size = cand("x - 1", "x * 1")  # not a number traded for another: no concern (fitted.retuned)
    assert best([deleting, large, small]) is small
    assert best([same_size, small]) is same_size  # ties go to the better-ranked
    assert best([deleting]) is deleting


def test_a_test_whose_id_carries_the_clock_is_the_same_test_in_every_run() -> None:
    """marshmallow parametrizes with ``datetime.now()``: the id changes from run to run. The
    ceiling check lost marshmallow-1359's right answer to it (the test 'vanished')."""
    before = "t.py::test_parse[06:34:53 2026-11-23]"
    screen = Screen(TestReport(tests={T1: F, before: P, **dict.fromkeys(PASSING, P)}), [T1])
    suite = Tier("whole suite", [], last=True)
    later = {T1: P, "t.py::test_parse[06:36:10 2026-11-23]": P, **dict.fromkeys(PASSING, P)}
    assert screen.judge(suite, TestReport(tests=later)).plausible
    broken = {**later, "t.py::test_parse[06:36:10 2026-11-23]": F}
    assert not screen.judge(suite, TestReport(tests=broken)).passed_tier
    other = {T1: P, "t.py::test_other[06:36:10 2026-11-23]": P, **dict.fromkeys(PASSING, P)}
    assert not screen.judge(suite, TestReport(tests=other)).passed_tier  # another test is no stand-in


def test_a_run_went_to_its_end_only_when_every_test_it_was_to_run_is_in_it() -> None:
    """A whole suite stopped by pytest's --maxfail (which counts a call's failure and its
    teardown's error twice) lacks tests it was to run; a test named for the clock is the same."""
    clocked = "t.py::test_at[06:34:53]"
    screen = Screen(baseline(**{clocked: P}), [T1])
    suite = Tier("whole suite", [], last=True)
    every = {t: P for t in PASSING}
    assert screen.ran_to_end(suite, TestReport(tests={**every, "t.py::test_at[07:00:01]": P}))
    assert not screen.ran_to_end(suite, TestReport(tests=every))
    assert not screen.ran_to_end(suite, TestReport(tests={**every, clocked: P, T2: F}, stops_at=1, exit_code=1))


def test_a_folder_a_conftest_kept_from_collection_passes_once_its_tests_pass_marshmallow_8e4e746() -> None:
    """A target that is a folder or file the baseline reported erring (its conftest or module
    failed to import) is fixed when the run collects its tests and each of them passes; one of
    them failing, or the folder erring again, is not (marshmallow 8e4e746: ``tests`` erred while
    its conftest could not load)."""
    before = TestReport(tests={"tests": E}, exit_code=4, duration=2.0)
    screen = Screen(before, ["tests"])
    suite = Tier("whole suite", [], last=True, timeout=8.0)
    run = {"tests/test_a.py::test_x": P, "tests/sub/test_b.py::test_y": P, "other/test_c.py::test_z": F}
    fixed = screen.judge(suite, TestReport(tests=run, exit_code=1, duration=1.0))
    assert fixed.fixed == {"tests"} and fixed.plausible
    one_fails = screen.judge(
        suite, TestReport(tests={**run, "tests/sub/test_b.py::test_y": F}, exit_code=1, duration=1.0)
    )
    assert not one_fails.fixed and not one_fails.plausible and one_fails.failed == {"tests"}
    again = screen.judge(suite, TestReport(tests={"tests": E}, exit_code=4, duration=1.0))
    assert not again.fixed and not again.plausible
    assert TestReport(tests=run, exit_code=1, duration=1.0).named(".") == list(run)
