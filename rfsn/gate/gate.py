"""The gate: session rules, then the rules of the proposal's intent; first rejection wins.

``Gate.check`` returns a ``GateDecision``; ``Gate.approve`` also returns the
``Approved`` object the executor requires when the proposal is accepted. The
gate reads the workspace (files, symlinks, ``git apply --check``) and nothing
else; every decision is logged as ``gate.decision`` and counted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from rfsn.gate.approved import Approved, _issue
from rfsn.gate.context import GateContext
from rfsn.gate.policy import GatePolicy
from rfsn.gate.rules import Rule, Violation
from rfsn.gate.rules_commands import command_violation
from rfsn.gate.rules_patches import (
    PreparedEdit,
    apply_violation,
    git_apply_violation,
    mode_violation,
    parse_violation,
    patch_text,
    paths_violation,
    secret_violation,
    size_violation,
    syntax_violation,
)
from rfsn.gate.rules_paths import lexical_violation, path_violation
from rfsn.gate.rules_session import budget_violation, phase_violation
from rfsn.gate.rules_shadow import shadow_violation
from rfsn.gate.rules_startup import hook_path_violation, runner_config_violation
from rfsn.gate.rules_test_edits import edit_test_violation, marker_violation
from rfsn.models import (
    Edit,
    GateDecision,
    ListDir,
    Proposal,
    ReadFile,
    RunCommand,
    RunTests,
    Search,
)
from rfsn.observability.logging import get_logger
from rfsn.observability.metrics import GATE_DECISIONS

log = get_logger(__name__)
_TEST_ID_SPLIT = re.compile(r"::| > ")


class Gate:
    """Pure policy over proposals; construct once per session with its policy."""

    def __init__(self, policy: GatePolicy | None = None) -> None:
        self.policy = policy or GatePolicy()

    def check(self, proposal: Proposal, context: GateContext) -> GateDecision:
        return self.approve(proposal, context)[0]

    def approve(self, proposal: Proposal, context: GateContext) -> tuple[GateDecision, Approved | None]:
        """Decide; when accepted, also issue the Approved the executor needs."""
        try:
            found, patch = self._evaluate(proposal, context)
        except OSError as exc:
            found, patch = Violation(Rule.MALFORMED_PROPOSAL, f"cannot read the workspace: {exc}"), None
        if found is None:
            decision = GateDecision(accepted=True, reason="accepted")
        else:
            decision = GateDecision(accepted=False, rule=found.rule.value, reason=found.reason)
        record(decision, proposal.intent, context.phase.value)
        return decision, (_issue(proposal, patch) if found is None else None)

    def _evaluate(self, proposal: Proposal, context: GateContext) -> tuple[Violation | None, str | None]:
        found = phase_violation(proposal, context) or budget_violation(proposal, context)
        if found:
            return found, None
        if isinstance(proposal, Edit):
            return self._edit(proposal, context)
        rule = _INTENT_RULES.get(type(proposal))
        return (rule(self, proposal, context) if rule else None), None

    def _edit(self, edit: Edit, context: GateContext) -> tuple[Violation | None, str | None]:
        workspace, policy = context.workspace, self.policy
        patch = patch_text(edit, workspace, policy)
        if isinstance(patch, Violation):
            return patch, None
        files = parse_violation(patch, policy)
        if isinstance(files, Violation):
            return files, None
        prepared = PreparedEdit(patch=patch, files=files)
        found = (
            mode_violation(files)
            or paths_violation(files, workspace, policy)
            or size_violation(files, policy, context.phase)
            or secret_violation(files)
            or hook_path_violation([p for fp in files for p in fp.paths])
            or apply_violation(prepared, workspace)
            or size_violation(files, policy, context.phase, prepared)
            or marker_violation(prepared, context.phase, workspace)
            or shadow_violation([fp.path for fp in files if fp.new_path and (fp.is_new or fp.renamed)], workspace)
            or _first(
                runner_config_violation(p, prepared.before.get(p), prepared.after.get(p))
                for fp in files
                for p in fp.paths
            )
            or edit_test_violation(prepared, context.phase, policy)
            or syntax_violation(prepared, workspace)
            or git_apply_violation(patch, workspace, policy)
        )
        return found, (patch if found is None else None)

    def _run_tests(self, proposal: RunTests, context: GateContext) -> Violation | None:
        if proposal.probe is not None:  # read in the sandbox, as a test reads it: within the workspace
            found = path_violation(proposal.probe.path, context.workspace, self.policy, write=False)
            if found:
                return found
        for test_id in (*proposal.tests, *(proposal.collect or ())):
            if test_id.startswith("-"):
                return Violation(Rule.SHELL_INJECTION, f"test id {test_id[:40]!r} looks like an option")
            # ids reach runners as argv elements or escaped patterns, never a shell; still, only
            # the runner's own names may hold shell characters (NUL and line breaks: none may)
            reported = test_id in context.reported_tests
            if any(ch in test_id for ch in "\x00\n\r") or (
                not reported and (any(ch in test_id for ch in "`$;|&<") or len(test_id) > self.policy.max_arg_length)
            ):
                return Violation(Rule.SHELL_INJECTION, f"test id {test_id[:40]!r} has forbidden characters")
            head = _TEST_ID_SPLIT.split(test_id, maxsplit=1)[0]
            if "/" in head or "." in head.rsplit("/", 1)[-1] or head.startswith("~"):
                found = lexical_violation(head, self.policy)
                if found:
                    return found
        return None

    def _run_command(self, proposal: RunCommand, context: GateContext) -> Violation | None:
        return command_violation(proposal.argv, context.buildpack, self.policy)

    def _read_file(self, proposal: ReadFile | ListDir, context: GateContext) -> Violation | None:
        return path_violation(proposal.path, context.workspace, self.policy, write=False)

    def _search(self, proposal: Search, context: GateContext) -> Violation | None:
        found = path_violation(proposal.path, context.workspace, self.policy, write=False)
        if found:
            return found
        pattern = proposal.pattern
        if len(pattern) > self.policy.max_pattern_length or "\x00" in pattern:
            return Violation(
                Rule.BAD_PATTERN, f"pattern must be at most {self.policy.max_pattern_length} characters, without NUL"
            )
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as exc:
            return Violation(Rule.BAD_PATTERN, f"pattern is not a valid regular expression: {exc}")
        return None


_INTENT_RULES: dict[type, Callable[..., Violation | None]] = {
    RunTests: Gate._run_tests,
    RunCommand: Gate._run_command,
    ReadFile: Gate._read_file,
    Search: Gate._search,
    ListDir: Gate._read_file,
}


def _first(found: Iterable[Violation | None]) -> Violation | None:
    return next((v for v in found if v is not None), None)


def record(decision: GateDecision, intent: str, phase: str | None) -> None:
    """Log and count one decision."""
    log.info(
        "gate.decision",
        accepted=decision.accepted,
        rule=decision.rule,
        intent=intent,
        phase=phase,
        reason=decision.reason,
    )
    GATE_DECISIONS.labels(decision="accepted" if decision.accepted else "rejected", rule=decision.rule or "none").inc()
