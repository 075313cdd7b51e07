"""What comes back: command results, test reports, gate decisions, outcomes (a session's own: ``sessions``)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from rfsn.models.probes import Probed
from rfsn.models.testfiles import test_id_file


class TestStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    TIMEOUT = "timeout"  # the test ran past the runner's per-test time limit and was stopped


class ExecResult(BaseModel):
    """One command run in a sandbox."""

    argv: list[str]
    exit_code: int
    output: str = Field(description="stdout and stderr interleaved, truncated to a limit")
    duration: float = Field(description="seconds")
    timed_out: bool = False

    def abnormal_end(self) -> str:
        """Why the command ended without finishing its run ("" if it finished)."""
        if self.timed_out:
            return f"timed out after {self.duration:.0f}s and was killed"
        if self.exit_code == 137:
            return "killed (SIGKILL: out of memory or a limit)"
        if self.exit_code > 128:
            return f"killed by signal {self.exit_code - 128}"
        return ""


class Crash(BaseModel):
    """A test whose failure ended its runner's process (a Go panic, a Node test file's process
    that exits, a Rust test binary that aborts), as the runner printed it."""

    __test__ = False

    test: str = Field(description="the test id it failed as")
    reason: str = Field(description="the first line of what it printed dying (a panic's message)")
    stack: str = Field(default="", description="the stack it printed, as text")
    unit: str = Field(default="", description="the package, file or test binary whose run it ended")


class TestReport(BaseModel):
    """Per-test statuses, keyed by ids in the form the ecosystem prints them."""

    __test__ = False  # not a pytest test class

    tests: dict[str, TestStatus] = Field(default_factory=dict)
    exit_code: int = 0
    duration: float = 0.0
    log: str = ""
    timed_out: bool = False
    reason: str = Field(default="", description="why the run ended abnormally (timeout, killed), if it did")
    structured: bool = Field(default=True, description="False when only the exit code was known (generic buildpack)")
    coverage: dict[str, dict[str, list[int]]] | None = Field(
        default=None, description="test id -> file -> covered lines, when asked for"
    )
    command: list[str] = Field(default_factory=list, description="the argv that ran the tests")
    durations: dict[str, float] = Field(
        default_factory=dict, description="test id -> seconds, where the runner reports it"
    )
    env_error: str | None = Field(
        default=None, description="why this run says nothing about the tests: a broken environment"
    )
    stops_at: int | None = Field(
        default=None,
        description="the number of failed tests the run was to stop at (None: it "
        "was to run to its end, whatever failed)",
    )
    unreached: list[str] = Field(
        default_factory=list,
        description="the ids the run selected and ended before reporting "
        "(timed out, killed): recorded as errors, they did not pass",
    )
    crashed: bool = Field(
        default=False,
        description="the run was cut short by an internal error raised through the "
        "project's own code (the buildpack's CrashCapable.crashed): a "
        "test it never reported did not pass",
    )
    crashes: list[Crash] = Field(
        default_factory=list,
        description="tests whose failure ended their runner's process; the "
        "tests it kept from running ran again without them",
    )
    reasons: dict[str, tuple[str, str]] = Field(
        default_factory=dict,
        description="failed test id -> (the first line of its failure, the file "
        "it was raised in), where the runner's structured report says",
    )
    probed: Probed | None = Field(default=None, description="what the run's probe saw (``RunTests.probe``)")

    def with_status(self, *statuses: TestStatus) -> list[str]:
        return sorted(t for t, s in self.tests.items() if s in statuses)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def failing(self) -> list[str]:
        return self.with_status(TestStatus.FAILED, TestStatus.ERROR, TestStatus.TIMEOUT)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passing(self) -> list[str]:
        return self.with_status(TestStatus.PASSED)

    @property
    def signalled(self) -> bool:
        """The runner died of a signal of its own (SIGSEGV, SIGABRT: a crash in an extension),
        not of the run's limit or a SIGKILL (out of memory, a limit)."""
        return not self.timed_out and self.exit_code > 128 and self.exit_code != 137

    @property
    def ok(self) -> bool:
        """Every test passed (skips allowed) and the runner did not fail on its own."""
        return not self.timed_out and not self.failing and self.exit_code == 0

    def passless(self, is_test_module: Callable[[str], bool]) -> list[str]:
        """The test files (``is_test_module``) of this run in which no test passed: it collected nothing from them
        (the file's own id is its one entry, an error: an import that failed), or every test of
        them it reported failed, erred, timed out or was skipped. A file it never reached is
        not one."""
        reached = {test_id_file(t) for t in self.tests if t not in self.unreached}
        passed = {test_id_file(t) for t in self.passing}
        return sorted(f for f in reached - passed if is_test_module(f))

    def named(self, given: str) -> list[str]:
        """The tests of this run ``given`` names: itself, or what it holds (the tests of a file,
        a folder or a class; the cases of a parametrized function named without its parameters,
        as pytest runs them), or the tests it is the `cut_name` of (an id cut at whitespace, as
        SWE-bench's datasets hold them)."""
        if given in self.tests:
            return [given]
        if given in (".", "./"):  # the repository's root folder
            return list(self.tests)
        stem = given.rstrip("/")
        return [
            t
            for t in self.tests
            if t.startswith((stem + "::", stem + "/", stem + " > ", stem + "[")) or cut_name(t) == given
        ]

    def unknown(self, given: list[str]) -> list[str]:
        """The ``given`` test ids (a test, or a file or folder of tests) this run reported nothing for."""
        return [t for t in given if not self.named(t)] if self.structured else []

    def resolve(self, given: list[str]) -> list[str]:
        """The tests of this run that ``given`` ids name (`named`); an id it reported nothing
        for stands for itself."""
        return list(dict.fromkeys(t for g in given for t in (self.named(g) or [g])))

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in TestStatus}
        for status in self.tests.values():
            counts[status.value] += 1
        return counts


def cut_name(test_id: str) -> str:
    """A test id as SWE-bench's harness names it: its log parsers cut a name at the first
    whitespace (``test_x[a and b]`` becomes ``test_x[a``), and so do its datasets."""
    return test_id.split(maxsplit=1)[0] if test_id.strip() else test_id


# Rejection rules form a closed set; the gate module owns the list.
class GateDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    accepted: bool
    rule: str | None = Field(default=None, description="the rule that rejected, None if accepted")
    reason: str = ""


class Outcome(BaseModel):
    """What executing one approved proposal produced."""

    intent: str
    ok: bool
    detail: str = Field(default="", description="a short human summary")
    exec: ExecResult | None = None
    report: TestReport | None = None
    content: str | None = Field(default=None, description="file text or search hits")
    data: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of_run(cls, intent: str, report: TestReport) -> Outcome:
        """A test run's outcome: ok unless it timed out, its counts as the detail."""
        counts = ", ".join(f"{n} {s}" for s, n in report.counts().items() if n)
        return cls(
            intent=intent,
            ok=not report.timed_out,
            report=report,
            detail=("timed out; " if report.timed_out else "") + (counts or "no tests"),
        )


#: the most output kept from one command (head and tail are kept)
MAX_OUTPUT = 2_000_000


def truncate_output(text: str, limit: int = MAX_OUTPUT) -> str:
    """``text`` with its middle cut out if it is longer than ``limit`` characters."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n... [{len(text) - limit} characters cut] ...\n{text[-half:]}"
