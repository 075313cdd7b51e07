"""What per-test coverage cannot see: code that runs at import time.

Module-level constants, class attributes and function signatures (default
values) execute when a module is imported, before any test starts, so no
test's coverage context contains them. A fault there shows up in the lines
that *use* them. ``with_definitions`` adds, for each suspicious line, the
module-level definitions of the names it uses and the signature of its
enclosing function, at a fraction of its score.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Mapping

from rfsn.models.testfiles import is_test_file
from rfsn.planners.localize.location import Location

MAX_DEFINITION_LINES = 20


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def definitions(files: Mapping[str, str]) -> dict[str, list[tuple[str, int]]]:
    """name -> every (file, line) of a module-level or class-level assignment to it."""
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for path, source in files.items():
        tree = _parse(source) if path.endswith(".py") and not is_test_file(path) else None
        bodies = [tree.body] if tree else []
        bodies += [node.body for node in (tree.body if tree else []) if isinstance(node, ast.ClassDef)]
        for body in bodies:
            for stmt in body:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else (
                    [stmt.target] if isinstance(stmt, ast.AnnAssign | ast.AugAssign) else [])
                end = min(stmt.end_lineno or stmt.lineno, stmt.lineno + MAX_DEFINITION_LINES - 1)
                for target in targets:
                    if isinstance(target, ast.Name):
                        found[target.id] += [(path, n) for n in range(stmt.lineno, end + 1)]
    return found


def _names_and_signature(tree: ast.Module, line: int) -> tuple[set[str], int | None]:
    names: set[str] = set()
    signature = None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            if node.body[0].lineno <= line <= (node.end_lineno or line):
                signature = node.lineno if signature is None or node.lineno > signature else signature
        elif getattr(node, "lineno", None) == line:
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
    return names, signature


def with_definitions(locations: list[Location], files: Mapping[str, str], top: int = 30,
                     factor: float = 0.8) -> list[Location]:
    """``locations`` plus the import-time code their top lines depend on, best first."""
    index = definitions(files)
    scores = {(loc.file, loc.line): loc.score for loc in locations}
    trees: dict[str, ast.Module | None] = {}
    for loc in sorted(locations, key=lambda loc: -loc.score)[:top]:
        if loc.file not in trees:
            trees[loc.file] = _parse(files[loc.file]) if loc.file in files else None
        tree = trees[loc.file]
        if tree is None:
            continue
        names, signature = _names_and_signature(tree, loc.line)
        extra = [where for name in sorted(names) for where in index.get(name, ())]  # sorted: a set's order varies with the hash seed
        if signature is not None:
            extra.append((loc.file, signature))
        for where in extra:
            if scores.get(where, -1.0) < loc.score * factor:
                scores[where] = loc.score * factor
    ranked = sorted(scores.items(), key=lambda item: -item[1])  # stable: ties keep their order
    return [Location(path, line, score) for (path, line), score in ranked]
