"""The executor: the only place that acts on a proposal, and only on an Approved one.

It runs what a proposal names; what the whole suite is, and how the session's baseline is had,
is the planner's (``rfsn.planners.reproduce.baseline``)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from rfsn.buildpacks.base import (
    Buildpack,
    TestExec,
    cases_unlimited,
)
from rfsn.buildpacks.parts import cold_start, parts
from rfsn.errors import ForgedApproval, RfsnError, WorkspaceError
from rfsn.fsutil import NOT_SOURCE_DIRS
from rfsn.gate import Approved
from rfsn.gate.defaults import DEFAULT_SECRET_GLOBS
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
)
from rfsn.models.testfiles import test_id_file
from rfsn.observability.logging import get_logger
from rfsn.runner import Measure, run_tests
from rfsn.sandbox.base import Sandbox
from rfsn.workspace import Workspace

log = get_logger(__name__)

MAX_READ = 200_000
MAX_HITS = 200
MAX_ENTRIES = 500
SEARCH_SECONDS = 10.0


class Executor:
    def __init__(
        self,
        sandbox: Sandbox,
        buildpack: Buildpack,
        workspace: Workspace,
        test_timeout: float,
        remaining: Callable[[], float] | None = None,
        secret_globs: tuple[str, ...] = DEFAULT_SECRET_GLOBS,
    ) -> None:
        """``remaining`` gives the session's wall seconds left: no command runs past them.
        Files matching ``secret_globs`` (the gate's) are never searched, wherever the root."""
        self.sandbox, self.buildpack, self.workspace = sandbox, buildpack, workspace
        self.secret_globs = secret_globs
        self.test_timeout = test_timeout
        self.remaining = remaining
        self._warm: TestExec | None = None
        self._warm_started = False
        self._warming: threading.Thread | None = None
        #: an edit or a command ran: the workspace may no longer be the project as the baseline ran it
        self._touched = False

    def _via(self, proposal: RunTests) -> TestExec | None:
        """Screening runs (patch phase), probe runs, and runs of named tests in verify or on the
        project as the baseline ran it (``_again``) go through the buildpack's warm runner, if it
        has one; one it starts cold gets the proposal's ``cold_start`` more, within the session's
        budget. A probe's runs with and without the patch both go through it: like with like. A
        whole suite after the baseline runs as it did."""
        named = proposal.phase is Phase.VERIFY and _names_tests(proposal)
        if proposal.phase is not Phase.PATCH and proposal.probe is None and not named and not self._again(proposal):
            return None
        cold = cold_start(self._warm) if self._warm is not None else None
        if cold is not None:
            timeout = self._timeout(proposal.timeout)
            cold.cold_start = self._timeout(timeout + proposal.cold_start) - timeout
        return self._warm

    def _again(self, proposal: RunTests) -> bool:
        """A run of named tests in the reproduce phase on the project as the baseline ran it (the
        failing tests once more): the warm runner, started for it, loads that project too."""
        named = _names_tests(proposal) and proposal.collect is None
        return proposal.phase is Phase.REPRODUCE and named and not self._touched

    def _start_warm(self, background: bool) -> None:
        """Start the warm runner (once). Before the failing tests run once more (``_again``),
        which it serves; else in the background as the localization's test run starts: its
        start-up then overlaps that run and the making of candidates (or a model's answer).
        Otherwise before the first candidate is applied. Either way it loads the project as it
        is before any candidate: what may change the workspace or screen a candidate waits for
        it (``_settle``)."""
        if self._warm_started or parts(self.buildpack).warming.runner is None:
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
        warming = parts(self.buildpack).warming.runner
        assert warming is not None
        started = time.monotonic()
        try:
            self._warm = warming.warm_runner(self.sandbox)
        except RfsnError as exc:  # the sandbox went away (the session ended first): no warm runs
            log.info("warm.unavailable", reason=str(exc))
            return
        log.info("warm.started", ready=self._warm is not None, seconds=round(time.monotonic() - started, 3))

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
        elif isinstance(proposal, RunTests) and self._again(proposal):
            self._start_warm(background=False)
        elif not _leaves_workspace_alone(proposal):
            self._settle()
            if proposal.phase is Phase.PATCH:
                self._start_warm(background=False)
        match proposal:
            case RunTests():
                return self._tests(proposal)
            case RunCommand():
                self._touched = True
                result = self.sandbox.exec(proposal.argv, timeout=self._timeout(proposal.timeout))
                return Outcome(
                    intent=proposal.intent, ok=result.exit_code == 0, exec=result, detail=f"exit {result.exit_code}"
                )
            case Edit():
                return self._edit(approved.patch or "")
            case ReadFile():
                return self._read(proposal)
            case ListDir():
                entries = list_dir(self.workspace.path, proposal.path)
                if entries is None:
                    return Outcome(intent=proposal.intent, ok=False, detail=f"no directory {proposal.path!r}")
                return Outcome(
                    intent=proposal.intent, ok=True, content="\n".join(entries), detail=f"{len(entries)} entries"
                )
            case Search():
                hits = search(self.workspace.path, proposal.pattern, proposal.path, self.secret_globs)
                return Outcome(intent=proposal.intent, ok=True, content="\n".join(hits), detail=f"{len(hits)} matches")
            case Finish():
                return Outcome(intent=proposal.intent, ok=True, detail=proposal.reason)
        raise TypeError(f"unknown intent {proposal.intent!r}")

    def _tests(self, proposal: RunTests) -> Outcome:
        """The tests ``proposal`` names (none: the buildpack's whole suite), after widening what
        the runner collects where it asks (``RunTests.collect``)."""
        if proposal.collect is not None:
            collect = parts(self.buildpack).environment.collect
            taken = collect is not None and collect.collect(self.workspace.path, proposal.collect)
            if proposal.collect and not taken:
                return Outcome(
                    intent=proposal.intent, ok=False, detail=f"the runner cannot collect {', '.join(proposal.collect)}"
                )
        with nullcontext() if proposal.case_limit else cases_unlimited(self.buildpack):
            report = run_tests(
                self.sandbox,
                self.buildpack,
                proposal.tests,
                timeout=self._timeout(proposal.timeout),
                via=self._via(proposal),
                max_failures=proposal.max_failures,
                measure=Measure(proposal.coverage, proposal.probe, proposal.measure_within),
                brief=proposal.phase is Phase.PATCH,  # a screening run: failures written briefly where the runner can
            )
        crash = parts(self.buildpack).reading.crash
        if crash is not None:
            report.crashed = crash.crashed(report, self.workspace.path)
        return Outcome.of_run(proposal.intent, report)

    def _read(self, proposal: ReadFile) -> Outcome:
        path = self.workspace.path / proposal.path
        if not path.is_file():
            return Outcome(intent=proposal.intent, ok=False, detail=f"no file {proposal.path!r}")
        text = path.read_text(encoding="utf-8", errors="replace")
        return Outcome(intent=proposal.intent, ok=True, content=text[:MAX_READ], detail=f"{len(text)} characters")

    def _edit(self, patch: str) -> Outcome:
        self._touched = True
        try:
            self.workspace.apply(patch)
        except WorkspaceError as exc:
            return Outcome(intent="edit", ok=False, detail=str(exc))
        return Outcome(intent="edit", ok=True, detail="applied")


def _leaves_workspace_alone(proposal: Proposal) -> bool:
    """A read, or a run of the tests before any candidate: it may go on while the warm runner
    loads the project (an edit, a command, a screening or verifying run may not)."""
    return isinstance(proposal, ReadFile | Search | ListDir) or (
        isinstance(proposal, RunTests) and proposal.phase in (Phase.REPRODUCE, Phase.LOCALIZE)
    )


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
    entries = [f"{p.name}/" if p.is_dir() else p.name for p in sorted(base.iterdir()) if p.name not in NOT_SOURCE_DIRS]
    if len(entries) > MAX_ENTRIES:
        entries = [*entries[:MAX_ENTRIES], f"... and {len(entries) - MAX_ENTRIES} more"]
    return entries


def _names_tests(proposal: RunTests) -> bool:
    """The run names tests, not test files: a run of files is a whole suite (a narrowed one)."""
    return bool(proposal.tests) and all(test_id_file(t) != t for t in proposal.tests)
