"""The repository map: each file with the classes and function signatures it defines.

Python files are read with ``ast`` (nested classes and methods indented under
their class); files in other languages list the functions rfsn's brace parser
finds; a file that does not parse is listed by its path alone. The map is cut
to a character budget, test files last, so a large repository still fits in a
prompt. ``enclosing`` gives the whole function around a line, for showing the
code a localization chose instead of a fixed window.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from rfsn.models.testfiles import is_test_file
from rfsn.planners.localize.callees import function_spans

MAX_MAP_CHARS = 12000
MAX_FUNCTION_LINES = 80
BRACE_LANGUAGES = {".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".ts": "typescript",
                    ".go": "go", ".rs": "rust", ".java": "java", ".c": "c", ".h": "c", ".cpp": "cpp"}


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    returns = f" -> {ast.unparse(node.returns)}" if node.returns is not None else ""
    return f"{prefix} {node.name}({ast.unparse(node.args)}){returns}"


def _python_outline(tree: ast.AST, depth: int = 1) -> list[str]:
    lines = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines.append(f"{'  ' * depth}{node.lineno}: {_signature(node)}")
        elif isinstance(node, ast.ClassDef):
            bases = ", ".join(ast.unparse(b) for b in node.bases)
            lines.append(f"{'  ' * depth}{node.lineno}: class {node.name}" + (f"({bases})" if bases else ""))
            lines.extend(_python_outline(node, depth + 1))
    return lines


def outline(path: str, source: str) -> list[str]:
    """The definitions in one file, a line each: ``  <line>: def name(args)``."""
    if path.endswith(".py"):
        tree = _parse(source)
        return _python_outline(tree) if tree is not None else []
    language = BRACE_LANGUAGES.get("." + path.rsplit(".", 1)[-1]) if "." in path else None
    if language is None:
        return []
    return [f"  {first}: {name}(...)" for name, first, _ in function_spans(source, language)]


def repo_map(files: Mapping[str, str], max_chars: int = MAX_MAP_CHARS, first: Sequence[str] = ()) -> str:
    """The map of ``files`` (path -> text): ``first`` (the files most likely relevant) in its
    order, then source before tests, cut to ``max_chars``: files past the budget are named in
    a last line with their count."""
    leading = list(dict.fromkeys(p for p in first if p in files))
    order = leading + sorted(set(files) - set(leading), key=lambda p: (is_test_file(p), p))
    out: list[str] = []
    used = 0
    for index, path in enumerate(order):
        block = "\n".join([path, *outline(path, files[path])])
        if used + len(block) + 1 > max_chars:
            if used + len(path) + 1 <= max_chars:  # the path alone still fits
                block = path
            else:
                out.append(f"... and {len(order) - index} more files")
                break
        out.append(block)
        used += len(block) + 1
    return "\n".join(out)


def enclosing(path: str, source: str, line: int,
              max_lines: int = MAX_FUNCTION_LINES) -> tuple[int, int] | None:
    """(first, last) line of the innermost function around ``line``, decorators included, or
    None (no function there, or one longer than ``max_lines``)."""
    spans: list[tuple[int, int]] = []
    if path.endswith(".py"):
        tree = _parse(source)
        if tree is None:
            return None
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                spans.append((first, node.end_lineno))
    else:
        language = BRACE_LANGUAGES.get("." + path.rsplit(".", 1)[-1]) if "." in path else None
        if language is None:
            return None
        spans = [(first, last) for _, first, last in function_spans(source, language)]
    around = [(a, b) for a, b in spans if a <= line <= b]
    if not around:
        return None
    first, last = min(around, key=lambda s: s[1] - s[0])
    return (first, last) if last - first + 1 <= max_lines else None
