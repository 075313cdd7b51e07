"""Session rules: which intents each phase allows, and the budgets.

Finishing: ``finish`` is accepted in verify; in any other phase only as giving
up, with a reason that starts with "gave up" (the controller then records the
session as not fixed). Finishing is never blocked by an exhausted budget. A test run widens
what the whole suite collects (``RunTests.collect``) only in reproduce, where the baseline runs.
"""

from __future__ import annotations

from rfsn.gate.context import GateContext
from rfsn.gate.rules import Rule, Violation
from rfsn.models import Finish, Phase, Proposal, RunTests

GIVE_UP_PREFIXES = ("gave up", "give up", "giving up")

# Edits are further limited per phase by the test rules (reproduce: new tests only).
PHASE_INTENTS: dict[Phase, frozenset[str]] = {
    Phase.REPRODUCE: frozenset({"run_tests", "run_command", "read_file", "search", "list_dir", "edit", "finish"}),
    Phase.LOCALIZE: frozenset({"run_tests", "run_command", "read_file", "search", "list_dir", "finish"}),
    Phase.PATCH: frozenset({"run_tests", "run_command", "read_file", "search", "list_dir", "edit", "finish"}),
    Phase.VERIFY: frozenset({"run_tests", "run_command", "read_file", "search", "list_dir", "edit", "finish"}),
}


def phase_violation(proposal: Proposal, context: GateContext) -> Violation | None:
    if proposal.phase is not None and proposal.phase != context.phase:
        return Violation(
            Rule.PHASE_VIOLATION,
            f"proposal says phase {proposal.phase.value!r} but the session is in {context.phase.value!r}",
        )
    if proposal.intent not in PHASE_INTENTS[context.phase]:
        allowed = ", ".join(sorted(PHASE_INTENTS[context.phase]))
        return Violation(
            Rule.PHASE_VIOLATION, f"{proposal.intent!r} is not allowed in {context.phase.value}; allowed: {allowed}"
        )
    giving_up = isinstance(proposal, Finish) and proposal.reason.strip().casefold().startswith(GIVE_UP_PREFIXES)
    if isinstance(proposal, Finish) and context.phase is not Phase.VERIFY and not giving_up:
        return Violation(
            Rule.PHASE_VIOLATION,
            "finish is for the verify phase; to stop earlier, finish with a reason starting 'gave up: ...'",
        )
    if isinstance(proposal, RunTests) and proposal.collect is not None and context.phase is not Phase.REPRODUCE:
        return Violation(
            Rule.PHASE_VIOLATION, "widening what the whole suite collects is the baseline's, in the reproduce phase"
        )
    return None


def budget_violation(proposal: Proposal, context: GateContext) -> Violation | None:
    if isinstance(proposal, Finish):
        return None
    spent = (
        ("steps", context.steps_used, context.steps_max),
        ("seconds", context.seconds_used, context.seconds_max),
        ("cost", context.cost_used, context.cost_max),
        ("tokens", context.tokens_used, context.tokens_max),
    )
    for name, used, limit in spent:
        if limit is not None and used >= limit:
            return Violation(
                Rule.BUDGET_EXHAUSTED, f"{name} budget spent ({used:g} of {limit:g}); finish with 'gave up: ...'"
            )
    return None
