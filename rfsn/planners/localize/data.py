"""Data dependence: the statements that write what a suspicious line reads share its suspicion.

A wrong value is often made far from where it shows: the condition that acts on it (``while
self.size > limit``) ranks high, the update that made it wrong (``self.size += n`` in another
method, for ``-=``) runs in passing tests too and ranks low. ``with_data_dependence`` gives the
writers of what each of the ``TOP`` lines reads (Python) ``SHARE`` of its score: the assignments
of a local it reads in its function, and the statements of its class's methods that assign,
augment, delete or store into (``self.items[k] = v``) an attribute of ``self`` it reads. Only
lines the ranking holds (the failing tests ran them) are raised; each goes right after the line
it took its score from.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping

from rfsn.planners.code.location import Location
from rfsn.planners.localize.control import DECAY
from rfsn.planners.localize.definitions import parse_module

#: how many of the most suspicious lines pass their suspicion to the writers of what they read
TOP = 10
#: the part of a line's score the writers of what it reads get: one step of dependence, as one
#: level of nesting costs a governing condition
SHARE = DECAY

_FUNCTION = ast.FunctionDef | ast.AsyncFunctionDef


def _self_name(function: _FUNCTION) -> str | None:
    args = [*function.args.posonlyargs, *function.args.args]
    return args[0].arg if args else None


def _stored(target: ast.expr, self_name: str | None) -> Iterator[tuple[str, str]]:
    """("local" | "attribute", name) a target of an assignment or a deletion writes."""
    if isinstance(target, ast.Name):
        yield "local", target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _stored(element, self_name)
    elif isinstance(target, ast.Starred):
        yield from _stored(target.value, self_name)
    elif isinstance(target, ast.Subscript | ast.Attribute):
        inner = target.value if isinstance(target, ast.Subscript) else target
        if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name) and inner.value.id == self_name:
            yield "attribute", inner.attr


def _writes(function: _FUNCTION, self_name: str | None) -> Iterator[tuple[str, str, int]]:
    """(kind, name, line) of each write in ``function``'s own body (not its nested functions')."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, _FUNCTION | ast.ClassDef | ast.Lambda):
            continue
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign | ast.Delete):
            targets = list(node.targets)
        elif isinstance(
            node, ast.AugAssign | ast.AnnAssign | ast.NamedExpr | ast.For | ast.AsyncFor | ast.comprehension
        ):
            targets = [node.target]
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets = [node.optional_vars]
        for target in targets:
            for kind, name in _stored(target, self_name):
                yield kind, name, getattr(node, "lineno", getattr(target, "lineno", 0))
        stack.extend(ast.iter_child_nodes(node))


class _Module:
    """A file's functions, with their classes, for finding what a line reads and who writes it."""

    def __init__(self, tree: ast.Module) -> None:
        self.functions: list[tuple[_FUNCTION, ast.ClassDef | None]] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                self.functions += [(f, node) for f in node.body if isinstance(f, _FUNCTION)]
        methods = {id(f) for f, _ in self.functions}
        self.functions += [
            (node, None) for node in ast.walk(tree) if isinstance(node, _FUNCTION) and id(node) not in methods
        ]

    def writers(self, line: int) -> set[int]:
        """The lines that write a local or a ``self`` attribute that ``line`` reads."""
        around = [(f, c) for f, c in self.functions if f.lineno < line <= (f.end_lineno or f.lineno)]
        if not around:
            return set()
        function, owner = max(around, key=lambda fc: fc[0].lineno)  # the innermost
        self_name = _self_name(function) if owner is not None else None
        reads = {
            ("local", n.id)
            for n in ast.walk(function)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.lineno == line
        }
        reads |= {
            ("attribute", n.attr)
            for n in ast.walk(function)
            if isinstance(n, ast.Attribute)
            and isinstance(n.ctx, ast.Load)
            and n.lineno == line
            and isinstance(n.value, ast.Name)
            and n.value.id == self_name
        }
        found = {at for kind, name, at in _writes(function, self_name) if kind == "local" and ("local", name) in reads}
        for method, cls in self.functions:
            if owner is not None and cls is owner:
                found |= {
                    at
                    for kind, name, at in _writes(method, _self_name(method))
                    if kind == "attribute" and ("attribute", name) in reads
                }
        return found - {line}


def with_data_dependence(
    locations: list[Location], files: Mapping[str, str], top: int = TOP, share: float = SHARE
) -> list[Location]:
    """``locations`` with the lines that write what their ``top`` lines read raised to ``share``
    of the reading line's score, best first; on a tie a writer goes right after its reader."""
    scores = {(loc.file, loc.line): loc.score for loc in locations}
    place = {(loc.file, loc.line): float(i) for i, loc in enumerate(locations)}
    modules: dict[str, _Module | None] = {}
    for loc in sorted(locations, key=lambda loc: -loc.score)[:top]:
        if not loc.file.endswith(".py") or loc.score <= 0:
            continue
        if loc.file not in modules:
            tree = parse_module(files[loc.file]) if loc.file in files else None
            modules[loc.file] = _Module(tree) if tree is not None else None
        module = modules[loc.file]
        if module is None:
            continue
        reader = place[(loc.file, loc.line)]
        for line in sorted(module.writers(loc.line)):
            where, score = (loc.file, line), loc.score * share
            if where in scores and (scores[where] < score or (scores[where] == score and place[where] > reader)):
                scores[where] = score
                place[where] = reader + 0.5 + line / 1e9
    ranked = sorted(scores.items(), key=lambda item: (-item[1], place[item[0]]))
    return [Location(path, line, score) for (path, line), score in ranked]
