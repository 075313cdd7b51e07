"""Choosing among plausible patches: the one least likely to pass the tests without fixing the bug.

A plausible patch passes every test, which an overfitted one does too, so the choice looks past
size, in this order:

0. doubts: it changes a type, a return or a condition on passing tests (``types``), or adjusts
   a quantity by a number (``fitted.adjusted``): it goes last, and is not claimed fixed;
1. agreement: the patch most model samples agree on (``agreement_key``);
2. concerns, fewer first, each a sign of overfitting named in the result: it changes the shape of
   what the function returns; it deletes code passing tests run; it brings in a literal of the
   failing tests; it breaks tests its proposer called obsolete (``obsolete``); it leaves a name
   its function computed unread, it trades a quantity for another number (``fitted``); the
   passing tests that run its line never evaluate what it writes (``types.unevaluated``);
3. the suspiciousness rank of the line it edits, then the size of the edit, then the order found.
Pure: the planner passes what it knows (votes, ranked locations, coverage, the tests' sources)."""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rfsn.planners.code.candidates import Candidate, FileChange, combine
from rfsn.planners.code.location import Location
from rfsn.planners.verify.fitted import adjusted, retuned, unread

#: literals too common to say anything about special-casing
_COMMON = {"0", "1", "2", "-1", "''", '""', "None", "True", "False"}
_LITERAL = re.compile(r"""(?<![\w.])(?:\d+(?:\.\d+)?|"[^"\n]{2,}"|'[^'\n]{2,}')(?![\w.])""")
_COLLECTIONS = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp)
_PREDICATES = {"isinstance", "issubclass", "all", "any", "bool", "callable", "hasattr"}


@dataclass(frozen=True)
class Evidence:
    """What the planner knows when it chooses."""

    votes: Mapping[str, int] = field(default_factory=dict)
    locations: Sequence[Location] = ()
    coverage: Mapping[str, Mapping[str, Sequence[int]]] = field(default_factory=dict)
    passing: Sequence[str] = ()
    test_sources: Mapping[str, str] = field(default_factory=dict)
    #: patch diff -> the concerns of the probe runs that saw it change a type, a return or a condition
    retyped: Mapping[str, list[str]] = field(default_factory=dict)
    #: patch diff -> the concern of a probe that saw no passing test evaluate the expression it writes
    unevaluated: Mapping[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    concerns: list[str]
    #: those of its concerns that are doubts (`doubts`): it is plausible, not claimed fixed
    doubts: list[str] = field(default_factory=list)


def together(choices: Sequence[Ranked]) -> tuple[Ranked | None, list[int]]:
    """The chosen patches of several groups as one, each with its concerns, in turn where its edits
    do not overlap those before it, and the places of those joined (none: fewer than two could be)."""
    joined, concerned, kept = choices[0].candidate, list(choices[0].concerns), [0]
    doubted = list(choices[0].doubts)
    for n, choice in enumerate(choices[1:], 1):
        both = combine(joined, choice.candidate)
        if both is not None:
            joined = both
            concerned += choice.concerns
            doubted += choice.doubts
            kept.append(n)
    return (Ranked(joined, concerned, doubted) if len(kept) > 1 else None), kept


def agreement_key(candidate: Candidate) -> str:
    """The candidate's patched files up to whitespace: samples that agree share it."""
    return "\0".join(
        f"{c.path}\0" + "\n".join(" ".join(line.split()) for line in c.patched.splitlines() if line.strip())
        for c in sorted(candidate.changes(), key=lambda c: c.path)
    )


def rank_plausible(plausible: Sequence[Candidate], evidence: Evidence) -> list[Ranked]:
    """The plausible patches, best first, each with its concerns."""
    where = {
        (loc.file, loc.line): i
        for i, loc in reversed(list(enumerate(sorted(evidence.locations, key=lambda loc: -loc.score))))
    }
    ranked = [(c, concerns(c, evidence), doubts(c, evidence), i) for i, c in enumerate(plausible)]
    ranked.sort(
        key=lambda item: (
            bool(item[2]),
            -evidence.votes.get(agreement_key(item[0]), 0),
            len(item[1]),
            where.get((item[0].path, item[0].line), len(where)),
            _size(item[0]),
            item[3],
        )
    )
    return [Ranked(candidate, [*doubted, *found], doubted) for candidate, found, doubted, _ in ranked]


def doubts(candidate: Candidate, evidence: Evidence) -> list[str]:
    """The concerns that keep a patch from being claimed fixed: the probes saw it change a type,
    a return or a condition on passing tests; it adjusts a quantity by a number (`fitted.adjusted`)."""
    return [*evidence.retyped.get(candidate.diff(), []), *(c for ch in candidate.changes() for c in adjusted(ch))]


def concerns(candidate: Candidate, evidence: Evidence) -> list[str]:
    found: list[str] = []
    for change in candidate.changes():
        found += [*_result_shape(change), *_deleted_behaviour(change, evidence), *_test_literals(change, evidence)]
        found += [*unread(change), *retuned(change)]
    return (
        found
        + list(evidence.unevaluated.get(candidate.diff(), ()))
        + [
            f"{t} no longer passes: the model called it obsolete (it asserts the behaviour the problem asks to change)"
            for t in candidate.obsolete
        ]
    )


def _size(candidate: Candidate) -> tuple[int, int]:
    """Changed lines, then their characters."""
    changed = [
        line
        for line in candidate.diff().splitlines()
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    return len(changed), sum(len(line) for line in changed)


# -- the result's shape ---------------------------------------------------------------------
def _shape(value: ast.expr | None) -> str:
    match value:
        case None | ast.Constant(value=None):
            return "None"
        case ast.Constant(value=bool()) | ast.Compare() | ast.UnaryOp(op=ast.Not()):
            return "a boolean"
        case ast.Call(func=ast.Name(id=name)) if name in _PREDICATES:
            return "a boolean"
        case ast.BoolOp(values=values) if all(_shape(v) == "a boolean" for v in values):
            return "a boolean"
        case ast.Constant(value=int() | float()) | ast.UnaryOp(op=ast.USub(), operand=ast.Constant()):
            return "a number"
        case ast.Constant(value=str()) | ast.JoinedStr():
            return "a string"
        case _ if isinstance(value, _COLLECTIONS):
            return "a collection"
    return ""  # not known from the syntax alone


def _returns(source: str) -> dict[str, set[str]]:
    """Function name -> shapes of its returns (only functions whose every return is known)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    shapes: dict[str, set[str]] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            found = {_shape(r.value) for r in _own_returns(fn)}
            if found and "" not in found:
                shapes[fn.name] = found
    return shapes


def _own_returns(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Return]:
    """The returns of ``fn`` itself, not of functions or classes nested in it."""
    stack: list[ast.AST] = list(fn.body)
    found = []
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            found.append(node)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _result_shape(change: FileChange) -> list[str]:
    if not change.path.endswith(".py"):
        return []
    before, after = _returns(change.original), _returns(change.patched)
    found = []
    for name, shapes in after.items():
        new = shapes - before.get(name, shapes)
        if new:
            found.append(
                f"{name}() now returns {' or '.join(sorted(new))} where it returned {' or '.join(sorted(before[name]))}"
            )
    return found


# -- deleted behaviour ----------------------------------------------------------------------
def _deleted_behaviour(change: FileChange, evidence: Evidence) -> list[str]:
    removed, added = changed_lines(change)
    if not removed or added:
        return []
    run = {line for test in evidence.passing for line in evidence.coverage.get(test, {}).get(change.path, ())}
    if run & removed or not evidence.coverage:  # without coverage a deletion is a concern anyway
        return [
            f"deletes {len(removed)} line(s) of {change.path}" + (" that passing tests run" if run & removed else "")
        ]
    return []


def changed_lines(change: FileChange) -> tuple[set[int], list[str]]:
    """Original line numbers removed, and the lines added."""
    old, new = change.original.splitlines(), change.patched.splitlines()
    removed: set[int] = set()
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            removed.update(range(i1 + 1, i2 + 1))
        if tag in ("replace", "insert"):
            added += [line for line in new[j1:j2] if line.strip()]
    return removed, added


# -- the tests' own values ------------------------------------------------------------------
def _test_literals(change: FileChange, evidence: Evidence) -> list[str]:
    _, added = changed_lines(change)
    known = set(_LITERAL.findall(change.original))
    new = {lit for line in added for lit in _LITERAL.findall(line)} - known - _COMMON
    tests = "\n".join(evidence.test_sources.values())
    taken = sorted(lit for lit in new if re.search(rf"(?<![\w.]){re.escape(lit)}(?![\w.])", tests))
    return [f"brings in {', '.join(taken)} from the failing tests"] if taken else []
