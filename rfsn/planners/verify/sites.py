"""Where a patch's one changed expression is, for the probes of the type check (``types``).

Pure: the function a patch edits and the smallest expression or statement in which it differs
(`sites`: the probe of it before and after, with the condition it is part of and the function
whose returns count) and the passing tests that run the lines it replaces (`covering`).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from rfsn.models import Probe
from rfsn.models.probes import Step
from rfsn.planners.code.candidates import FileChange
from rfsn.planners.verify.choice import changed_lines

#: the places where only a value's truth counts
_TRUTH = {("If", "test"), ("While", "test"), ("IfExp", "test"), ("Assert", "test"), ("comprehension", "ifs")}
_OWN = ("args", "decorator_list", "returns", "type_params")  # evaluated where the function is defined
_FUNCTIONS = ast.FunctionDef | ast.AsyncFunctionDef
Def = ast.FunctionDef | ast.AsyncFunctionDef


def _defs(body: list[ast.stmt], prefix: str = "") -> list[tuple[str, Def]]:
    """(qualified name, def) of the functions at a module's level or in its classes."""
    found: list[tuple[str, Def]] = []
    for node in body:
        if isinstance(node, _FUNCTIONS):
            found.append((prefix + node.name, node))
        elif isinstance(node, ast.ClassDef):
            found += _defs(node.body, f"{prefix}{node.name}.")
    return found


def units(tree: ast.Module) -> dict[str, Def | None]:
    """Qualified name -> def; None for a name defined twice (a property's setter)."""
    named: dict[str, Def | None] = {}
    for name, node in _defs(tree.body):
        named[name] = None if name in named else node
    return named


def child(node: ast.AST, step: Step) -> ast.AST:
    value = getattr(node, step[0])
    return value if step[1] is None else value[step[1]]


def _differing(a: ast.AST, b: ast.AST) -> list[Step]:
    """The path to the smallest expression or statement in which ``a`` and ``b`` differ."""
    path: list[Step] = []
    while True:
        steps: list[Step] = []
        for name in a._fields:
            va, vb = getattr(a, name, None), getattr(b, name, None)
            if isinstance(va, list) and isinstance(vb, list) and len(va) == len(vb):
                steps += [(name, i) for i, (x, y) in enumerate(zip(va, vb, strict=True)) if _dump(x) != _dump(y)]
            elif _dump(va) != _dump(vb):
                steps.append((name, None) if isinstance(va, ast.AST) and isinstance(vb, ast.AST) else ("", None))
        if len(steps) != 1 or not steps[0][0]:
            return path
        ca, cb = child(a, steps[0]), child(b, steps[0])
        if not isinstance(ca, ast.expr | ast.stmt) or not isinstance(cb, ast.expr | ast.stmt):
            return path  # an operator, a keyword's name: the node around it is what changed
        path.append(steps[0])
        if type(ca) is not type(cb):
            return path
        a, b = ca, cb


def _dump(value: object) -> str:
    return ast.dump(value) if isinstance(value, ast.AST) else repr(value)


def _probe(path: str, name: str, unit: Def, steps: list[Step]) -> Probe:
    nodes: list[ast.AST] = [unit]
    for step in steps:
        nodes.append(child(nodes[-1], step))
    node, parent = nodes[-1], nodes[-2] if len(steps) else None
    inner = max((i for i, n in enumerate(nodes) if isinstance(n, _FUNCTIONS | ast.Lambda)), default=0)
    returns = tuple(steps[:inner]) if isinstance(nodes[inner], _FUNCTIONS) else None
    probed = (
        isinstance(node, ast.expr)
        and isinstance(getattr(node, "ctx", ast.Load()), ast.Load)
        and not isinstance(node, ast.Starred | ast.Slice | ast.FormattedValue)
        and not isinstance(parent, ast.JoinedStr)
        and steps[0][0] not in _OWN
        and not _truth(nodes, steps)
    )
    condition = _condition(nodes, steps, inner) if steps and steps[0][0] not in _OWN else None
    return Probe(
        path=path,
        function=name,
        value=tuple(steps) if probed else None,
        returns=returns,
        node=_where(node) if probed else None,
        condition=condition,
        condition_node=_where(nodes[len(condition)]) if condition else None,
    )


def _where(node: ast.AST) -> tuple[str, int, int]:
    return type(node).__name__, node.lineno, node.col_offset  # type: ignore[attr-defined]


def _condition(nodes: list[ast.AST], steps: list[Step], inner: int) -> tuple[Step, ...] | None:
    """The path to the condition the last node is (part of), within the innermost function."""
    for n in range(len(steps), inner, -1):
        if (type(nodes[n - 1]).__name__, steps[n - 1][0]) in _TRUTH:
            return tuple(steps[:n])
    return None


def _truth(nodes: list[ast.AST], steps: list[Step]) -> bool:
    """Whether only the truth of the last node counts: a condition, or an operand of ``and``,
    ``or`` or ``not`` that is one."""
    for n in range(len(steps), 0, -1):
        parent, field = nodes[n - 1], steps[n - 1][0]
        if (type(parent).__name__, field) in _TRUTH or (
            isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not)
        ):
            return True
        if not isinstance(parent, ast.BoolOp):
            return False
    return False


def edited(change: FileChange) -> tuple[str, Def, Def, list[Step]] | None:
    """The one function ``change`` edits (its qualified name, its def before and after) and the
    path to the smallest expression or statement in which they differ (none: not one function
    of a Python file, or a file that does not parse)."""
    if not change.path.endswith(".py"):
        return None
    try:
        old, new = units(ast.parse(change.original)), units(ast.parse(change.patched))
    except SyntaxError:
        return None
    names = [n for n, d in new.items() if d is None or old.get(n) is None or _dump(d) != _dump(old[n])]
    if len(names) != 1 or set(old) != set(new) or new[names[0]] is None:
        return None
    before, after = old[names[0]], new[names[0]]
    assert before is not None and after is not None
    return names[0], before, after, _differing(before, after)


def sites(change: FileChange) -> tuple[Probe, Probe] | None:
    """The probes of the one function ``change`` edits, before and after (none: not one
    function of a Python file, or a file that does not parse)."""
    found = edited(change)
    if found is None:
        return None
    name, before, after, steps = found
    return _probe(change.path, name, before, steps), _probe(change.path, name, after, steps)


def covering(
    change: FileChange, coverage: Mapping[str, Mapping[str, Sequence[int]]], passing: Sequence[str], limit: int
) -> list[str]:
    """The first ``limit`` passing tests that run a line ``change`` replaces (or the lines
    around what it inserts)."""
    removed, _ = changed_lines(change)
    lines = removed or _around(change)
    return [t for t in sorted(passing) if lines & set(coverage.get(t, {}).get(change.path, ()))][:limit]


def _around(change: FileChange) -> set[int]:
    old, new = change.original.splitlines(), change.patched.splitlines()
    first = next((i for i, (x, y) in enumerate(zip(old, new, strict=False)) if x != y), min(len(old), len(new)))
    return {first, first + 1}
