"""A tier of a candidate's screening (`Tier`), what screening concludes of it (`ScreenResult`),
and the statuses a run gives the targets that were collection errors at baseline (`collected`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from rfsn.models import TestReport, TestStatus
from rfsn.models.testfiles import test_id_file


def collected(
    report: TestReport, statuses: Mapping[str, TestStatus], targets: Collection[str], baseline: TestReport
) -> dict[str, TestStatus]:
    """``statuses`` with each target that is a file or folder the baseline reported erring and the
    run collected (a collection error's id: a module, or a conftest above its tests, failed to
    import) passed when every test
    of it that the run reported passed, else failed: the tests it kept from being collected are
    the failing tests, and they pass once they are collected and pass."""
    out = dict(statuses)
    for target in targets:
        if target not in out and test_id_file(target) == target and baseline.tests.get(target) == TestStatus.ERROR:
            held = [t for t in report.named(target) if t != target]
            if held:
                out[target] = (
                    TestStatus.PASSED if all(out.get(t) == TestStatus.PASSED for t in held) else TestStatus.FAILED
                )
    return out


@dataclass(frozen=True)
class Tier:
    name: str
    tests: list[str]  # empty: the whole suite
    last: bool = False
    timeout: float = 0.0  # seconds for the run (set by Screen.tiers)
    cold_start: float = 0.0  # seconds more for a run that starts cold (Screen.cold_start)
    max_failures: int | None = None  # stop the run after this many failed tests (None: never)
    #: False: no per-test limit (the targets alone: how long a failing test took says nothing of
    #: how long it takes once it passes; the run's limit bounds it, and grows on a retry)
    case_limit: bool = True
    retries: int = 0  # the runs of this tier before, inconclusive
    leave_out: tuple[str, ...] = ()  # test files the whole suite leaves out (`left_out`)


@dataclass
class ScreenResult:
    rejected: str | None = None
    fixed: frozenset[str] = field(default_factory=frozenset)
    passed_tier: bool = False
    plausible: bool = False
    #: timed out with nothing against the candidate among the tests it reported (none, or only
    #: passes and tests failing anyway), or the runner died of a signal
    inconclusive: bool = False
    ran_nothing: bool = False  # a tier before the last reported no test (the runner refused it)
    broke: tuple[str, ...] = ()  # baseline-passing tests the run reported failing (not merely missing)
    targets_held: bool = False  # every target passed in a tier of the run (not a refused one)
    #: targets a run reported failing (not cut off, not unreached): no try of a group holding one
    #: can take this candidate for a fix
    failed: frozenset[str] = field(default_factory=frozenset)
    output: str = ""  # the log of the tier that did not hold
