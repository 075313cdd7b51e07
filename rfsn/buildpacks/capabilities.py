"""What a buildpack may do besides the five steps of ``Buildpack``: the optional ``*Capable``
protocols, one each, and what they speak of: the sandbox as a buildpack sees it
(``SandboxView``), a coverage plan, the environment's options. ``rfsn.buildpacks.base``
re-exports every name, where plugins import them from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from rfsn.models import Crash, ExecResult, Probe, Probed, TestReport, TestStatus

#: environment variable: the seconds a coverage plan's later command has left
SECONDS_LEFT = "RFSN_SECONDS_LEFT"
#: seconds a command past its timeout has after SIGINT (as Ctrl-C: a test runner still writes the
#: report of the tests it finished) before a second SIGINT, and as long again before SIGKILL, in every
#: sandbox (``SandboxView.exec``): a program may take the first as a request (asyncio's runner cancels
#: its task with it, and a test may catch the cancellation) and only the second as Ctrl-C
INTERRUPT_GRACE = 5
#: the SIGINTs a command past its timeout gets, ``INTERRUPT_GRACE`` apart, before SIGKILL
INTERRUPTS = 2
#: test id -> file -> the lines it ran
CoverageByTest = dict[str, dict[str, set[int]]]


@runtime_checkable
class SandboxView(Protocol):
    """What a buildpack may use of a sandbox: run commands, and the report directory.

    ``workdir`` is the repository as commands see it (``workspace`` on the host); ``scratch``
    is a host directory that commands see at ``scratch_path`` (runners write reports there);
    ``run_tmp``: the ``TMPDIR`` commands see in a run with a temporary directory of its own.
    """

    workdir: str
    workspace: Path
    scratch: Path
    scratch_path: str
    run_tmp: str

    def exec(
        self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None, own_tmp: bool = False
    ) -> ExecResult:
        """Run argv in ``workdir``; on timeout interrupt it (``INTERRUPTS``) and then kill it and all
        its children, timed_out=True.
        ``own_tmp``: with a temporary directory of its own (``TMPDIR``), empty at the start
        and removed after, as a fresh container would have."""
        ...


class CoveragePlan(BaseModel):
    """How to run tests with per-test line coverage (or a probe): files to write, commands,
    environment. Each command after the first finds the seconds it has left in ``SECONDS_LEFT``."""

    files: dict[str, str] = Field(default_factory=dict, description="written into report_dir first")
    commands: list[list[str]] = Field(description="run in order; the first runs the tests")
    env: dict[str, str] = Field(default_factory=dict)


@runtime_checkable
class CoverageCapable(Protocol):
    """Optional: a buildpack that can measure which lines each test runs (for localization)."""

    def coverage_plan(self, tests: Sequence[str], report_dir: str) -> CoveragePlan: ...

    def parse_coverage(
        self, reports: dict[str, str], test_ids: Sequence[str], workdir: str
    ) -> dict[str, dict[str, list[int]]]: ...


@runtime_checkable
class ProbeCapable(Protocol):
    """Optional: a buildpack that can record what one function evaluates to while tests run
    (``Probe``: the types of an expression's values and of its returns, per test)."""

    def probe_plan(self, tests: Sequence[str], report_dir: str, probe: Probe) -> CoveragePlan: ...

    def parse_probe(self, reports: dict[str, str]) -> Probed: ...


class TestExec(Protocol):
    """Something that runs a test command: a sandbox, or a warm runner in front of one (which
    passes ``env`` and ``own_tmp`` on to the runs it leaves to the sandbox)."""

    def exec(
        self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None, own_tmp: bool = False
    ) -> ExecResult: ...


@runtime_checkable
class FitCapable(Protocol):
    """Optional: a buildpack whose commands follow what the environment's runner has (its
    version, the plugins that load), asked in the first sandbox set up with it."""

    def fit(self, sandbox: SandboxView) -> None: ...


@runtime_checkable
class RebuildCapable(Protocol):
    """Optional: a buildpack whose tests run a build of the sources (``dist/`` that a ``pretest``
    writes), built again before each test run (``rfsn.sandbox.rebuild``)."""

    def rebuild(self, sandbox: SandboxView, timeout: float) -> tuple[float, str]:
        """Build again: the seconds it took, and why the tree does not build ("" when it does)."""
        ...


@runtime_checkable
class WarmCapable(Protocol):
    """Optional: a buildpack whose test runs can skip the runner's cold start."""

    def warm_runner(self, sandbox: SandboxView) -> TestExec | None: ...


@runtime_checkable
class HealthCapable(Protocol):
    """Optional: a buildpack that tells a broken environment from failing tests."""

    def diagnose(self, report: TestReport, repo: Path) -> str | None:
        """Why this full-suite run says nothing about the project's tests (None: healthy)."""
        ...


@runtime_checkable
class CrashCapable(Protocol):
    """Optional: a buildpack that tells a run the project's own crash cut short (the project is
    part of the test runner, as pytest is in its own repository)."""

    def crashed(self, report: TestReport, repo: Path) -> bool:
        """Whether this run was cut short by an internal error raised through the repository's
        own code (the project is part of the test runner): the tests it never reported did not
        pass."""
        ...


@runtime_checkable
class ResumeCapable(Protocol):
    """Optional: a buildpack whose runner dies with a test that crashes its process (a Go panic,
    a Node test file's process that exits, a Rust test binary that aborts) and can run the tests
    that crash kept from running without it."""

    def crashes(self, output: str, statuses: Mapping[str, TestStatus]) -> list[Crash]:
        """The tests whose failure ended a process of this run, each with what it printed."""
        ...

    def rest_command(
        self, crash: Crash, done: Collection[str], tests: Sequence[str], report_dir: str
    ) -> list[str] | None:
        """The argv that runs the tests of ``crash.unit`` not in ``done`` (the crashed test is),
        within the selection ``tests`` (empty: all); None when it cannot or none is left."""
        ...


@runtime_checkable
class CollectCapable(Protocol):
    """Optional: a buildpack whose whole suite can take in test files its runner's patterns
    miss: those of the runner the project declares instead, and files a user named."""

    def collect(self, repo: Path, files: Sequence[str] = ()) -> bool:
        """From now on every run of the whole suite collects, besides what the project's
        configuration collects, the test files of the runner it declares where the buildpack's
        own finds none, and ``files``; False where its suite stays as it is."""
        ...


@runtime_checkable
class ProgressCapable(Protocol):
    """Optional: a buildpack whose runner prints the end of each test file it runs, so a run cut
    short still tells which files it ran to the end."""

    def finished_files(self, output: str) -> list[str]:
        """The test files ``output`` shows run to their end, in the order it ran them."""
        ...


@runtime_checkable
class CaseLimitCapable(Protocol):
    """Optional: a buildpack whose runner can stop one test past a time limit (status timeout)."""

    case_timeout: float | None


def limit_cases(buildpack: object, seconds: float | None) -> None:
    """Give the buildpack's runs a per-test limit, when its runner has one."""
    if isinstance(buildpack, CaseLimitCapable):
        buildpack.case_timeout = seconds


@contextmanager
def cases_unlimited(buildpack: object) -> Iterator[None]:
    """The buildpack's runs have no per-test limit inside."""
    if not isinstance(buildpack, CaseLimitCapable):
        yield
        return
    saved, buildpack.case_timeout = buildpack.case_timeout, None
    try:
        yield
    finally:
        buildpack.case_timeout = saved


class EnvOptions(BaseModel):
    """How a plain repository's environment is dated and which runtime it runs (settings)."""

    model_config = ConfigDict(frozen=True)

    as_of: str = Field(default="commit", description="'commit' (its date), 'today' or YYYY-MM-DD")
    runtime: str | None = Field(default=None, description="the runtime's version X.Y; None: chosen")
    archives: Path | None = Field(default=None, description="directory of Python archives")
    registry: bool = Field(default=False, description="base images come from a registry (any version)")


@runtime_checkable
class DatedCapable(Protocol):
    """Optional: a buildpack whose env recipe follows ``EnvOptions`` (set before ``env_recipe``)."""

    env_options: EnvOptions


def date_env(buildpack: object, options: EnvOptions) -> None:
    """Give the buildpack's env recipe these options, when it takes them."""
    if isinstance(buildpack, DatedCapable):
        buildpack.env_options = options


@runtime_checkable
class LinesCapable(Protocol):
    """Optional: a buildpack whose project declares several runtime lines (a CI matrix): those
    other than the one it chooses, and the one an instance's environment keeps (``line``, set
    before ``env_recipe``; None: the one it chooses)."""

    line: str | None

    def declared_lines(self, repo: Path) -> list[str]:
        """The other lines the project's CI ran its tests on, in the order to try them."""
        ...


@runtime_checkable
class FailFastCapable(Protocol):
    """Optional: a buildpack whose runner can stop once a number of tests have failed."""

    def fail_fast_command(self, tests: Sequence[str], report_dir: str, max_failures: int) -> list[str] | None:
        """``test_command`` that stops after ``max_failures`` failed tests (None: it cannot)."""
        ...


@runtime_checkable
class ColdStartCapable(Protocol):
    """Optional: a warm runner that runs some commands cold (an edit it cannot swap in, a command it
    does not take): those get ``cold_start`` seconds beyond their limit (set for each run)."""

    cold_start: float


@runtime_checkable
class BriefCapable(Protocol):
    """Optional: a buildpack whose runner can write each failure briefly (a screening run's, where
    what failed and where is all that is read), and so faster than its own long report of it."""

    def brief_command(self, tests: Sequence[str], report_dir: str) -> list[str]: ...


@runtime_checkable
class ReasonCapable(Protocol):
    """Optional: a buildpack whose runner's report says why each test failed (jest's failure
    messages, ``go test -json``'s ``t.Errorf`` lines), where no summary line does."""

    def reasons(self, output: str, reports: dict[str, str]) -> dict[str, tuple[str, str]]:
        """Failed test id -> (the first line of its failure, the file it was raised in)."""
        ...


@runtime_checkable
class DurationCapable(Protocol):
    """Optional: a buildpack whose reports say how long each test took."""

    def durations(self, output: str, reports: dict[str, str]) -> dict[str, float]: ...


@runtime_checkable
class RecordCapable(Protocol):
    """Optional: a buildpack whose runner can record each test as it ends, read where the run's
    report is missing (a run killed at its limit after it ignored the interrupts)."""

    def recorded(self, argv: list[str], report_dir: str, host_dir: Path) -> list[str]:
        """A whole-suite ``argv`` that records into ``report_dir`` (``host_dir`` on the host, where
        what it needs goes first)."""
        ...
