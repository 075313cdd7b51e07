"""Where a fix's new names and values come from: the second half of a fix's pattern (shapes.py
names what was replaced, inserted or wrapped; this names what it draws on).

Each identifier, attribute, keyword and literal the fixed file's differing parts hold and the
old parts do not is looked up, in this order, in: the function at the hunk (``local``), a
function enclosing it (``enclosing function``), ``self``'s attributes in the class
(``class attribute``), the module's names (``module name``), the builtins, the keywords of the
same callee's other calls in the file (``keyword of the callee's other calls``), the rest of the
file (``elsewhere in file``); a literal is ``file literal`` or ``new literal``; anything else is
``new``. ``pattern`` joins the shape and the sorted origins: the rows of the mining table.
"""

from __future__ import annotations

import ast
import builtins
from typing import Any

from shapes import differences, one

_BUILTINS = frozenset(dir(builtins))
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _bound(func: ast.AST) -> set[str]:
    out = {a.arg for a in ast.walk(func.args) if isinstance(a, ast.arg)} if isinstance(func, _FUNCTIONS) else set()
    return out | {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _scopes(tree: ast.Module, line: int) -> list[ast.AST]:
    """The functions whose span holds ``line``, innermost first."""
    found = [
        n
        for n in ast.walk(tree)
        if isinstance(n, (*_FUNCTIONS, ast.ClassDef)) and n.lineno <= line <= (n.end_lineno or n.lineno)
    ]
    return sorted(found, key=lambda n: -n.lineno)


def _module_names(tree: ast.Module) -> set[str]:
    out: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            out |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
            out.add(node.name)  # type: ignore[union-attr]
        else:
            out |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return out


def _parts(value: Any) -> list[ast.AST]:
    items = value if isinstance(value, list) else [value]
    return [n for item in items if isinstance(item, ast.AST) for n in ast.walk(item)]


def _callee(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else ast.unparse(call.func)


class Lookup:
    """The file before the fix, and where a name or value of the fix is found in it."""

    def __init__(self, before: str, line: int) -> None:
        self.tree = ast.parse(before)
        scopes = [s for s in _scopes(self.tree, line)]
        funcs = [s for s in scopes if isinstance(s, _FUNCTIONS)]
        self.local = _bound(funcs[0]) if funcs else set()
        self.outer = set().union(*(_bound(f) for f in funcs[1:])) - self.local
        cls = next((s for s in scopes if isinstance(s, ast.ClassDef)), None)
        self.attrs = (
            {
                n.attr
                for n in ast.walk(cls)
                if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self"
            }
            if cls
            else set()
        )
        self.module = _module_names(self.tree)
        nodes = list(ast.walk(self.tree))
        self.names = {n.id for n in nodes if isinstance(n, ast.Name)}
        self.names |= {n.attr for n in nodes if isinstance(n, ast.Attribute)}
        self.literals = {repr(n.value) for n in nodes if isinstance(n, ast.Constant)}
        self.keywords: dict[str, set[str]] = {}
        for call in (n for n in nodes if isinstance(n, ast.Call)):
            self.keywords.setdefault(_callee(call), set()).update(k.arg for k in call.keywords if k.arg)
        self.all_keywords = set().union(*self.keywords.values()) if self.keywords else set()

    def name(self, name: str, is_self: bool = False) -> str:
        if is_self:
            return "class attribute" if name in self.attrs else "new"
        for origin, names in (
            ("local", self.local),
            ("enclosing function", self.outer),
            ("module name", self.module),
            ("builtin", _BUILTINS),
            ("elsewhere in file", self.names),
        ):
            if name in names:
                return origin
        return "new"

    def keyword(self, call: ast.Call, keyword: str) -> str:
        if keyword in self.keywords.get(_callee(call), set()):
            return "keyword of the callee's other calls"
        return "keyword elsewhere in file" if keyword in self.all_keywords else "new keyword"

    def origins(self, old: Any, new: Any, where: str, parents: dict[ast.AST, ast.AST]) -> set[str]:
        """The origins of what ``new`` holds and ``old`` does not (``parents``: the fixed tree's)."""
        if not isinstance(new, ast.AST | list):  # a field's value: a name, an attribute, a literal
            if where.endswith(".id"):
                return {self.name(new)}
            if where.endswith(".attr"):
                return {"class attribute" if new in self.attrs else "elsewhere in file" if new in self.names else "new"}
            return {"file literal" if repr(new) in self.literals else "new literal"}
        olds = {ast.dump(n) for n in _parts(old)}
        out: set[str] = set()
        for node in _parts(new):
            if ast.dump(node) in olds:
                continue
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                out.add(self.name(node.id))
            elif isinstance(node, ast.Attribute):
                out.add(
                    self.name(node.attr, isinstance(node.value, ast.Name) and node.value.id == "self")
                    .replace("local", "elsewhere in file")
                    .replace("builtin", "elsewhere in file")
                )
            elif isinstance(node, ast.Constant):
                out.add("file literal" if repr(node.value) in self.literals else "new literal")
            elif isinstance(node, ast.keyword) and node.arg and isinstance(parents.get(node), ast.Call):
                out.add(self.keyword(parents[node], node.arg))  # type: ignore[arg-type]
        return out


def pattern(before: str, after: str, line: int) -> str:
    """Pure: ``shape <- origins`` of a one-difference fix (several: the shape alone)."""
    fixed = ast.parse(after)
    found = differences(ast.parse(before), fixed)
    if len(found) != 1:
        return "several edits" if found else "no difference"
    old, new, where = found[0]
    parents = {child: node for node in ast.walk(fixed) for child in ast.iter_child_nodes(node)}
    origins = sorted(Lookup(before, line).origins(old, new, where, parents)) or ["nothing new"]
    return f"{one(old, new, where)} <- {' + '.join(origins)}"
