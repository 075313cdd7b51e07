"""Shared machinery of the Python repair templates: the file's context and AST positions.

A template is a function ``(ctx, line) -> Iterable[Edit]`` wrapped in a `Template`
(``templates.edit``) with a name and a prior (how likely its kind of fix is, 0..1). Edits are text
splices computed from AST node positions, so the rest of the file keeps its
formatting; ``ast.unparse`` is only used for the node being replaced.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit
from rfsn.planners.patch.templates.python.material import EMPTY, Material

FUNCTIONS = ast.FunctionDef | ast.AsyncFunctionDef
BLOCKS = (ast.stmt, ast.excepthandler, ast.match_case)


def own_nodes(func: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of the function's body, not those inside its nested functions, lambdas or classes."""
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, FUNCTIONS | ast.ClassDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


class SourceMap:
    """Converts AST positions (1-based lines, UTF-8 byte columns) to str offsets."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", source)
        self.starts = [0]
        for text in self.lines:
            self.starts.append(self.starts[-1] + len(text))

    def offset(self, lineno: int, col_bytes: int) -> int:
        text = self.lines[lineno - 1] if lineno - 1 < len(self.lines) else ""
        col = len(text.encode("utf-8")[:col_bytes].decode("utf-8", errors="ignore"))
        return self.starts[lineno - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def text(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.source[start:end]

    def line_start(self, lineno: int) -> int:
        return self.starts[lineno - 1]

    def indent(self, lineno: int) -> str:
        text = self.lines[lineno - 1]
        return text[: len(text) - len(text.lstrip(" \t"))]


def replace(ctx: FileContext, node: ast.AST, text: str, description: str) -> Edit:
    start, end = ctx.map.span(node)
    return Edit((Splice(start, end, text),), description)


def unparse(node: ast.AST) -> str:
    return ast.unparse(node)


def is_atom(node: ast.AST) -> bool:
    return isinstance(node, ast.Name | ast.Attribute | ast.Call | ast.Subscript | ast.Constant)


@dataclass
class FileContext:
    """Everything templates want to know about one file (computed lazily, once)."""

    path: str
    source: str
    tree: ast.Module
    files: dict[str, str] = field(default_factory=dict)
    #: what the session's failing tests hold (`material.from_tests`; empty without tests)
    material: Material = field(default=EMPTY, compare=False)
    #: what templates compute once per file and share (e.g. the kinds of names per function)
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def map(self) -> SourceMap:
        return SourceMap(self.source)

    @cached_property
    def parents(self) -> dict[ast.AST, ast.AST]:
        return {child: node for node in ast.walk(self.tree) for child in ast.iter_child_nodes(node)}

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        while node in self.parents:
            node = self.parents[node]
            yield node

    def enclosing(self, node: ast.AST, kinds: Any) -> ast.AST | None:
        return next((a for a in self.ancestors(node) if isinstance(a, kinds)), None)

    @cached_property
    def statements(self) -> list[ast.stmt]:
        return [n for n in ast.walk(self.tree) if isinstance(n, ast.stmt)]

    def statement_at(self, line: int) -> ast.stmt | None:
        """The innermost statement whose span covers ``line`` (every template asks: kept)."""
        key = ("statement_at", line)
        if key not in self.cache:
            best = None
            for stmt in self.statements:
                if stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno) and (
                    best is None or (stmt.lineno >= best.lineno and stmt.end_lineno <= best.end_lineno)  # type: ignore[operator]
                ):
                    best = stmt
            self.cache[key] = best
        return self.cache[key]

    def nodes_at(self, line: int) -> list[ast.AST]:
        """Expression-level nodes of the statement at ``line`` (headers only)."""
        stmt = self.statement_at(line)
        return list(header_nodes(stmt)) if stmt is not None else []

    @cached_property
    def module_constants(self) -> dict[str, object]:
        """Module-level ``NAME = <constant>`` assignments."""
        out: dict[str, object] = {}
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        out[target.id] = stmt.value.value
        return out

    @cached_property
    def project_trees(self) -> dict[str, ast.Module]:
        out = {self.path: self.tree}
        for path, text in self.files.items():
            if path.endswith(".py") and path not in out:
                try:
                    out[path] = ast.parse(text)
                except SyntaxError:
                    continue
        return out


def header_nodes(stmt: ast.stmt) -> Iterator[ast.AST]:
    """Walk a statement without descending into nested statement bodies."""
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        yield node
        for _, value in ast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            if any(isinstance(c, BLOCKS) for c in children):
                continue
            stack.extend(c for c in reversed(children) if isinstance(c, ast.AST))


def of_type(nodes: Iterable[ast.AST], kind: type | tuple[type, ...]) -> list:
    return [n for n in nodes if isinstance(n, kind)]
