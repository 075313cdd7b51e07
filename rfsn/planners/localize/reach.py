"""How the failing tests reach a line: through their own calls, or only implicitly (Python).

Per-test coverage counts every line a test ran, also lines no test code asked for: a
module-level ``__getattr__`` that an attribute probe runs, the deprecation warning it
raises, the helpers behind it. ``with_reach`` keeps the score of the lines of functions
the failing tests reach by name and scales the others by ``UNREACHED``. Reached are: the
failing tests' own code (their function, their class, the fixtures they take, their
module's top level); every definition named in reached code (a name, an attribute, a
string: names, not types, so it errs towards reached); the dunder methods of a reached
class (the interpreter calls those); a function whose decorator names something reached.
Lines in the failing tests' tracebacks are reached, and so are lines outside any function.
A failing test whose code is not found (a doctest, another runner's id), or tests that
name none of the ranked functions (they call them through values), leave the ranking as
it is: there is nothing to tell their calls from the rest.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from rfsn.models.testfiles import test_id_file
from rfsn.planners.code.location import Location
from rfsn.planners.localize.definitions import parse_module

#: what a line keeps of its score when no failing test reaches its function by name
UNREACHED = 0.1

_Def = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def _names(nodes: Iterable[ast.AST]) -> set[str]:
    """Every name, attribute and identifier-like string used in ``nodes``."""
    found: set[str] = set()
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                found.add(sub.id)
            elif isinstance(sub, ast.Attribute):
                found.add(sub.attr)
            elif isinstance(sub, ast.arg):
                found.add(sub.arg)  # a test's parameter names its fixture
            elif isinstance(sub, ast.alias):
                found.add((sub.asname or sub.name).rsplit(".", 1)[-1])
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and _IDENTIFIER.fullmatch(sub.value):
                found.add(sub.value)
    return found


def _uses(node: ast.AST) -> set[str]:
    """The names a definition uses: a function's whole text; a class's bases, decorators
    and body outside its methods; a statement's text."""
    if isinstance(node, ast.ClassDef):
        own = [s for s in node.body if not isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]
        return _names([*node.bases, *node.keywords, *node.decorator_list, *own])
    return _names([node])


class _Program:
    """The definitions of a project and its tests, by name, with the lines they span."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.trees = {
            path: tree
            for path, text in files.items()
            if path.endswith(".py") and (tree := parse_module(text)) is not None
        }
        self.by_name: dict[str, list[ast.AST]] = defaultdict(list)
        self.decorated: dict[str, list[ast.AST]] = defaultdict(list)  # decorator name -> functions
        self.dunders: dict[ast.AST, list[ast.AST]] = {}
        self.spans: dict[str, list[tuple[int, int, ast.AST]]] = defaultdict(list)
        for path, tree in self.trees.items():
            for node in ast.walk(tree):
                if isinstance(node, _Def):
                    self.by_name[node.name].append(node)
                    self.spans[path].append((node.lineno, node.end_lineno or node.lineno, node))
                    for name in _names(node.decorator_list):
                        self.decorated[name].append(node)
                if isinstance(node, ast.ClassDef):
                    self.dunders[node] = [
                        s
                        for s in node.body
                        if isinstance(s, _Def) and s.name.startswith("__") and s.name.endswith("__")
                    ]
                if isinstance(node, ast.Module | ast.ClassDef):  # a table of handlers, a constant
                    for stmt in node.body:
                        targets = (
                            stmt.targets
                            if isinstance(stmt, ast.Assign)
                            else ([stmt.target] if isinstance(stmt, ast.AnnAssign | ast.AugAssign) else [])
                        )
                        for target in targets:
                            if isinstance(target, ast.Name):
                                self.by_name[target.id].append(stmt)

    def seeds(self, test_id: str) -> list[ast.AST] | None:
        """The test's own code: its function (or its class), and its module's top level and
        fixtures; None when not found."""
        tree = self.trees.get(test_id_file(test_id))
        parts = [p.split("[", 1)[0] for p in test_id.split("::")[1:]]
        if tree is None or not parts:
            return None
        scope: list[ast.stmt] = tree.body
        found: ast.AST | None = None
        for part in parts[:2]:  # a class holding the test (unittest's setUp too), or the function
            found = next((s for s in scope if isinstance(s, _Def) and s.name == part), None)
            if found is None or not isinstance(found, ast.ClassDef):
                break
            scope = found.body
        if found is None:
            return None
        top = [s for s in tree.body if not isinstance(s, _Def) or "fixture" in _names(s.decorator_list)]
        return [found, *top]

    def reached(self, seeds: Iterable[ast.AST]) -> set[ast.AST]:
        done: set[ast.AST] = set()
        names_done: set[str] = set()
        queue = list(seeds)
        while queue:
            node = queue.pop()
            if node in done:
                continue
            done.add(node)
            queue += self.dunders.get(node, [])
            for name in _uses(node) - names_done:
                names_done.add(name)
                queue += self.by_name.get(name, []) + self.decorated.get(name, [])
        return done

    def innermost(self, path: str, line: int) -> ast.AST | None:
        around = [(end - start, node) for start, end, node in self.spans.get(path, ()) if start <= line <= end]
        return min(around, key=lambda item: item[0])[1] if around else None


def with_reach(
    locations: list[Location],
    files: Mapping[str, str],
    tests: Mapping[str, str],
    failing: Iterable[str],
    keep: Collection[tuple[str, int]] = (),
) -> list[Location]:
    """``locations`` with the lines of functions no failing test reaches by name scaled by
    ``UNREACHED`` (``keep``: lines that stay, the failing tests' own frames), best first;
    unchanged when a failing test's code is not found."""
    failing = list(failing)
    own = {test_id_file(t) for t in failing}
    program = _Program(
        {**files, **{p: t for p, t in tests.items() if p in own or p.rsplit("/", 1)[-1] == "conftest.py"}}
    )
    seeds = [program.seeds(t) for t in failing]
    if not seeds or any(s is None for s in seeds):
        return locations
    reached = program.reached(node for found in seeds if found for node in found)
    owners = [program.innermost(loc.file, loc.line) if loc.file in files else None for loc in locations]
    if not any(owner in reached for owner in owners if owner is not None):
        return locations  # the tests reach the ranked code only through values: no telling
    scaled = [
        loc._replace(score=loc.score * UNREACHED)
        if owner is not None and owner not in reached and (loc.file, loc.line) not in keep
        else loc
        for loc, owner in zip(locations, owners, strict=True)
    ]
    return sorted(scaled, key=lambda loc: -loc.score)
