"""The code the failing tests are about: the source file a test file is named for, and in it the
definitions the tests' own words point to.

Projects name a test file for the module it tests (``tests/test_x.py`` for ``pkg/x.py``,
``foo_test.go`` for ``foo.go``); where every test runs the code at fault, neither coverage nor a
traceback singles it out, but that name does. A source file is linked when its name (a
package's directory for ``__init__``) is a word of the test file's name, allowing a plural or a
longer form, or else when the test file's words are all in its name; the path's other words add
by rarity, and the file nearest the test file comes first. Within linked files a definition is
scored by the words the failing tests' bodies (strings included) share with it, rarer words
more, its own name's double. With coverage, ``ran`` adds the linked files' definitions the
failing tests ran, most suspicious first: a helper of the tested module the test does not name.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from rfsn.buildpacks.testfiles import is_test_file
from rfsn.models.testfiles import JS_ID_SEP, test_id_file
from rfsn.planners.code.lexer import language_of
from rfsn.planners.code.sources import read_sources
from rfsn.planners.localize.callees import function_spans
from rfsn.planners.patch.explore.mentions import MAX_SHOWN_LINES, Definition

MAX_FILES = 2
MAX_DEFINITIONS = 6
_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: words of a test file's name that say it is a test, not what it tests
_TEST_WORDS = {"test", "tests", "testing", "spec", "specs", "unit", "py"}
#: words every definition may use: they say nothing about which one a test is about
_COMMON = {w.lower() for w in keyword.kwlist} | {"self", "cls", "this", "none", "true", "false", "return"}
#: a definition is shown when it scores at least this share of the best one
RELATIVE = 0.25
_MIN_PREFIX = 4  # shorter words must match exactly
_MIN_INSIDE = 6
#: a long definition is shown around the stretch of this many lines that shares most words
FOCUS = 10


def _words(text: str) -> list[str]:
    """``evaluate_xfail_marks`` -> evaluate, xfail, marks; ``addMarker`` -> add, marker."""
    return [w.lower() for w in _SPLIT.split(text) if len(w) >= 2]


def _alike(a: str, b: str) -> bool:
    """The same word, one the start of the other (``build``, ``builders``), or a long one
    inside the other (``rewrite``, ``assertrewrite``; not ``main`` in ``domain``)."""
    short, long = sorted((a, b), key=len)
    return (
        short == long
        or (len(short) >= _MIN_PREFIX and long.startswith(short))
        or (len(short) >= _MIN_INSIDE and short in long)
    )


def _own_name(path: str) -> list[str]:
    parts = path.rsplit(".", 1)[0].split("/")
    stem = parts[-2] if parts[-1] == "__init__" and len(parts) > 1 else parts[-1]
    return _words(stem)


def linked_files(test_path: str, files: Mapping[str, str], max_files: int = MAX_FILES) -> list[str]:
    """The source files ``test_path`` is named for, best first."""
    return _Paths(files).linked(test_path, max_files)


class _Paths:
    """The words of a project's source paths and how common each is, for linking test files."""

    def __init__(self, files: Iterable[str]) -> None:
        self.paths = [p for p in files if not is_test_file(p)]
        self.words = {p: set(_words(p.rsplit(".", 1)[0])) - {"init"} for p in self.paths}
        self.frequency = Counter(w for ws in self.words.values() for w in ws)
        self.own = {p: _own_name(p) for p in self.paths}

    def linked(self, test_path: str, max_files: int = MAX_FILES) -> list[str]:
        wanted = [w for w in _words(Path(test_path).name.rsplit(".", 1)[0]) if w not in _TEST_WORDS]
        if not wanted:
            return []
        scores = self._scores(wanted, lambda own: all(any(_alike(o, w) for w in wanted) for o in own))
        if not scores:  # no file named as the test is: one whose name holds the test's (cse_main.py)
            scores = self._scores(wanted, lambda own: all(any(_alike(o, w) for o in own) for w in wanted))
        # the nearest first: ``pkg/tests/test_x.py`` is named for ``pkg/x.py`` rather than for
        # ``other/xy.py``, however well the words match
        best = max(scores.values(), default=0.0)
        ranked = sorted(scores, key=lambda p: (-_shared(test_path, p), -scores[p], len(p), p))
        return [p for p in ranked if scores[p] >= 0.5 * best][:max_files]

    def _scores(self, wanted: list[str], named: Callable[[list[str]], bool]) -> dict[str, float]:
        """The paths whose own name ``named`` accepts, scored by the rarity of the test's words in them."""
        return {
            path: sum(
                max(
                    (math.log(1 + len(self.paths) / self.frequency[p]) for p in self.words[path] if _alike(w, p)),
                    default=0.0,
                )
                for w in wanted
            )
            for path in self.paths
            if self.own[path] and named(self.own[path])
        }


def _shared(a: str, b: str) -> int:
    """How many leading directories the paths ``a`` and ``b`` have in common."""
    n = 0
    for x, y in zip(a.split("/")[:-1], b.split("/")[:-1], strict=False):
        if x != y:
            break
        n += 1
    return n


def named_for(sources: Sequence[str], test_paths: Iterable[str], files: Mapping[str, str]) -> list[str]:
    """The test files named for ``sources`` (those ``linked_files`` links to one of them), in
    the order of the sources they are named for."""
    order = {path: n for n, path in enumerate(sources)}
    paths = _Paths(files)
    found: dict[str, int] = {}
    for test in test_paths:
        ranks = [order[p] for p in paths.linked(test) if p in order]
        if ranks:
            found[test] = min(ranks)
    return sorted(found, key=lambda t: (found[t], t))


def _test_text(source: str, path: str, parts: list[str]) -> str:
    """The source of the test named by ``parts`` (``[Class, method]``, ``[function]``) in
    ``source``, or its names alone when it cannot be found."""
    if path.endswith(".py"):
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return " ".join(parts)
        scope: ast.AST = tree  # the last name, inside the classes the id names
        for part in parts[:-1]:
            scope = next((n for n in ast.walk(scope) if isinstance(n, ast.ClassDef) and n.name == part), scope)
        definitions = (
            n for n in ast.walk(scope) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        )
        node = next((n for n in definitions if parts and n.name == parts[-1]), None)
        if node is None:
            return " ".join(parts)
        return "\n".join(ast.get_source_segment(source, n) or "" for n in [node, *_helpers(node, tree)])
    language = language_of(path)
    lines = source.splitlines()
    for fn, first, last in function_spans(source, language) if language else []:
        if parts and fn == parts[-1]:
            return "\n".join(lines[first - 1 : last])
    return " ".join(parts)


def _helpers(test: ast.AST, module: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The module's own functions ``test`` calls or takes as fixtures: a test's words are often
    in a helper (``getstatement(3, s)`` in pytest's ``test_source.py``)."""
    used = {n.func.id for n in ast.walk(test) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    if isinstance(test, ast.FunctionDef | ast.AsyncFunctionDef):
        used |= {a.arg for a in test.args.args}
    return [
        n
        for n in module.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name in used and n is not test
    ]


def _definitions(path: str, source: str) -> list[Definition]:
    """Functions and methods, not nested ones (a closure is shown in its function); a class
    with no methods as a whole."""
    language = language_of(path)
    if not path.endswith(".py"):
        return [Definition(path, n, a, b) for n, a, b in function_spans(source, language)] if language else []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    found: list[Definition] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            functions = isinstance(node, ast.ClassDef) and any(
                isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) for n in node.body
            )
            if functions:
                visit(node.body)  # type: ignore[attr-defined]
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                found.append(Definition(path, node.name, first, node.end_lineno or node.lineno))

    visit(tree.body)
    return found


def under_test(
    failing: Sequence[str], workspace: Path, files: Mapping[str, str], max_definitions: int = MAX_DEFINITIONS
) -> list[Definition]:
    """The definitions the ``failing`` tests (ids ``path::name``) are about, best first."""
    texts: dict[str, list[str]] = {}
    for test in _with_files(failing, workspace):
        path = test_id_file(test)
        try:
            source = (workspace / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        rest = test.split("[", 1)[0][len(path) :].replace(JS_ID_SEP, "::")
        names = [p for p in rest.split(":") if p]  # ``::Class::name``, a file-header runner's ``:name``
        texts.setdefault(path, []).append(_test_text(source, path, names))
    scored: dict[Definition, float] = {}
    for test_path, bodies in texts.items():
        asked = Counter(
            w for body in bodies for ident in _IDENT.findall(body) for w in _words(ident) if w not in _COMMON
        )
        for path in linked_files(test_path, files):
            definitions = _definitions(path, files[path])
            vocab = {d: set(_words(" ".join(_IDENT.findall(_span(files[path], d))))) for d in definitions}
            frequency = Counter(w for ws in vocab.values() for w in ws)
            for d in definitions:
                weight = {w: math.log(1 + len(definitions) / frequency[w]) for w in vocab[d] & asked.keys()}
                named = set(_words(d.name))
                score = sum(weight.values()) + sum(v for w, v in weight.items() if w in named)
                size = d.last - d.first + 1
                if size > MAX_SHOWN_LINES:  # a long one is shown around the line that shares most
                    d = replace(d, focus=_focus(files[path], d, weight))
                scored[d] = max(scored.get(d, 0.0), score / math.log(2 + size))
    best = max(scored.values(), default=0.0)
    ranked = sorted(
        (d for d, s in scored.items() if s > 0 and s >= RELATIVE * best), key=lambda d: (-scored[d], d.path, d.first)
    )
    return ranked[:max_definitions]


def ran(
    failing: Sequence[str],
    workspace: Path,
    files: Mapping[str, str],
    suspicious: Mapping[tuple[str, int], float],
    max_definitions: int = MAX_DEFINITIONS,
) -> list[Definition]:
    """The definitions of the files the ``failing`` tests' files are named for that hold a
    ``suspicious`` line (``{(file, line): score}``: lines the failing tests ran), by their
    most suspicious line, a long one focused on it."""
    linked = dict.fromkeys(
        path for test in _with_files(failing, workspace) for path in linked_files(test_id_file(test), files)
    )
    scored: dict[Definition, float] = {}
    for path in linked:
        for d in _definitions(path, files[path]):
            lines = [
                (score, line) for line in range(d.first, d.last + 1) if (score := suspicious.get((path, line), 0.0)) > 0
            ]
            if lines:
                score, line = max(lines)
                scored[replace(d, focus=line) if d.last - d.first + 1 > MAX_SHOWN_LINES else d] = score
    return sorted(scored, key=lambda d: (-scored[d], d.path, d.first))[:max_definitions]


def _with_files(failing: Sequence[str], workspace: Path) -> list[str]:
    """The ids, a bare test name (a bare-name runner reports ``test_x``) as
    ``path::name`` of the test file that defines it."""
    bare = {t for t in failing if "::" not in t and "/" not in t and _IDENT.fullmatch(t)}
    where: dict[str, str] = {}
    if bare:
        pattern = re.compile(rf"^\s*(?:async\s+)?(?:def|function|func|fn)\s+({'|'.join(map(re.escape, bare))})\b", re.M)
        for path, source in read_sources(workspace, "", tests=True).items():
            for match in pattern.finditer(source):
                where.setdefault(match.group(1), path)
    return [f"{where[t]}::{t}" if t in where else t for t in failing]


def _focus(source: str, d: Definition, weight: Mapping[str, float]) -> int:
    """The middle of the stretch of ``d``'s body (``FOCUS`` lines, its first line aside: that is
    always shown) whose words weigh most."""
    lines = source.splitlines()[d.first : d.last]
    totals = [sum(weight.get(w, 0.0) for w in set(_words(" ".join(_IDENT.findall(line))))) for line in lines]
    if not totals:
        return 0
    windows = [sum(totals[n : n + FOCUS]) for n in range(max(1, len(totals) - FOCUS + 1))]
    best = max(range(len(windows)), key=lambda n: (windows[n], -n))
    return d.first + 1 + best + FOCUS // 2


def _span(source: str, d: Definition) -> str:
    return "\n".join(source.splitlines()[d.first - 1 : d.last])
