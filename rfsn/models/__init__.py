"""Pydantic models shared by every part of rfsn: the contracts at the boundaries."""

from rfsn.models.proposals import (
    PUBLIC_INTENTS,
    Edit,
    Finish,
    Phase,
    Proposal,
    ReadFile,
    RunCommand,
    RunTests,
    Search,
    parse_proposal,
)
from rfsn.models.results import (
    Alternative,
    ExecResult,
    FailureGroup,
    GateDecision,
    Outcome,
    SessionResult,
    SessionStatus,
    TestReport,
    TestStatus,
    Verdict,
    truncate_output,
)
from rfsn.models.swebench import Instance, Prediction

__all__ = [
    "PUBLIC_INTENTS",
    "Alternative",
    "Edit",
    "ExecResult",
    "FailureGroup",
    "Finish",
    "GateDecision",
    "Instance",
    "Outcome",
    "Phase",
    "Prediction",
    "Proposal",
    "ReadFile",
    "RunCommand",
    "RunTests",
    "Search",
    "SessionResult",
    "SessionStatus",
    "TestReport",
    "TestStatus",
    "Verdict",
    "parse_proposal",
    "truncate_output",
]
