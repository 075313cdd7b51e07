"""The model strategy's verify round and agreement ranking, through the real OpenAI SDK client
against the scripted loopback server; and the reproduction helpers (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.llm.budget import GuardedModel, LLMBudget
from rfsn.llm.clients import make_model, transient_errors
from rfsn.llm.fake_server import FakeServer, Scripted
from rfsn.models import TestReport
from rfsn.models import TestStatus as S
from rfsn.planners.base import RepairContext
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.patch.replies import ReplyError
from rfsn.planners.patch.strategies.model import ModelStrategy
from rfsn.planners.reproduce.issue import new_test_file, reproduced
from rfsn.planners.verify.choice import Evidence, agreement_key, rank_plausible

SOURCE = "def add(a, b):\n    return a - b\n"
WRONG = "pkg/mod.py\n<<<<<<< SEARCH\n    return a - b\n=======\n    return b - a\n>>>>>>> REPLACE\n"
RIGHT = "pkg/mod.py\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n"
RIGHT_SPACED = RIGHT.replace("return a + b", "return  a + b ")


def best(plausible: list[Candidate], votes: dict[str, int] | None = None) -> Candidate:
    return rank_plausible(plausible, Evidence(votes=votes or {}))[0].candidate


def _context(server: FakeServer) -> RepairContext:
    model = GuardedModel(
        make_model("openai", "m", server.base_url("openai"), "sk-x"), LLMBudget(), None, transient_errors()
    )
    return RepairContext(
        workspace=Path("/nonexistent"),
        language="python",
        failing=["tests/test_mod.py::test_add"],
        passing=[],
        locations=[],
        files={"pkg/mod.py": SOURCE},
        model=model,
    )


def test_a_candidate_that_fails_screening_goes_back_once_with_its_test_output() -> None:
    with FakeServer([Scripted(text=WRONG), Scripted(text=RIGHT)]) as server:
        context = _context(server)
        candidates = iter(ModelStrategy().candidates(context))
        first = next(candidates)
        assert "b - a" in first.patched and len(server.requests) == 1
        context.failures[first.diff()] = "FAILED tests/test_mod.py::test_add - assert -1 == 3\n1 failed in 0.31s"
        second = next(candidates)
        assert "a + b" in second.patched
        feedback = server.requests[1]["messages"]
        assert "b - a" in feedback[-2]["content"]  # the failed patch, as the model's answer
        assert "assert -1 == 3" in feedback[-1]["content"]
        assert "<t>s" in feedback[-1]["content"] and "0.31s" not in feedback[-1]["content"]
        rest = list(candidates)  # samples 2 and 3 repeat RIGHT: no new candidate, no more rounds
    assert rest == [] and len(server.requests) == 4
    assert context.votes[agreement_key(second)] == 3


def test_a_failed_candidate_gets_one_verify_round_per_sample_only() -> None:
    with FakeServer([Scripted(text=WRONG)]) as server:
        context = _context(server)
        seen = []
        for candidate in ModelStrategy().candidates(context):
            seen.append(candidate)
            context.failures[candidate.diff()] = "1 failed"
    # 3 samples, each with one verify round; the same wrong edit is screened once
    assert len(seen) == 1 and len(server.requests) == 6


def _candidate(patched: str, template: str = "model") -> Candidate:
    return Candidate(
        path="pkg/mod.py",
        line=2,
        template=template,
        description=patched.strip(),
        score=1.0,
        original=SOURCE,
        patched=patched,
    )


def test_agreement_ranks_before_size_and_ignores_whitespace() -> None:
    small = _candidate("def add(a, b):\n    return a + b\n")
    spaced = _candidate("def add(a, b):\n    return  a + b \n")
    bigger = _candidate("def add(a, b):\n    total = a + b\n    return total\n")
    assert agreement_key(small) == agreement_key(spaced) != agreement_key(bigger)
    votes = {agreement_key(bigger): 2, agreement_key(small): 1}
    assert best([small, bigger], votes) is bigger
    # no votes (the templates): the smallest (lines, then characters), then the better-ranked
    assert best([bigger, small]) is small
    assert best([small, spaced]) is small
    assert best([spaced, small]) is small
    assert best([small, _candidate(small.patched)]) is small


def test_whitespace_variants_from_two_samples_vote_together() -> None:
    with FakeServer([Scripted(text=RIGHT), Scripted(text=RIGHT_SPACED), Scripted(text=WRONG)]) as server:
        context = _context(server)
        found = list(ModelStrategy().candidates(context))
    assert len(found) == 3
    assert context.votes[agreement_key(found[0])] == 2 and context.votes[agreement_key(found[2])] == 1
    assert best(found, context.votes) is found[0]


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        ("no file here", "no path line"),
        ("pkg/check.py\n```python\ndef test_x():\n    assert False\n```\n", "not named or placed as a test"),
        ("tests/test_mod.py\n```python\ndef test_x():\n    assert False\n```\n", "exists already"),
        ("../tests/test_x.py\n```python\nx = 1\n```\n", "not a path inside"),
        ("tests/test_a.py\n```python\nx\n```\ntests/test_b.py\n```python\ny\n```\n", "2 files"),
    ],
)
def test_a_reproduction_reply_must_be_exactly_one_new_test_file(tmp_path: Path, reply: str, why: str) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_mod.py").write_text("def test_add():\n    pass\n")
    with pytest.raises(ReplyError, match=why):
        new_test_file(reply, tmp_path)


def test_a_reproduction_may_come_as_a_new_file_diff(tmp_path: Path) -> None:
    reply = (
        "```diff\n--- /dev/null\n+++ b/tests/test_issue.py\n@@ -0,0 +1,2 @@\n"
        "+def test_issue():\n+    assert 1 == 2\n```\n"
    )
    assert new_test_file(reply, tmp_path) == ("tests/test_issue.py", "def test_issue():\n    assert 1 == 2\n")


def _report(**tests: S) -> TestReport:
    return TestReport(
        tests={k.replace("__", "::"): v for k, v in tests.items()}, exit_code=1, duration=1.0, log="", structured=True
    )


def test_only_new_failing_tests_reproduce() -> None:
    base = _report(old__a=S.PASSED, old__b=S.FAILED)
    new = S.FAILED
    assert reproduced(base, _report(old__a=S.FAILED, new__x=new, new__y=S.PASSED)) == (["new::x"], "")
    assert "pass before any fix" in reproduced(base, _report(new__x=S.PASSED))[1]
    assert "error" in reproduced(base, _report(new=S.ERROR))[1]
    assert "no test" in reproduced(base, _report(old__a=S.PASSED))[1]
    assert "timed out" in reproduced(base, None)[1]


def test_a_reproduction_the_projects_own_crash_cut_short_fails_its_tests() -> None:
    """The run crashed (in the project's code): the tests the file defines that it never reported
    failed (pytest-7168's reproduction: ten passed, then the eleventh crashed pytest); a run
    that reported them all, or did not crash, is as it was."""
    from rfsn.planners.reproduce.issue import cut_short

    text = (
        "import pytest\n\ndef helper():\n    pass\n\ndef test_a():\n    helper()\n\n"
        "class TestB:\n    def test_c(self):\n        pass\n\n    def other(self):\n        pass\n"
    )
    crashed = TestReport(tests={"old::a": S.PASSED, "pytest.py::internal": S.ERROR}, exit_code=3, crashed=True)
    cut = cut_short("t/test_i.py", text, crashed)
    assert cut is not None and cut.tests == {
        **crashed.tests,
        "t/test_i.py::test_a": S.FAILED,
        "t/test_i.py::TestB::test_c": S.FAILED,
    }
    assert reproduced(_report(old__a=S.PASSED), cut)[0] == ["t/test_i.py::TestB::test_c", "t/test_i.py::test_a"]
    some = crashed.model_copy(update={"tests": {"t/test_i.py::test_a": S.PASSED}})
    cut = cut_short("t/test_i.py", text, some)
    assert cut is not None and cut.tests == {"t/test_i.py::test_a": S.PASSED, "t/test_i.py::TestB::test_c": S.FAILED}
    reported = crashed.model_copy(
        update={"tests": {"t/test_i.py::test_a[1]": S.PASSED, "t/test_i.py::TestB::test_c": S.PASSED}}
    )
    assert cut_short("t/test_i.py", text, reported) is reported
    whole = crashed.model_copy(update={"crashed": False})
    assert cut_short("t/test_i.py", text, whole) is whole and cut_short("t/test_i.py", text, None) is None


def test_later_samples_start_with_what_the_model_read_in_earlier_ones() -> None:
    """A file read in sample 1 is in the requests of samples 2 and 3: no second read, no
    second round trip with the whole request (the token cost of reading once per sample)."""
    from rfsn.models import GateDecision, Outcome
    from rfsn.planners.base import Feedback, Lookup

    read = Scripted(tool_calls=(("view_file", {"path": "pkg/mod.py"}),))
    with FakeServer([read, Scripted(text=WRONG)]) as server:
        context = _context(server)
        lookups = 0
        for item in ModelStrategy().candidates(context):
            if isinstance(item, Lookup):
                lookups += 1
                item.answered(
                    Feedback(
                        GateDecision(accepted=True, reason="accepted"),
                        Outcome(intent="read_file", ok=True, content=SOURCE),
                    )
                )
            else:
                context.failures[item.diff()] = "1 failed"
    first, *later = [
        r["messages"][1]["content"]
        for r in server.requests
        if r["messages"][-1]["role"] == "user" and len(r["messages"]) == 2
    ]
    assert lookups == 1 and "What you read in the repository earlier" not in first
    assert len(later) == 2 and all('### view_file({"path": "pkg/mod.py"})' in r for r in later)
    assert all("    2  " + SOURCE.splitlines()[1] in r for r in later)


def _ran(report: TestReport) -> object:
    from rfsn.models import GateDecision, Outcome
    from rfsn.planners.base import Feedback

    return Feedback(GateDecision(accepted=True, reason="accepted"), Outcome(intent="run_tests", ok=True, report=report))


def test_the_reproduction_runs_alone_and_is_folded_into_the_baseline() -> None:
    """Not the whole suite again: the rest is as the baseline ran it."""
    from rfsn.planners.reproduce.issue import reproduction_run

    baseline = TestReport(
        tests={"tests/test_a.py::test_old": S.PASSED, "tests/test_b.py::test_x": S.FAILED},
        exit_code=1,
        duration=30.0,
        log="whole suite",
        durations={"tests/test_a.py::test_old": 1.0},
    )
    run = reproduction_run("tests/test_issue.py", baseline)
    first = next(run)
    assert first.tests == ("tests/test_issue.py",)  # type: ignore[attr-defined]
    with pytest.raises(StopIteration) as done:
        run.send(
            _ran(
                TestReport(
                    tests={"tests/test_issue.py::test_it": S.FAILED},
                    exit_code=1,
                    log="assert 1 == 2",
                    durations={"tests/test_issue.py::test_it": 0.1},
                )
            )
        )
    merged = done.value.value
    assert merged.tests == {**baseline.tests, "tests/test_issue.py::test_it": S.FAILED}
    assert merged.duration == 30.0 and merged.log == "assert 1 == 2" and len(merged.durations) == 2


def test_where_the_runner_cannot_run_a_file_alone_the_whole_suite_runs() -> None:
    from rfsn.planners.reproduce.issue import reproduction_run

    baseline = TestReport(tests={"pkg::TestOld": S.PASSED}, exit_code=0)
    run = reproduction_run("pkg/issue_test.go", baseline)
    next(run)
    again = run.send(_ran(TestReport(exit_code=1, log="no test files")))  # nothing of the new file ran
    assert again.tests == ()  # type: ignore[attr-defined]
    full = TestReport(tests={"pkg::TestOld": S.PASSED, "pkg::TestIssue": S.FAILED}, exit_code=1)
    with pytest.raises(StopIteration) as done:
        run.send(_ran(full))
    assert done.value.value == full


def test_a_run_of_the_file_the_projects_crash_cut_short_is_folded_into_the_baseline() -> None:
    """It reported nothing of the file: the whole suite would stop at the same file, and the
    baseline would lose the tests after it (and the suite's duration, which limits screening)."""
    from rfsn.planners.reproduce.issue import reproduction_run

    baseline = TestReport(
        tests={"tests/test_a.py::test_old": S.PASSED, "tests/test_z.py::test_late": S.PASSED},
        exit_code=0,
        duration=100.0,
    )
    run = reproduction_run("tests/test_issue.py", baseline)
    next(run)
    with pytest.raises(StopIteration) as done:
        run.send(_ran(TestReport(exit_code=3, log="INTERNALERROR> RuntimeError", crashed=True)))
    merged = done.value.value
    assert merged.tests == baseline.tests and merged.duration == 100.0 and merged.crashed
