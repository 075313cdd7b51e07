"""The repository map: each file with the classes and function signatures it defines.

Python files are read with ``ast`` (nested classes and methods indented under
their class); files in other languages list the functions rfsn's brace parser
finds; a file that does not parse is listed by its path alone. Outlines stop
at a character budget; past it every other file is still named, a line per
directory (``pkg/sub/: a.py, b.py``), test files last, up to a second budget,
so the model can ask for any file by name and a large repository still fits
in a prompt. ``enclosing`` gives the whole function around a line, for showing the
code a localization chose instead of a fixed window.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from rfsn.buildpacks.testfiles import is_test_file
from rfsn.planners.code.lexer import language_of
from rfsn.planners.localize.callees import function_spans

MAX_MAP_CHARS = 12000
#: the names of the files past the outlines' budget
MAX_INDEX_CHARS = 16000
MAX_FUNCTION_LINES = 80


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
    language = language_of(path)
    if language is None:
        return []
    return [f"  {first}: {name}(...)" for name, first, _ in function_spans(source, language)]


def repo_map(
    files: Mapping[str, str],
    max_chars: int = MAX_MAP_CHARS,
    first: Sequence[str] = (),
    max_index_chars: int = MAX_INDEX_CHARS,
) -> str:
    """The map of ``files`` (path -> text): ``first`` (the files most likely relevant) in its
    order, then source before tests, with outlines up to ``max_chars``; the files past that
    are named by directory up to ``max_index_chars``, and the rest counted in a last line."""
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
                return "\n".join([*out, *_index(order[index:], order, max_index_chars)])
        out.append(block)
        used += len(block) + 1
    return "\n".join(out)


def _index(paths: Sequence[str], every: Sequence[str], max_chars: int) -> list[str]:
    """``paths`` a line per directory, then a count of those past ``max_chars``. Sources come
    first, and among them Python packages (folders with an ``__init__.py``) before the rest
    (documentation examples, scripts), so a budget spent on those never hides the code."""
    packages = {p.rpartition("/")[0] for p in every if p.rpartition("/")[2] == "__init__.py"}
    folders: dict[tuple[bool, bool, str], list[str]] = {}
    for path in paths:
        folder, _, name = path.rpartition("/")
        loose = path.endswith(".py") and folder not in packages
        folders.setdefault((is_test_file(path), loose, folder), []).append(name)
    lines = ["Other files, by directory:"]
    used, named = len(lines[0]), 0
    for (_, _, folder), names in sorted(folders.items()):
        line = f"{folder}/:" if folder else "./:"
        kept = 0
        for name in sorted(names):  # a long directory is cut, not dropped
            if used + len(line) + len(name) + 3 > max_chars:
                break
            line += f"{',' if kept else ''} {name}"
            kept += 1
        if not kept:
            break
        lines.append(line)
        used += len(line) + 1
        named += kept
    if named < len(paths):
        lines.append(f"... and {len(paths) - named} more files (list_dir shows them)")
    return lines


def enclosing(path: str, source: str, line: int, max_lines: int = MAX_FUNCTION_LINES) -> tuple[int, int] | None:
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
        language = language_of(path)
        if language is None:
            return None
        spans = [(first, last) for _, first, last in function_spans(source, language)]
    around = [(a, b) for a, b in spans if a <= line <= b]
    if not around:
        return None
    first, last = min(around, key=lambda s: s[1] - s[0])
    return (first, last) if last - first + 1 <= max_lines else None
