"""A buildpack's optional parts, in one typed place: what it may do besides its five steps.

Five parts, each a few of the ``*Capable`` protocols (``capabilities``) that belong together:
``measuring`` (per-test coverage, a probe), ``warming`` (a warm runner, brief failure reports),
``reading`` (a broken environment, the project's own crash, a crash that ended the runner and
the rest of its run, the files a cut run finished, why tests failed, how long they took),
``running`` (stop after failures, a per-test limit, a record of each test as it ends) and
``environment`` (fit to the runner found, rebuild before a run, dated options, other runtime
lines, collect what the runner's patterns miss). A buildpack declares them (``parts()``: mypy
checks it has what each slot asks); one that declares none (a plugin written before parts) gets
those its members match. Generic code asks ``parts(buildpack)``, never ``isinstance``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rfsn.buildpacks.capabilities import (
    BriefCapable,
    CaseLimitCapable,
    ColdStartCapable,
    CollectCapable,
    CoverageCapable,
    CrashCapable,
    DatedCapable,
    DurationCapable,
    FailFastCapable,
    FitCapable,
    HealthCapable,
    LinesCapable,
    ProbeCapable,
    ProgressCapable,
    ReasonCapable,
    RebuildCapable,
    RecordCapable,
    ResumeCapable,
    TestExec,
    WarmCapable,
)


@dataclass(frozen=True)
class Measuring:
    coverage: CoverageCapable | None = None
    probe: ProbeCapable | None = None


@dataclass(frozen=True)
class Warming:
    runner: WarmCapable | None = None
    brief: BriefCapable | None = None


@dataclass(frozen=True)
class Reading:
    health: HealthCapable | None = None
    crash: CrashCapable | None = None
    resume: ResumeCapable | None = None
    progress: ProgressCapable | None = None
    reasons: ReasonCapable | None = None
    durations: DurationCapable | None = None


@dataclass(frozen=True)
class Running:
    fail_fast: FailFastCapable | None = None
    case_limit: CaseLimitCapable | None = None
    record: RecordCapable | None = None


@dataclass(frozen=True)
class Environment:
    fit: FitCapable | None = None
    rebuild: RebuildCapable | None = None
    dated: DatedCapable | None = None
    lines: LinesCapable | None = None
    collect: CollectCapable | None = None


@dataclass(frozen=True)
class Parts:
    """What a buildpack may do besides its five steps (None: it cannot)."""

    measuring: Measuring = field(default_factory=Measuring)
    warming: Warming = field(default_factory=Warming)
    reading: Reading = field(default_factory=Reading)
    running: Running = field(default_factory=Running)
    environment: Environment = field(default_factory=Environment)


def _matched(b: object) -> Parts:
    """The parts whose members ``b`` has, for a buildpack that declares none."""
    return Parts(
        Measuring(
            coverage=b if isinstance(b, CoverageCapable) else None,
            probe=b if isinstance(b, ProbeCapable) else None,
        ),
        Warming(runner=b if isinstance(b, WarmCapable) else None, brief=b if isinstance(b, BriefCapable) else None),
        Reading(
            health=b if isinstance(b, HealthCapable) else None,
            crash=b if isinstance(b, CrashCapable) else None,
            resume=b if isinstance(b, ResumeCapable) else None,
            progress=b if isinstance(b, ProgressCapable) else None,
            reasons=b if isinstance(b, ReasonCapable) else None,
            durations=b if isinstance(b, DurationCapable) else None,
        ),
        Running(
            fail_fast=b if isinstance(b, FailFastCapable) else None,
            case_limit=b if isinstance(b, CaseLimitCapable) else None,
            record=b if isinstance(b, RecordCapable) else None,
        ),
        Environment(
            fit=b if isinstance(b, FitCapable) else None,
            rebuild=b if isinstance(b, RebuildCapable) else None,
            dated=b if isinstance(b, DatedCapable) else None,
            lines=b if isinstance(b, LinesCapable) else None,
            collect=b if isinstance(b, CollectCapable) else None,
        ),
    )


def parts(buildpack: object) -> Parts:
    """The parts ``buildpack`` declares (``parts()``), or else those its members match."""
    declare = getattr(buildpack, "parts", None)
    if callable(declare):
        declared = declare()
        if isinstance(declared, Parts):
            return declared
    return _matched(buildpack)


def cold_start(runner: TestExec) -> ColdStartCapable | None:
    """A warm runner that runs some commands cold, and gives them more time (``cold_start``)."""
    return runner if isinstance(runner, ColdStartCapable) else None
