"""Pydantic models shared by every part of rfsn: the contracts at the boundaries."""

from rfsn.models.probes import Probe, Probed
from rfsn.models.proposals import (
    PUBLIC_INTENTS,
    Edit,
    Finish,
    ListDir,
    Phase,
    Proposal,
    ReadFile,
    RunCommand,
    RunTests,
    Search,
    parse_proposal,
)
from rfsn.models.results import (
    Crash,
    ExecResult,
    GateDecision,
    Outcome,
    TestReport,
    TestStatus,
    truncate_output,
)
from rfsn.models.sessions import (
    Alternative,
    FailureGroup,
    SessionResult,
    SessionStatus,
    Spent,
    Verdict,
)
from rfsn.models.swebench import Instance, Prediction

__all__ = [
    "PUBLIC_INTENTS",
    "Alternative",
    "Crash",
    "Edit",
    "ExecResult",
    "FailureGroup",
    "Finish",
    "GateDecision",
    "Instance",
    "ListDir",
    "Outcome",
    "Phase",
    "Prediction",
    "Probe",
    "Probed",
    "Proposal",
    "ReadFile",
    "RunCommand",
    "RunTests",
    "Search",
    "SessionResult",
    "SessionStatus",
    "Spent",
    "TestReport",
    "TestStatus",
    "Verdict",
    "parse_proposal",
    "truncate_output",
]
