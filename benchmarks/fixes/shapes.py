"""A coarse classification of a Python fix's edit by the difference of the two syntax trees.

The trees before and after are walked together; where they part (a node of another type, a
field of another value, a list of another length) is a difference. One difference is named by
what changed there (``replaced operator``, ``replaced name``, ``argument added``, ``call
wrapped``, ``guard inserted``, ...); several are ``several edits: A + B`` (the two most common
kinds), the material for mining patterns, not a judgement of the fix.
"""

from __future__ import annotations

import ast
from collections import Counter
from typing import Any

Diff = tuple[Any, Any, str]  # the old and new parts, and the field (or "") where they part

_OPS = (ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


PATTERN = "pattern: "  # the shapes counter's keys for patterns (shape <- origins)
COVERED = "expressed: "  # and for the fixes of a shape or pattern that some candidate writes


def differences(a: Any, b: Any, where: str = "", limit: int = 8) -> list[Diff]:
    """Pure: the places where two trees part, the outermost of each, at most ``limit``."""
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [(a, b, where)]
        found: list[Diff] = []
        for x, y in zip(a, b, strict=True):
            found += differences(x, y, where, limit - len(found))
            if len(found) >= limit:
                break
        return found
    if not isinstance(a, ast.AST) or not isinstance(b, ast.AST):
        return [] if a == b else [(a, b, where)]
    if type(a) is not type(b):
        return [(a, b, where)]
    found = []
    for name in a._fields:
        if name in ("ctx", "type_comment", "kind"):
            continue
        found += differences(
            getattr(a, name, None), getattr(b, name, None), f"{type(a).__name__}.{name}", limit - len(found)
        )
        if len(found) >= limit:
            break
    return found


def _dump(node: Any) -> str:
    return ast.dump(node) if isinstance(node, ast.AST) else repr(node)


def _contains(outer: ast.AST, inner: ast.AST) -> bool:
    if not isinstance(outer, ast.AST) or not isinstance(inner, ast.AST):
        return False
    dumped = ast.dump(inner)
    return any(ast.dump(node) == dumped for node in ast.walk(outer) if node is not outer)


def _statements(old: list[Any], new: list[Any]) -> str:
    """A statement list that grew or shrank."""
    if not all(isinstance(s, ast.stmt) for s in [*old, *new]):
        return "list of other nodes changed"
    if len(new) > len(old):
        added = [s for s in new if _dump(s) not in {_dump(o) for o in old}]
        if len(new) == len(old) + 1 and added:
            kept = isinstance(added[0], ast.If) and any(_contains(added[0], o) for o in old)
            if isinstance(added[0], ast.If):
                if kept:
                    return "statement wrapped in a condition"
                return "guard inserted (early exit)" if isinstance(added[0].body[-1], _EXITS) else "if inserted"
            if isinstance(added[0], ast.Try):
                return "try inserted"
            return f"statement inserted ({type(added[0]).__name__})"
        return "statements inserted"
    if len(new) < len(old):
        if len(old) == len(new) + 1 and len(new) == 1 and isinstance(old, list) and _contains(old[0], new[0]):
            return "condition removed around statement"
        return "statement deleted" if len(old) == len(new) + 1 else "statements deleted"
    return "statements replaced"


def _calls(old: ast.Call, new: ast.Call) -> str | None:
    if ast.dump(old.func) != ast.dump(new.func):
        return None
    if len(new.args) != len(old.args):
        return "argument added" if len(new.args) > len(old.args) else "argument removed"
    if len(new.keywords) != len(old.keywords):
        return "keyword argument added" if len(new.keywords) > len(old.keywords) else "keyword argument removed"
    return None


def one(old: Any, new: Any, where: str) -> str:
    """Pure: the name of one difference."""
    if isinstance(old, list) and isinstance(new, list):
        if where.endswith((".args", ".elts", ".keywords", ".values", ".comparators", ".ops")):
            grew = len(new) > len(old)
            noun = {"args": "argument", "keywords": "keyword argument", "elts": "element"}.get(
                where.rsplit(".", 1)[-1], "operand"
            )
            return f"{noun} {'added' if grew else 'removed'}"
        return _statements(old, new)
    if isinstance(old, _OPS) and isinstance(new, _OPS):
        return "replaced operator"
    if isinstance(old, ast.AST) and isinstance(new, ast.AST):
        if isinstance(new, ast.Call) and _contains(new, old):
            return "call wrapped"
        if isinstance(new, ast.If | ast.Try | ast.With) and _contains(new, old):
            return f"statement wrapped in {type(new).__name__.lower()}"
        if isinstance(old, ast.Call) and _contains(old, new):
            return "call unwrapped"
        if isinstance(old, ast.Call) and isinstance(new, ast.Call):
            named = _calls(old, new)
            if named:
                return named
        if isinstance(new, ast.BoolOp | ast.Compare | ast.UnaryOp | ast.IfExp) and _contains(new, old):
            return "condition extended" if "test" in where else "expression wrapped"
        if _contains(old, new):
            return "expression narrowed"
        kinds = {type(old).__name__, type(new).__name__}
        if kinds <= {"Name", "Attribute"}:
            return "replaced name"
        if kinds == {"Constant"}:
            return "replaced constant"
        return f"replaced {type(old).__name__} by {type(new).__name__}" + (" in condition" if "test" in where else "")
    if where.endswith("Constant.value"):
        return "replaced constant"
    if isinstance(old, str) and isinstance(new, str):
        kinds = {".attr": "replaced attribute", ".id": "replaced name", ".arg": "replaced keyword or parameter name"}
        return next((name for end, name in kinds.items() if where.endswith(end)), f"changed {where}")
    if old is None or new is None:
        return f"{where.rsplit('.', 1)[-1]} {'added' if old is None else 'removed'}"
    return f"changed {where}"


def shape(before: str, after: str) -> str:
    """Pure: the coarse shape of the edit from ``before`` to ``after`` (Python sources)."""
    found = differences(ast.parse(before), ast.parse(after))
    if not found:
        return "no difference"
    names = [one(*diff) for diff in found]
    if len(names) == 1:
        return names[0]
    distinct = list(dict.fromkeys(names))
    return "several edits: " + " + ".join(distinct[:2]) + (" + ..." if len(distinct) > 2 else "")


def table(shapes: Counter[str], n: int, top: int, covered: bool) -> None:
    """The design part's shapes, then its patterns (shape <- origins): fixes, share, and how
    many of them some candidate writes (when measured)."""
    for title, prefix in (("edit shape", ""), ("pattern: shape <- origins", PATTERN)):
        mined = Counter(
            {
                k[len(prefix) :]: v
                for k, v in shapes.items()
                if k.startswith(prefix) and not k.startswith(COVERED) and (prefix or not k.startswith(PATTERN))
            }
        )
        extra = (" expressed |", " --- |") if covered else ("", "")
        print(f"\n| {title} (design part) | fixes | share |{extra[0]}\n| --- | --- | --- |{extra[1]}")
        for name, count in mined.most_common(top):
            done = f" {shapes[COVERED + prefix + name]} |" if covered else ""
            print(f"| {name} | {count} | {count / n:.1%} |{done}")
