"""The closed set of rejection rules, and the value a rule returns when it rejects.

Every rule is a small pure function ``(... ) -> Violation | None``; the gate runs
them in order and the first ``Violation`` becomes the ``GateDecision``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Rule(StrEnum):
    PATH_ESCAPE = "path_escape"
    PROTECTED_PATH = "protected_path"
    FORBIDDEN_COMMAND = "forbidden_command"
    SHELL_INJECTION = "shell_injection"
    PATCH_MALFORMED = "patch_malformed"
    PATCH_DOES_NOT_APPLY = "patch_does_not_apply"
    PATCH_TOO_LARGE = "patch_too_large"
    SYNTAX_ERROR = "syntax_error"
    TEST_TAMPERING = "test_tampering"
    SECRET_IN_PATCH = "secret_in_patch"
    PHASE_VIOLATION = "phase_violation"
    BUDGET_EXHAUSTED = "budget_exhausted"
    BAD_PATTERN = "bad_pattern"
    MALFORMED_PROPOSAL = "malformed_proposal"


RULES: tuple[str, ...] = tuple(rule.value for rule in Rule)


@dataclass(frozen=True)
class Violation:
    """A rejection: which rule, and a reason the planner can act on."""

    rule: Rule
    reason: str


def named_patterns(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """``(name, regex)`` pairs compiled once, for rules that name what they matched."""
    return tuple((name, re.compile(pattern)) for name, pattern in pairs)
