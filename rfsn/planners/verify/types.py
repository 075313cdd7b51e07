"""Whether a plausible patch changes what an expression *is* on the tests that pass.

A patch can make the failing tests pass while the expression it replaced now yields another kind
of value on the passing tests that run it (``self.size`` -> ``self.refresh``: a number or None
became a bound method; ``cmd.parts`` -> ``cmd.text``: a list became a string). Pure: the concerns
two probe runs give (`retyped`; `values.changed` for returns and conditions) of the expression
`sites` finds, on the passing tests that run it (`sites.covering`). The runs, once without the
patch and once with it, are `TypeCheck`'s, where the runner can probe (``ProbeCapable``); where
no probe saw the expression on a passing test, what the code says of it (`references.static`).
A written expression the passing tests that run its line never evaluate is a concern that ranks
(`unevaluated`): only the failing tests vouch for it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from rfsn.models import Edit, Phase, Probe, Probed, RunTests, TestReport
from rfsn.models.probes import Seen
from rfsn.observability.logging import get_logger
from rfsn.planners.base import Plan
from rfsn.planners.code.candidates import Candidate, FileChange
from rfsn.planners.verify.references import static
from rfsn.planners.verify.sites import child, covering, sites, units
from rfsn.planners.verify.trials import VERIFY_STEPS, reverse
from rfsn.planners.verify.values import changed

log = get_logger(__name__)

#: kinds of type that a fix may trade for each other (a number), and the names of the commonest
FAMILIES = {
    "builtins.int": "a number",
    "builtins.float": "a number",
    "builtins.complex": "a number",
    "decimal.Decimal": "a number",
    "fractions.Fraction": "a number",
    "builtins.NoneType": "None",
    "builtins.bool": "a boolean",
    "builtins.str": "a string",
    "builtins.bytes": "bytes",
    "builtins.list": "a list",
    "builtins.tuple": "a tuple",
    "builtins.dict": "a dict",
    "builtins.method": "a bound method",
    "builtins.function": "a function",
}
#: the passing tests a probe runs, at most
MAX_TESTS = 20
#: a probe runs only while the seconds left hold this many times its two runs' estimate
MARGIN = 4.0
#: proposals one candidate's probe makes at most: the run before, the patch, the run after, the revert
PROBE_STEPS = 4


def _kinds(seen: Sequence[Seen]) -> set[tuple[str, bool]]:
    return {(FAMILIES.get(name, name), called) for name, called in seen}


def _gained(old: Sequence[Seen], new: Sequence[Seen]) -> set[tuple[str, bool]]:
    """The kinds of value ``new`` has that ``old`` never had; a value where there was only None
    (a default filled in) is none, unless it is callable."""
    was, gained = _kinds(old), _kinds(new) - _kinds(old)
    return {k for k in gained if k[1]} if was == {("None", False)} else gained


def _shown(kinds: set[tuple[str, bool]]) -> str:
    return " or ".join(sorted(f"{n.removeprefix('builtins.')}{' (callable)' if c else ''}" for n, c in kinds))


def _source(text: str, probe: Probe) -> str:
    """The probed expression's source, cut short."""
    unit = units(ast.parse(text)).get(probe.function)
    node: ast.AST | None = unit
    for step in probe.value or ():
        node = child(node, step) if node is not None else None
    return (ast.get_source_segment(text, node) or "")[:60] if node is not None and probe.value else ""


def retyped(change: FileChange, probes: tuple[Probe, Probe], before: Probed, after: Probed) -> list[str]:
    """Pure: the concerns of a patch whose probed expression or function returns, on a passing
    test, a kind of value (a type, up to `FAMILIES`, and whether it is callable) that it never
    returned there before the patch (`_gained`)."""
    found = []
    for what, old, new in (("value", before.values, after.values), ("returns", before.returns, after.returns)):
        tests = [t for t in sorted(old.keys() & new.keys()) if _gained(old[t], new[t])]
        if not tests:
            continue
        gained = set().union(*(_gained(old[t], new[t]) for t in tests))
        had = set().union(*(_kinds(old[t]) for t in tests))
        if what == "value":
            line = f"{change.path}:{probes[1].node[1] if probes[1].node else 0}"
            now, was = _source(change.patched, probes[1]), _source(change.original, probes[0])
            said = f"`{now}` at {line} is {_shown(gained)} where `{was}`, the expression it replaced, was {_shown(had)}"
        else:
            said = f"{probes[1].function}() returns {_shown(gained)} where it returned {_shown(had)}"
        shown = ", ".join(tests[:3]) + (f" and {len(tests) - 3} more" if len(tests) > 3 else "")
        found.append(
            f"{said}, on {len(tests)} passing test{'s' if len(tests) > 1 else ''} ({shown}): "
            "it changes what the code is, not only what it does"
        )
    return found


@dataclass
class TypeCheck:
    """The probe runs of the plausible patches of a Python project: each patch's expression on the
    passing tests that run it, without the patch and with it (``retyped``, ``values.changed``). A
    patch no probe can take (not one function, no covering test, no budget left) has no such concern."""

    seconds_left: Callable[[], float] | None
    steps_left: Callable[[], int] | None
    #: patch diff -> the concerns of each patch probed so far (kept where the budget ends a judging)
    found: dict[str, list[str]] = field(default_factory=dict)
    #: the patches whose replaced expression a probe saw on a passing test, before and after
    seen: set[str] = field(default_factory=set)
    #: patch diff -> what the code says of its expression (`references.static`), once read
    read: dict[str, list[str]] = field(default_factory=dict)
    #: patch diff -> the concern of a patch whose written expression no passing test that runs
    #: its line evaluated (`unevaluated`): it ranks, it does not keep the patch from ``fixed``
    unevaluated: dict[str, list[str]] = field(default_factory=dict)

    def concerns(self, plausible: Sequence[Candidate]) -> dict[str, list[str]]:
        """Patch diff -> the concerns of each of ``plausible``: the probes' (``found``), and, where
        no probe saw its replaced expression on a passing test, the code's (`references.static`)."""
        said = dict(self.found)
        for candidate in plausible:
            diff = candidate.diff()
            if diff not in self.read:
                self.read[diff] = [c for change in candidate.changes() for c in static(change)]
            if diff not in self.seen and self.read[diff]:
                said[diff] = [*said.get(diff, []), *self.read[diff]]
        return said

    def judge(
        self,
        plausible: Sequence[Candidate],
        baseline: TestReport,
        targets: Sequence[str],
        coverage: Mapping[str, Mapping[str, Sequence[int]]],
    ) -> Plan[dict[str, list[str]]]:
        """Patch diff -> the concerns of each of ``plausible`` that could be probed: the types
        (`retyped`), the values and conditions (`values.changed`; the failing ``targets`` run
        with the patch too: their calls are the ones a fix may change)."""
        found = self.found
        before: dict[Probe, Probed] = {}
        planned = [(candidate, *_site(candidate, coverage, baseline)) for candidate in plausible]
        runs = shared([(probes[0], tuple(tests)) for _, _, probes, tests in planned if probes and tests])
        for candidate, change, probes, tests in planned:
            if probes is None or not tests or not self._affords(baseline, [*tests, *targets]):
                continue
            if probes[0] not in before:
                before[probes[0]] = yield from self._before(probes[0], runs, before, tests, baseline)
            fb = yield Edit(phase=Phase.VERIFY, patch=candidate.diff(), rationale=f"apply {candidate.description}")
            if not fb.ok:
                continue
            after, still = yield from self._run(probes[1], [*tests, *targets], baseline, "with the patch")
            yield Edit(phase=Phase.VERIFY, patch=reverse(candidate), rationale="revert the candidate")
            if before[probes[0]].error or after.error:
                log.info(
                    "planner.probe_failed",
                    candidate=candidate.description,
                    error=before[probes[0]].error or after.error,
                )
                continue
            # a test the patch breaks is judged as a regression or an obsolete test, not here
            kept = [test for test in tests if test in still]
            if probes[1].value is not None and before[probes[0]].values.keys() & after.values.keys() & set(kept):
                self.seen.add(candidate.diff())
            self.unevaluated[candidate.diff()] = unevaluated(change, probes[1], after, kept)
            found[candidate.diff()] = [
                *retyped(change, probes, before[probes[0]], after),
                *changed(change, probes, before[probes[0]], after, kept, targets),
            ]
            log.info(
                "planner.probed", candidate=candidate.description, tests=len(tests), concerns=found[candidate.diff()]
            )
        return found

    def _before(
        self,
        probe: Probe,
        runs: Mapping[Probe, Probe],
        before: dict[Probe, Probed],
        tests: list[str],
        baseline: TestReport,
    ) -> Plan[Probed]:
        """What ``probe`` sees without the patch: what the run of the probe that sees more
        (``shared``) saw of it, run once for all it serves; its own run where that one failed."""
        run = runs.get(probe, probe)
        if run not in before:
            before[run], _ = yield from self._run(run, tests, baseline, "without the patch")
        if run == probe:
            return before[run]
        if before[run].error:
            seen, _ = yield from self._run(probe, tests, baseline, "without the patch")
            return seen
        return before[run].model_copy(update={"values": {}})  # what a run of ``probe`` records

    def _run(self, probe: Probe, tests: list[str], baseline: TestReport, how: str) -> Plan[tuple[Probed, set[str]]]:
        """What the probe saw on ``tests``, and which of them passed."""
        fb = yield RunTests(
            phase=Phase.VERIFY,
            tests=tuple(tests),
            probe=probe,
            timeout=max(60.0, 10 * _took(baseline, tests)),
            rationale=f"probe the types of {probe.function} on {len(tests)} passing tests {how}",
        )
        report = fb.outcome.report if fb.outcome else None
        if report is None or report.probed is None:
            return Probed(error=f"the probe run {how} reported nothing"), set()
        return report.probed, set(report.passing)

    def _affords(self, baseline: TestReport, tests: list[str]) -> bool:
        left = self.seconds_left() if self.seconds_left is not None else float("inf")
        steps = self.steps_left() if self.steps_left is not None else PROBE_STEPS + VERIFY_STEPS
        if left >= MARGIN * 2 * _took(baseline, tests) and steps >= PROBE_STEPS + VERIFY_STEPS:
            return True
        log.info("planner.probe_skipped", left=round(left), steps=steps, tests=len(tests))
        return False


def _site(
    candidate: Candidate, coverage: Mapping[str, Mapping[str, Sequence[int]]], baseline: TestReport
) -> tuple[FileChange, tuple[Probe, Probe] | None, list[str]]:
    """The candidate's (first) change, its probes (none: not one function's edit) and the
    passing tests that run it."""
    (change, *more) = candidate.changes()
    probes = sites(change) if not more else None
    return change, probes, covering(change, coverage, baseline.passing, MAX_TESTS) if probes else []


def shared(wanted: Sequence[tuple[Probe, tuple[str, ...]]]) -> dict[Probe, Probe]:
    """Pure: probe -> the probe whose run on the same tests, without a patch, sees all it sees:
    one probing the same function's returns and condition that records an expression too, where
    that is the one such expression probed on those tests (its recorder adds no trace)."""

    def bare(probe: Probe, tests: tuple[str, ...]) -> tuple[Probe, tuple[str, ...]]:
        return probe.model_copy(update={"value": None, "node": None}), tests

    valued: dict[tuple[Probe, tuple[str, ...]], set[Probe]] = {}
    for probe, tests in wanted:
        if probe.value is not None:
            valued.setdefault(bare(probe, tests), set()).add(probe)
    runs = {}
    for probe, tests in wanted:
        fuller = valued.get(bare(probe, tests), set())
        if probe.value is None and len(fuller) == 1:
            runs[probe] = next(iter(fuller))
    return runs


def _took(baseline: TestReport, tests: list[str]) -> float:
    """The seconds a run of ``tests`` is estimated to take: their baseline durations, or their
    share of the baseline's run, and a start."""
    known = [baseline.durations[t] for t in tests if t in baseline.durations]
    share = sum(known) if known else baseline.duration * len(tests) / max(1, len(baseline.tests))
    return 2.0 + share


def unevaluated(change: FileChange, probe: Probe, after: Probed, passing: Sequence[str]) -> list[str]:
    """Pure: the concern of a patch whose written expression (``probe``'s) the ``passing`` tests
    that run its line never evaluate (a branch or an ``and``/``or`` passes it by): only the
    failing tests vouch for it."""
    if probe.value is None or not passing or after.values.keys() & set(passing):
        return []
    return [
        f"`{_source(change.patched, probe)}` at {change.path}:{probe.node[1] if probe.node else 0} is evaluated "
        f"by none of the {len(passing)} passing test(s) that run its line: only the failing tests vouch for it"
    ]
