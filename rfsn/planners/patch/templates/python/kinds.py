"""Coarse kinds of values, to prune mutants that obviously cannot type-check.

A kind is one of ``num``, ``str``, ``coll`` (a list, tuple, set or dict),
``bool`` or ``sized`` (a ``str`` or a ``coll``, not known which); ``None`` is
unknown, and unknown never prunes. Names get a kind from what is assigned to
them (``x = []``, ``n = len(s)``, ``for i in range(k)``), their annotation or
default, then from how they are used (``range(n)``, ``x - 1``, ``s.split()``,
``x[i]``): enough to skip ``abs()`` of a string, ``len()`` of a number or a
slice of a count, nothing more.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from rfsn.planners.patch.templates.python.kindtables import (
    ANNOTATIONS,
    BOOL,
    CALL_KINDS,
    COLL,
    METHOD_KINDS,
    NUM,
    NUMERIC_OPS,
    RECEIVER_KINDS,
    SIZED,
    STR,
)

Kinds = Mapping[str, str]


def constant_kind(value: object) -> str | None:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float | complex):
        return NUM
    if isinstance(value, str | bytes):
        return STR
    return None


def _callee(call: ast.Call) -> tuple[str, bool]:
    """(name, is_method) of a call's callee."""
    if isinstance(call.func, ast.Name):
        return call.func.id, False
    if isinstance(call.func, ast.Attribute):
        return call.func.attr, True
    return "", False


def expr_kind(node: ast.AST, kinds: Kinds) -> str | None:
    """The kind of an expression, given the kinds of names (``self.x`` keys for attributes)."""
    if isinstance(node, ast.Constant):
        return constant_kind(node.value)
    if isinstance(node, ast.JoinedStr):
        return STR
    if isinstance(node, ast.List | ast.ListComp | ast.Tuple | ast.Set | ast.SetComp | ast.Dict | ast.DictComp):
        return COLL
    if isinstance(node, ast.Compare) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
        return BOOL
    if isinstance(node, ast.UnaryOp):
        return NUM if expr_kind(node.operand, kinds) == NUM else None
    if isinstance(node, ast.Name | ast.Attribute):
        return kinds.get(ast.unparse(node))
    if isinstance(node, ast.Call):
        name, method = _callee(node)
        known = kinds.get(f"{ast.unparse(node.func)}()")  # a function of the file
        return known or (METHOD_KINDS if method else CALL_KINDS).get(name)
    if isinstance(node, ast.BinOp):
        return _binop_kind(node, kinds)
    return None


def _binop_kind(node: ast.BinOp, kinds: Kinds) -> str | None:
    sides = {expr_kind(node.left, kinds), expr_kind(node.right, kinds)}
    if isinstance(node.op, ast.Mod):
        return STR if expr_kind(node.left, kinds) == STR else (NUM if sides == {NUM} else None)
    if isinstance(node.op, NUMERIC_OPS):
        return NUM if NUM in sides or (sides == {None} and isinstance(node.op, ast.Pow)) else None
    if isinstance(node.op, ast.Add):
        for kind in (NUM, STR, COLL):
            if kind in sides:
                return kind
        return None
    if isinstance(node.op, ast.Mult):
        return STR if STR in sides else COLL if COLL in sides else NUM if sides == {NUM} else None
    return None


def _annotation_kind(annotation: ast.expr | None) -> str | None:
    if annotation is None:
        return None
    head = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    label = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", "")
    return ANNOTATIONS.get(label)


def _targets(node: ast.AST) -> list[tuple[ast.expr, ast.expr | None]]:
    if isinstance(node, ast.Assign):
        return [(t, node.value) for t in node.targets]
    if isinstance(node, ast.AnnAssign | ast.AugAssign):
        return [(node.target, node.value)]
    if isinstance(node, ast.NamedExpr):
        return [(node.target, node.value)]
    return []


def _loop_kinds(node: ast.For | ast.comprehension, out: dict[str, str]) -> None:
    it = node.iter
    if isinstance(it, ast.Call) and _callee(it) == ("range", False) and isinstance(node.target, ast.Name):
        out.setdefault(node.target.id, NUM)
    elif (
        isinstance(it, ast.Call)
        and _callee(it) == ("enumerate", False)
        and isinstance(node.target, ast.Tuple)
        and isinstance(node.target.elts[0], ast.Name)
    ):
        out.setdefault(node.target.elts[0].id, NUM)


def _definitions(scope: ast.AST, out: dict[str, str], prefix: str = "") -> None:
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        args = scope.args
        positional = [*args.posonlyargs, *args.args]
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        pairs = [*zip(positional, defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]
        for arg, default in pairs:
            kind = _annotation_kind(arg.annotation) or (expr_kind(default, out) if default else None)
            if kind:
                out.setdefault(arg.arg, kind)
    for node in ast.walk(scope):
        for target, value in _targets(node):
            key = ast.unparse(target) if isinstance(target, ast.Name | ast.Attribute) else None
            kind = _annotation_kind(getattr(node, "annotation", None))
            kind = kind or (expr_kind(value, out) if value is not None else None)
            if key and kind and key.startswith(prefix):
                out.setdefault(key, kind)
        if isinstance(node, ast.For | ast.comprehension) and not prefix:
            _loop_kinds(node, out)


def usage(scope: ast.AST, known: Kinds, prefix: str = "") -> dict[str, str]:
    """Kinds implied by how names (and ``self.x``) are used in ``scope``, whatever is assigned to them."""
    found: dict[str, str] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Call):
            name, method = _callee(node)
            if not method and name == "range":
                found.update({ast.unparse(a): NUM for a in node.args if isinstance(a, ast.Name)})
            if not method and name in {"len", "sorted"} and node.args:
                found.setdefault(ast.unparse(node.args[0]), SIZED)
            if method and name in RECEIVER_KINDS and isinstance(node.func, ast.Attribute):
                found.setdefault(ast.unparse(node.func.value), RECEIVER_KINDS[name])
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub | ast.FloorDiv | ast.Div):
            for side in (node.left, node.right):
                found.setdefault(ast.unparse(side), NUM)
        elif isinstance(node, ast.BinOp | ast.Compare):
            operands = [node.left, node.right] if isinstance(node, ast.BinOp) else [node.left, *node.comparators]
            if isinstance(node, ast.Compare) and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
                continue
            if any(expr_kind(o, known) == NUM for o in operands):
                for o in operands:
                    found.setdefault(ast.unparse(o), NUM)
        elif isinstance(node, ast.Subscript):
            found.setdefault(ast.unparse(node.value), SIZED)
        elif isinstance(node, ast.For | ast.comprehension):
            found.setdefault(ast.unparse(node.iter), SIZED)
    # names and self.x, not expressions
    return {k: v for k, v in found.items() if k.startswith(prefix) and k.replace(".", "").replace("_", "").isalnum()}


def _returned(func: ast.AST) -> str | None:
    """The one kind every ``return <value>`` of ``func`` returns (None: unknown or mixed)."""
    kinds = {expr_kind(n.value, {}) for n in ast.walk(func) if isinstance(n, ast.Return) and n.value}
    return kinds.pop() if len(kinds) == 1 else None


def _functions(body: list[ast.stmt], prefix: str, out: dict[str, str]) -> None:
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and (kind := _returned(stmt)):
            out[f"{prefix}{stmt.name}()"] = kind


def infer(scope: ast.AST, owner: ast.ClassDef | None = None, module: ast.Module | None = None) -> dict[str, str]:
    """Kinds of the names of ``scope`` (a function), of ``self.x`` from its class ``owner``,
    and of calls to the functions of ``module`` and the methods of ``owner`` (``"f()"`` keys)."""
    out: dict[str, str] = {}
    _functions(module.body if module else [], "", out)
    _functions(owner.body if owner else [], "self.", out)
    for _ in range(2):  # a second pass lets kinds flow through assignments in any order
        _definitions(scope, out)
        if owner is not None:
            _definitions(owner, out, prefix="self.")
    for key, kind in [*usage(scope, out).items(), *(usage(owner, out, "self.").items() if owner else [])]:
        out.setdefault(key, kind)
    _definitions(scope, out)  # what the uses taught flows on through assignments
    return out


def may_be(kind: str | None, *allowed: str) -> bool:
    """Whether a value of ``kind`` may be of one of ``allowed`` (unknown may be anything)."""
    if kind is None or kind in allowed:
        return True
    return kind == SIZED and bool({STR, COLL} & set(allowed))


def is_numeric(kind: str | None) -> bool:
    return may_be(kind, NUM)


def is_sized(kind: str | None) -> bool:
    return may_be(kind, STR, COLL, SIZED)


def compatible(a: str | None, b: str | None) -> bool:
    """Whether values of kinds ``a`` and ``b`` may stand in for each other."""
    return a is None or b is None or a == b or (SIZED in (a, b) and bool({a, b} & {STR, COLL}))
