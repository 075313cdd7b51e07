"""The closed set of rejection rules, and the value a rule returns when it rejects.

Every rule is a small pure function ``(... ) -> Violation | None``; the gate runs
them in order and the first ``Violation`` becomes the ``GateDecision``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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


#: (name, compiled pattern) pairs: what a line-scanning rule looks for, each named for its reason
Patterns = tuple[tuple[str, re.Pattern[str]], ...]


def named_patterns(*pairs: tuple[str, str]) -> Patterns:
    """Compile (name, regex) pairs once, at import."""
    return tuple((name, re.compile(regex)) for name, regex in pairs)


def first_match(patterns: Patterns, lines: Iterable[str]) -> tuple[str, str] | None:
    """The first (pattern name, line) where one of ``patterns`` matches, scanning line by line."""
    for line in lines:
        for name, pattern in patterns:
            if pattern.search(line):
                return name, line
    return None


@dataclass(frozen=True)
class Violation:
    """A rejection: which rule, and a reason the planner can act on."""

    rule: Rule
    reason: str
