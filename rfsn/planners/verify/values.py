"""Whether a plausible patch changes what the passing tests see: returns, or a condition's truth.

A fix changes what the code does on the failing tests' calls. A patch that also changes what
the function returns, or the truth of the condition it edits, on a passing test's call that no
failing test makes (other arguments) changes behaviour no test asks to change: a condition that
now fires on other inputs is weaker than any test needs (``'w' in cmd.parts`` -> ``'w' in
cmd.text``), one that no longer fires there stronger. (The replaced expression's own values are
no sign: a literal replaced changes them on every call; nor is a return its caller throws away.)
Pure: the evaluations two probe runs traced (`Probed.traced`, keyed by the call's arguments),
without the patch and with it; the failing tests' calls, traced with it, may change.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Sequence

from rfsn.models import Probe, Probed
from rfsn.models.probes import Traced
from rfsn.planners.code.candidates import FileChange

#: what a probe traces, in the order the concerns are told
KINDS = ("returns", "condition")


def _by_call(traced: Sequence[Traced], kind: str) -> dict[str, list[str]]:
    """The call's arguments -> the values it evaluated, in order."""
    calls: dict[str, list[str]] = {}
    for what, call, value in traced:
        if what == kind:
            calls.setdefault(call, []).append(value)
    return calls


def _first_change(old: list[str], new: list[str]) -> tuple[str, str] | None:
    """The first evaluation whose value differs, before and after (none: one starts the other)."""
    return next(((a, b) for a, b in zip(old, new, strict=False) if a != b), None)


def _differences(
    before: Sequence[Traced], after: Sequence[Traced], kind: str, excused: set[str]
) -> list[tuple[str, str]]:
    old, new = _by_call(before, kind), _by_call(after, kind)
    found = (_first_change(old[call], new[call]) for call in sorted(old.keys() & new.keys() - excused))
    return [d for d in found if d is not None]


def _segment(text: str, where: tuple[str, int, int] | None) -> str:
    """The source of the node at ``where`` (its type, line and column), cut short."""
    node = next(
        (
            n
            for n in ast.walk(ast.parse(text))
            if where and isinstance(n, ast.expr) and (type(n).__name__, n.lineno, n.col_offset) == where
        ),
        None,
    )
    return (ast.get_source_segment(text, node) or "")[:60] if node is not None else ""


def _said(kind: str, change: FileChange, probes: tuple[Probe, Probe], old: str, new: str) -> str:
    before, after = probes
    if kind == "returns":
        return f"{after.function}() returns {new} where it returned {old}"
    line = f"{change.path}:{after.condition_node[1] if after.condition_node else 0}"
    how = "weaker" if new == "True" else "stronger"
    return (
        f"the condition `{_segment(change.patched, after.condition_node)}` at {line} is {new} where "
        f"`{_segment(change.original, before.condition_node)}` was {old} ({how} than any test needs)"
    )


def changed(
    change: FileChange,
    probes: tuple[Probe, Probe],
    before: Probed,
    after: Probed,
    passing: Collection[str],
    failing: Collection[str],
) -> list[str]:
    """Pure: the concerns of a patch that changes a return or a condition's truth on a passing
    test's call with arguments none of the ``failing`` tests' calls have."""
    excused = {call for test in failing for _, call, _ in after.traced.get(test, ())}
    tests = sorted(before.traced.keys() & after.traced.keys() & set(passing) - set(failing))
    found = []
    for kind in KINDS:
        seen = [(t, d) for t in tests if (d := _differences(before.traced[t], after.traced[t], kind, excused))]
        if not seen:
            continue
        (old, new) = seen[0][1][0]
        shown = ", ".join(t for t, _ in seen[:3]) + (f" and {len(seen) - 3} more" if len(seen) > 3 else "")
        found.append(
            f"{_said(kind, change, probes, old, new)}, on {len(seen)} passing "
            f"test{'s' if len(seen) > 1 else ''} ({shown}) whose arguments no failing test passes: "
            "it changes what tests that needed no change see"
        )
    return found
