"""Localization of a call its callee's signature refuses (Python).

A test that calls a project function with an argument the function does not take
(``TypeError: f() got an unexpected keyword argument 'steps'``, ``takes 2
positional arguments but 3 were given``, ``missing 1 required positional
argument``) stops at the call, in its own frame: no line of the project runs, so
neither coverage nor the stack has a line to rank. The error names the callee;
its definition is where the fault is: the signature first, then the body.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from rfsn.buildpacks.testfiles import is_test_file
from rfsn.planners.code.location import Location
from rfsn.planners.localize.definitions import parse_module

#: the callee a refused call names (qualified from Python 3.10: ``Version.__init__``)
REFUSED = re.compile(
    r"TypeError: (?P<name>[A-Za-z_][\w.]*)\(\) (?:got an unexpected keyword argument"
    r"|takes |missing \d+ required|got multiple values for|got some positional-only)"
)
#: definitions of one unqualified name beyond which the error does not say which is meant
MAX_DEFINITIONS = 3
BODY_WEIGHT = 0.5  # a body line, against 1 for a line of the signature


def refused_callees(output: str) -> list[str]:
    """Pure: the callees named by the refused calls of ``output``, first named first."""
    return list(dict.fromkeys(m["name"] for m in REFUSED.finditer(output)))


def ran_project(covered: Mapping[str, object]) -> bool:
    """Pure: whether a test's coverage (file -> lines) holds a line outside the test files."""
    return any(lines for path, lines in covered.items() if not is_test_file(path))


def _definitions(tree: ast.Module, name: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    """The functions (or, for a class called, its ``__init__`` or else the class) named
    ``name``: ``f``, ``Cls.f`` or ``Cls``."""
    *owner, last = name.split(".")
    found: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and (not owner or node.name == owner[-1]):
            found += [f for f in node.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and f.name == last]
            if node.name == last and not owner:  # ``Cls() takes no arguments``
                init = [f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"]
                found += init or [node]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not owner and node.name == last:
            found.append(node)
    return list(dict.fromkeys(found))


def _lines(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[tuple[int, float]]:
    """The signature's lines (score 1) and the body's (``BODY_WEIGHT``)."""
    body = node.body[0].lineno if node.body else node.lineno
    signature = range(node.lineno, max(body, node.lineno + 1))
    rest = range(body, (node.end_lineno or body) + 1) if not isinstance(node, ast.ClassDef) else range(0)
    return [*((n, 1.0) for n in signature), *((n, BODY_WEIGHT) for n in rest)]


def callee_definitions(output: str, files: Mapping[str, str]) -> list[Location]:
    """The lines of the project definitions of the callees ``output``'s refused calls name,
    signatures first; none for a name defined too often to say which is meant."""
    names = refused_callees(output)
    if not names:
        return []
    trees = {
        p: t
        for p, s in sorted(files.items())
        if p.endswith(".py") and not is_test_file(p) and (t := parse_module(s)) is not None
    }
    scored: dict[tuple[str, int], float] = {}
    for rank, name in enumerate(names):
        found = [(path, node) for path, tree in trees.items() for node in _definitions(tree, name)]
        if len(found) > MAX_DEFINITIONS:
            continue
        for path, node in found:
            for line, score in _lines(node):
                scored[(path, line)] = max(scored.get((path, line), 0.0), score / (rank + 1))
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
    return [Location(path, line, score) for (path, line), score in ranked]
