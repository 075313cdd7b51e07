"""npm's version ranges, as package.json's ``engines`` writes them, read for Node's own versions.

Covers what ``engines.node`` and version files hold: ``>=4 <7``, ``^8.9.0``, ``~6.1``, ``8.x``,
``4 - 6``, ``0.10 || 0.12 || >=4``, ``*``, a ``v`` prefix. Prereleases are never wanted.
"""

from __future__ import annotations

import re

Version = tuple[int, int, int]

_PARTIAL = re.compile(r"^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+].*)?$")
_COMPARATOR = re.compile(r"^(\^|~>?|>=|<=|>|<|=)?\s*(.*)$")


def parse(text: str) -> Version | None:
    """``8.9.4`` / ``v8.9`` -> (8, 9, 4) / (8, 9, 0); None for anything else."""
    partial = _partial(text.strip())
    return None if partial is None or partial[0] is None else (partial[0], partial[1] or 0, partial[2] or 0)


def _partial(text: str) -> tuple[int | None, int | None, int | None] | None:
    match = _PARTIAL.match(text)
    if match is None:
        return None
    nums = [None if g is None or not g.isdigit() else int(g) for g in match.groups()]
    for i in range(1, 3):  # nothing is fixed below a wildcard
        if nums[i - 1] is None:
            nums[i] = None
    return nums[0], nums[1], nums[2]


def _bounds(op: str, text: str) -> list[tuple[str, Version]] | None:
    """One comparator as primitive comparisons (``>=``/``<``/``>``/``<=`` with full versions)."""
    partial = _partial(text)
    if partial is None:
        return None
    major, minor, patch = partial
    if major is None:
        return [] if op in ("", "=", ">=", "<=", "^", "~", "~>") else [("<", (0, 0, 0))]
    low: Version = (major, minor or 0, patch or 0)
    fixed = 3 if patch is not None else 2 if minor is not None else 1
    if op in (">", "<=") and fixed < 3:
        return [(">=" if op == ">" else "<", _next(low, fixed))]
    if op in (">=", "<", ">", "<="):
        return [(op, low)]
    if op in ("~", "~>"):
        fixed = min(fixed, 2)
    elif op == "^":  # the leftmost non-zero number is fixed
        fixed = 1 if major or minor is None else 2 if minor or patch is None else 3
    elif fixed == 3:
        return [("=", low)]
    return [(">=", low), ("<", _next(low, fixed))]


def _next(low: Version, fixed: int) -> Version:
    """The first version past those that agree with ``low`` in its ``fixed`` leading numbers."""
    if fixed == 1:
        return (low[0] + 1, 0, 0)
    if fixed == 2:
        return (low[0], low[1] + 1, 0)
    return (low[0], low[1], low[2] + 1)


def _holds(version: Version, op: str, bound: Version) -> bool:
    return {
        ">=": version >= bound,
        "<": version < bound,
        ">": version > bound,
        "<=": version <= bound,
        "=": version == bound,
    }[op]


def _alternative(text: str) -> list[tuple[str, Version]] | None:
    text = re.sub(r"(\^|~>?|>=|<=|>|<|=)\s+", r"\1", text.strip())
    hyphen = re.match(r"^(\S+)\s+-\s+(\S+)$", text)
    if hyphen:
        low, high = _bounds(">=", hyphen.group(1)), _bounds("<=", hyphen.group(2))
        return None if low is None or high is None else low + high
    found: list[tuple[str, Version]] = []
    for word in text.split():
        match = _COMPARATOR.match(word)
        bounds = _bounds(match.group(1) or "", match.group(2)) if match else None
        if bounds is None:
            return None
        found += bounds
    return found


def satisfies(version: Version, spec: str) -> bool:
    """Whether ``version`` is in the range ``spec``; False when ``spec`` cannot be read."""
    for text in spec.split("||"):
        bounds = _alternative(text)
        if bounds is not None and all(_holds(version, op, bound) for op, bound in bounds):
            return True
    return False


def readable(spec: str) -> bool:
    """Whether every alternative of ``spec`` is a range this module reads."""
    return all(_alternative(text) is not None for text in spec.split("||"))
