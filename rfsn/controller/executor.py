"""The executor: the only place that acts on a proposal, and only on an Approved one."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from rfsn.buildpacks.base import (
    Buildpack,
    CollectCapable,
    CrashCapable,
    HealthCapable,
    ProgressCapable,
    TestExec,
    WarmCapable,
    cases_unlimited,
)
from rfsn.errors import ForgedApproval, RfsnError, WorkspaceError
from rfsn.fsutil import NOT_SOURCE_DIRS
from rfsn.gate import Approved
from rfsn.gate.policy import DEFAULT_SECRET_GLOBS
from rfsn.gate.rules_paths import matches_any
from rfsn.models import (
    Edit,
    Finish,
    ListDir,
    Outcome,
    Phase,
    Proposal,
    ReadFile,
    RunCommand,
    RunTests,
    Search,
    TestReport,
)
from rfsn.models.testfiles import is_test_module, test_id_file
from rfsn.observability.logging import get_logger
from rfsn.runner import run_tests
from rfsn.sandbox.base import Sandbox
from rfsn.workspace import Workspace

log = get_logger(__name__)

MAX_READ = 200_000
MAX_HITS = 200
MAX_ENTRIES = 500
SEARCH_SECONDS = 10.0
#: a baseline whose runner died of a signal runs again up to this many times
BASELINE_RETRIES = 2


class Executor:
    def __init__(self, sandbox: Sandbox, buildpack: Buildpack, workspace: Workspace,
                 test_timeout: float, remaining: Callable[[], float] | None = None,
                 secret_globs: tuple[str, ...] = DEFAULT_SECRET_GLOBS, suite: tuple[str, ...] = (),
                 narrowed: tuple[str, ...] = (), given: tuple[str, ...] = ()) -> None:
        """``remaining`` gives the session's wall seconds left: no command runs past them.
        Files matching ``secret_globs`` (the gate's) are never searched, wherever the root.
        ``suite``: the test files a run of the whole suite runs instead, with the test files the
        session added (a reproduction); a SWE-bench session runs those the harness grades, or
        those named for the code the problem points to, where the whole suite (sympy's, astropy's)
        would outlast the run's limit. ``narrowed``: the test files it turns to once a baseline
        run of the whole suite timed out (``_narrow``). ``given``: the tests the session was
        given to fix (a baseline is cut short only where it keeps them all: ``_cut``)."""
        self.sandbox, self.buildpack, self.workspace = sandbox, buildpack, workspace
        self.suite, self.narrowed, self.given = suite, narrowed, given
        self._baselined = False  # the session's baseline ran (a later reproduce run is not it)
        self._dropped: tuple[str, ...] = ()  # the files a cut baseline left (``_cut``): never run again
        self.secret_globs = secret_globs
        self.test_timeout = test_timeout
        self.remaining = remaining
        self._warm: TestExec | None = None
        self._warm_started = False
        self._warming: threading.Thread | None = None

    def _suite(self, leave_out: tuple[str, ...] = ()) -> tuple[str, ...]:
        """What a run of the whole suite runs: nothing named (all of it), or ``suite`` and the
        test files the session added, but for those it leaves out (``RunTests.leave_out``; a
        run of all of it leaves none out)."""
        if not self.suite:
            return ()
        added = [p for p in self.workspace.added()
                 if is_test_module(p) and p not in self.suite and p not in self._dropped]
        kept = tuple(p for p in (*self.suite, *added) if p not in leave_out)
        if len(kept) < len(self.suite) + len(added):
            log.info("executor.left_out", files=[p for p in leave_out if p in (*self.suite, *added)])
        return kept or (*self.suite, *added)

    def _via(self, proposal: RunTests) -> TestExec | None:
        """Screening runs (patch phase) go through the buildpack's warm runner, if it has one."""
        return self._warm if proposal.phase is Phase.PATCH else None

    def _start_warm(self, background: bool) -> None:
        """Start the warm runner (once). In the background as the localization's test run
        starts: its start-up then overlaps that run and the making of candidates (or a
        model's answer). Otherwise before the first candidate is applied. Either way it loads
        the project as it is before any candidate: what may change the workspace or screen a
        candidate waits for it (``_settle``)."""
        if self._warm_started or not isinstance(self.buildpack, WarmCapable):
            return
        self._warm_started = True
        if not background:
            self._load_warm()
            return
        self._warming = threading.Thread(target=self._load_warm, name="rfsn-warm", daemon=True)
        self._warming.start()

    def _settle(self) -> None:
        if self._warming is not None:
            self._warming.join()
            self._warming = None

    def _load_warm(self) -> None:
        assert isinstance(self.buildpack, WarmCapable)
        started = time.monotonic()
        try:
            self._warm = self.buildpack.warm_runner(self.sandbox)
        except RfsnError as exc:  # the sandbox went away (the session ended first): no warm runs
            log.info("warm.unavailable", reason=str(exc))
            return
        log.info("warm.started", ready=self._warm is not None,
                 seconds=round(time.monotonic() - started, 3))

    def _diagnose(self, baseline: TestReport) -> str | None:
        """Why the baseline says nothing about the project, if it does not: the buildpack's own
        diagnosis, or a failed setup (the project's install) after which no test passes."""
        if isinstance(self.buildpack, HealthCapable):
            broken = self.buildpack.diagnose(baseline, self.workspace.path)
            if broken:
                return broken
        if self.sandbox.setup_failure and not baseline.passing:
            return ("the environment is broken: no test passes after the project's setup failed: "
                    f"{self.sandbox.setup_failure}")
        return None

    def _timeout(self, requested: float | None) -> float:
        """The command's own limit, cut to what is left of the session's budget (at least 1s)."""
        timeout = requested or self.test_timeout
        return timeout if self.remaining is None else min(timeout, max(1.0, self.remaining()))

    def run(self, approved: Approved) -> Outcome:
        if not isinstance(approved, Approved):
            raise ForgedApproval("the executor runs only proposals the gate approved")
        proposal = approved.proposal
        if isinstance(proposal, RunTests) and proposal.phase is Phase.LOCALIZE:
            self._start_warm(background=True)
        elif not _leaves_workspace_alone(proposal):
            self._settle()
            if proposal.phase is Phase.PATCH:
                self._start_warm(background=False)
        match proposal:
            case RunTests():
                baseline = proposal.phase is Phase.REPRODUCE and not proposal.tests
                first, self._baselined = baseline and not self._baselined, self._baselined or baseline
                if first and isinstance(self.buildpack, CollectCapable):
                    self.buildpack.collect(self.workspace.path)
                # with narrowed files to turn to, a first baseline whose runner dies narrows at once
                retries = 0 if first and self.narrowed else BASELINE_RETRIES
                report = self._baseline(proposal, retries) if baseline else self._run_tests(proposal)
                if first:
                    report = self._with_named(report)
                broken = self._diagnose(report) if baseline and not report.timed_out else None
                if self._narrow(proposal, report, broken):
                    report = self._baseline(proposal, BASELINE_RETRIES)
                    broken = self._diagnose(report) if not report.timed_out else None
                cut = self._cut(report) if first else None
                if cut is not None:
                    report, broken = cut, self._diagnose(cut)
                if baseline and not report.timed_out:
                    report.env_error = broken
                if isinstance(self.buildpack, CrashCapable):
                    report.crashed = self.buildpack.crashed(report, self.workspace.path)
                counts = ", ".join(f"{n} {s}" for s, n in report.counts().items() if n)
                return Outcome(intent=proposal.intent, ok=not report.timed_out, report=report,
                               detail=("timed out; " if report.timed_out else "") + (counts or "no tests"))
            case RunCommand():
                result = self.sandbox.exec(proposal.argv, timeout=self._timeout(proposal.timeout))
                return Outcome(intent=proposal.intent, ok=result.exit_code == 0, exec=result,
                               detail=f"exit {result.exit_code}")
            case Edit():
                return self._edit(approved.patch or "")
            case ReadFile():
                path = self.workspace.path / proposal.path
                if not path.is_file():
                    return Outcome(intent=proposal.intent, ok=False, detail=f"no file {proposal.path!r}")
                text = path.read_text(encoding="utf-8", errors="replace")
                return Outcome(intent=proposal.intent, ok=True, content=text[:MAX_READ],
                               detail=f"{len(text)} characters")
            case ListDir():
                entries = list_dir(self.workspace.path, proposal.path)
                if entries is None:
                    return Outcome(intent=proposal.intent, ok=False, detail=f"no directory {proposal.path!r}")
                return Outcome(intent=proposal.intent, ok=True, content="\n".join(entries),
                               detail=f"{len(entries)} entries")
            case Search():
                hits = search(self.workspace.path, proposal.pattern, proposal.path, self.secret_globs)
                return Outcome(intent=proposal.intent, ok=True, content="\n".join(hits),
                               detail=f"{len(hits)} matches")
            case Finish():
                return Outcome(intent=proposal.intent, ok=True, detail=proposal.reason)
        raise TypeError(f"unknown intent {proposal.intent!r}")

    def _run_tests(self, proposal: RunTests) -> TestReport:
        with nullcontext() if proposal.case_limit else cases_unlimited(self.buildpack):
            return run_tests(self.sandbox, self.buildpack, proposal.tests or self._suite(proposal.leave_out),
                             timeout=self._timeout(proposal.timeout), coverage=proposal.coverage,
                             via=self._via(proposal), max_failures=proposal.max_failures,
                             measure_within=proposal.measure_within)

    def _baseline(self, proposal: RunTests, retries: int) -> TestReport:
        """The baseline's run, again while its runner dies of a signal (up to ``retries`` times,
        and while the session has twice the time it took left): a C extension may crash the
        interpreter now and then, and such a run says nothing of the tests."""
        report = self._run_tests(proposal)
        for _ in range(retries):
            if not report.signalled or (self.remaining is not None and self.remaining() < 2 * report.duration):
                break
            log.info("executor.baseline_again", reason=report.reason, after=round(report.duration, 3))
            report = self._run_tests(proposal)
        return report

    def _with_named(self, baseline: TestReport) -> TestReport:
        """The baseline with the files of the given tests its whole suite reported nothing of (a
        file outside the project's collection patterns, named by its path): they run on their
        own and are folded in, and from then on the whole suite collects them. The baseline as
        it is when there are none, or the buildpack's suite cannot take them in."""
        reported = {test_id_file(t) for t in baseline.tests}
        files = sorted(f for f in {test_id_file(t) for t in baseline.unknown(list(self.given))} - reported
                       if (self.workspace.path / f).is_file())
        if not files or baseline.timed_out or not isinstance(self.buildpack, CollectCapable):
            return baseline
        if not self.buildpack.collect(self.workspace.path, files):
            return baseline
        alone = run_tests(self.sandbox, self.buildpack, files, timeout=self._timeout(None))
        log.info("executor.named_collected", files=files, reported=len(alone.tests))
        if alone.timed_out or not alone.tests:
            return baseline
        return baseline.model_copy(update={
            "tests": {**baseline.tests, **alone.tests}, "durations": {**baseline.durations, **alone.durations},
            "log": f"{baseline.log}\n{alone.log}", "duration": baseline.duration + alone.duration,
            "exit_code": baseline.exit_code if baseline.tests and baseline.exit_code else alone.exit_code})

    def _cut(self, report: TestReport) -> TestReport | None:
        """A baseline of a suite named file by file that timed out, as the files it ran to the end
        (a runner that prints each file's end: sympy's ``bin/test``, whose per-test limit cannot
        stop a test stuck in C code); from then on the whole suite is those files. A file it was
        in, or never reached, says nothing at baseline, and so is not run again (a test file the
        session added included). None when the run did not time out, the suite is one file, the
        runner does not print a file's end, it finished no file of the suite, or a given test is
        in a file it did not finish."""
        suite = self._suite()
        if not report.timed_out or len(suite) < 2 or not isinstance(self.buildpack, ProgressCapable):
            return None
        done = [f for f in self.buildpack.finished_files(report.log) if f in suite]
        kept = {t: s for t, s in report.tests.items() if test_id_file(t) in done and t not in report.unreached}
        names = {t.rpartition(":")[2] for t in kept}
        kept.update({t: s for t, s in report.tests.items() if test_id_file(t) == t and t in names})
        cut = report.model_copy(update={"tests": kept, "timed_out": False, "reason": "", "unreached": []})
        if not done or cut.unknown(list(self.given)):  # a given test is in a file it did not finish
            return None
        log.info("executor.suite_cut", files=done, left=[f for f in suite if f not in done],
                 reason=report.reason, after=round(report.duration, 3))
        self.suite, self._dropped = tuple(done), tuple(f for f in suite if f not in done)
        return cut

    def _narrow(self, proposal: RunTests, report: TestReport, broken: str | None) -> bool:
        """Whether the baseline (the session's first run of the whole suite) could not run here,
        with narrowed files known: it timed out, its runner died of a signal, or it says nothing
        about the tests (``broken``: its collection fails where the instance's test files
        alone may run, as the harness runs them). From then on a run
        of the whole suite runs those files (the run at hand runs again on them, and is
        diagnosed anew). A later run never narrows: the baseline it would be compared with ran
        the whole suite."""
        if proposal.tests:
            return False
        narrowed, self.narrowed = self.narrowed, ()
        if proposal.phase is not Phase.REPRODUCE or not (report.timed_out or report.signalled or broken) \
                or not narrowed:
            return False
        log.info("executor.suite_narrowed", files=list(narrowed), reason=report.reason or broken,
                 after=round(report.duration, 3))
        self.suite = narrowed
        return True

    def _edit(self, patch: str) -> Outcome:
        try:
            self.workspace.apply(patch)
        except WorkspaceError as exc:
            return Outcome(intent="edit", ok=False, detail=str(exc))
        return Outcome(intent="edit", ok=True, detail="applied")


def _leaves_workspace_alone(proposal: Proposal) -> bool:
    """A read, or a run of the tests before any candidate: it may go on while the warm runner
    loads the project (an edit, a command, a screening or verifying run may not)."""
    return isinstance(proposal, ReadFile | Search | ListDir) or (
        isinstance(proposal, RunTests) and proposal.phase in (Phase.REPRODUCE, Phase.LOCALIZE))


def search(root: Path, pattern: str, under: str = ".", secret_globs: tuple[str, ...] = ()) -> list[str]:
    """``path:line: text`` for each match, bounded in count and time; files matching
    ``secret_globs`` are skipped."""
    regex = re.compile(pattern)
    hits: list[str] = []
    deadline = time.monotonic() + SEARCH_SECONDS
    base = (root / under).resolve()
    files = [base] if base.is_file() else sorted(base.rglob("*"))
    for path in files:
        if time.monotonic() > deadline or len(hits) >= MAX_HITS:
            break
        if not path.is_file() or path.is_symlink() or NOT_SOURCE_DIRS & set(path.relative_to(root).parts):
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        rel = path.relative_to(root).as_posix()
        if matches_any(rel, secret_globs):
            continue
        hits += [f"{rel}:{n}: {line[:200]}" for n, line in enumerate(lines, 1) if regex.search(line)]
    return hits[:MAX_HITS]


def list_dir(root: Path, under: str = ".") -> list[str] | None:
    """The entries of a directory (``name/`` for a directory), build and VCS directories left
    out, bounded in count; None when ``under`` is not a directory."""
    base = root / under
    if not base.is_dir():
        return None
    entries = [f"{p.name}/" if p.is_dir() else p.name for p in sorted(base.iterdir())
               if p.name not in NOT_SOURCE_DIRS]
    if len(entries) > MAX_ENTRIES:
        entries = [*entries[:MAX_ENTRIES], f"... and {len(entries) - MAX_ENTRIES} more"]
    return entries
