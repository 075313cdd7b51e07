"""What of a test log goes into a model prompt: the log without what changes from run to run."""

from __future__ import annotations

import re

_VOLATILE = (
    (re.compile(r"\b\d+(?:\.\d+)?s\b"), "<t>s"),
    (re.compile(r"0x[0-9a-fA-F]{6,}"), "0x<addr>"),
    (re.compile(r"pytest-\d+"), "pytest-<n>"),
    (re.compile(r"\b[0-9a-f]{16,}\b"), "<hex>"),
)


def stable(log: str) -> str:
    """The log without what changes from run to run (durations, addresses, temp and report
    directories), so the same failure gives the same prompt and a replay finds it again."""
    for pattern, replacement in _VOLATILE:
        log = pattern.sub(replacement, log)
    return log
