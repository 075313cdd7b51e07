"""The code a problem statement points to: what it names, found in the repository and shown.

An issue names things (a function or class, a dotted path, a file, a traceback frame, a link to
a line) and quotes what the program printed. Each definition of the project (``ast`` for
Python, the brace parser otherwise) is scored by the names the text gives it, each weighted by
its rarity in the project and doubled in code spans and tracebacks; a file the text names adds
to everything in it; a string literal the text quotes points to its definition and line. The
best definitions are shown whole, or around what the text points to, within a character
budget: localization from the text alone, as Agentless' first step, before a test fails.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from rfsn.planners.code.lexer import language_of
from rfsn.planners.localize.callees import function_spans
from rfsn.planners.patch.explore.quotes import quoted

MAX_CHARS = 8000
MAX_SHOWN_LINES = 60
MAX_DEFINITIONS = 12
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
#: a name no English word is: a capital, an underscore or a digit in it
_IDENTIFIER = re.compile(r"[A-Z_0-9]")
_CALLED = re.compile(r"([A-Za-z_]\w*)\(")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_PATH = re.compile(r"[\w./-]+\.(?:py|js|mjs|cjs|ts|go|rs|java|c|h|cpp)\b")
_CODE = re.compile(r"`([^`\n]+)`|^(?: {4}|\t|>>> ).*$", re.M)
#: a ``def``/``class`` line: the name is followed by its parameters or bases, or the colon (a
#: docstring's line that starts "class for all ..." is prose, not a definition of ``for``)
_PY_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)[ \t]*[(:]", re.M)
_FRAME = re.compile(r'File "([^"]+)", line (\d+)(?:, in (\w+))?')
#: a link to a line of a file in a repository browser: ``.../blob/<rev>/pkg/util.py#L33``
_ANCHOR = re.compile(r"([\w./-]+\.(?:py|js|mjs|cjs|ts|go|rs|java|c|h|cpp))#L(\d+)\b")


@dataclass(frozen=True)
class Definition:
    path: str
    name: str
    first: int
    last: int
    #: the line that made it chosen, where a long one is shown (0: its first lines)
    focus: int = 0


def _defined(files: Mapping[str, str], names: set[str]) -> list[Definition]:
    """Each definition of one of ``names`` (a Python one with ``last`` unknown: -1). A pattern
    finds Python's ``def``/``class`` lines: parsing every file of a large project would take
    seconds, and only the few chosen need their extent."""
    found: list[Definition] = []
    for path, source in files.items():
        if path.endswith(".py"):
            found += [
                Definition(path, m.group(1), source.count("\n", 0, m.start()) + 1, -1)
                for m in _PY_DEF.finditer(source)
                if m.group(1) in names
            ]
        elif (language := language_of(path)) is not None and names & set(_WORD.findall(source)):
            found += [
                Definition(path, name, first, last)
                for name, first, last in function_spans(source, language)
                if name in names
            ]
    return found


def _python_nodes(source: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]


def _extent(d: Definition, nodes: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]) -> Definition:
    """``d`` with its first line (decorators included) and last line, from the file's syntax tree."""
    if d.last >= 0:
        return d
    for node in nodes:
        if node.lineno == d.first and node.name == d.name:
            first = min([node.lineno, *(x.lineno for x in node.decorator_list)])
            return Definition(d.path, d.name, first, node.end_lineno or node.lineno)
    return Definition(d.path, d.name, d.first, d.first)


def _around(
    path: str,
    line: int,
    nodes: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef],
) -> Definition | None:
    """The innermost definition around ``line`` (a traceback frame, a quoted string), focused on it."""
    around = [n for n in nodes if n.lineno <= line <= (n.end_lineno or n.lineno)]
    if not around:
        return None
    node = min(around, key=lambda n: (n.end_lineno or n.lineno) - n.lineno)
    return Definition(
        path,
        node.name,
        min([node.lineno, *(x.lineno for x in node.decorator_list)]),
        node.end_lineno or node.lineno,
        line,
    )


def _terms(text: str) -> dict[str, float]:
    """Each name the text gives, with its weight: 1, or 2 inside code (spans, indented or
    doctest lines) and tracebacks; a lowercase word of the prose that is not called there
    (``word(``) counts half: most are English ("states", "positive", "complex"), yet a project
    defines some of them, so they weigh less than a name the prose gives in its code's case."""
    weights: dict[str, float] = defaultdict(float)
    code = " ".join(m.group(0) for m in _CODE.finditer(text))
    code += " " + " ".join(f"{m.group(1)} {m.group(3) or ''}" for m in _FRAME.finditer(text))
    called = set(_CALLED.findall(text))
    for chunk, prose in ((text, True), (code, False)):
        for word in set(_WORD.findall(chunk)):
            weights[word] += 0.5 if prose and not (_IDENTIFIER.search(word) or word in called) else 1.0
        for dotted in set(_DOTTED.findall(chunk)):
            weights[dotted] += 1.0
    return weights


def _file_weights(text: str, files: Mapping[str, str], terms: Mapping[str, float]) -> dict[str, float]:
    """Files the text names: by path (its tail suffices) or as a dotted module."""
    weights: dict[str, float] = defaultdict(float)
    named = {p.lstrip("./") for p in _PATH.findall(text)} | {m.group(1) for m in _FRAME.finditer(text)}
    for path in files:
        if any(path.endswith(n.lstrip("/")) or n.endswith("/" + path) for n in named if "/" in n or n == path):
            weights[path] += 3.0
        module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        tails = {module, module.split(".", 1)[-1]} if "." in module else {module}
        if any(t in terms for t in tails if "." in t):
            weights[path] += 2.0
    return weights


def _lines_named(text: str, files: Mapping[str, str]) -> list[tuple[str, int, float]]:
    """The lines of ``files`` that ``text`` names (a frame, a link to a line) or quotes, each with its weight."""
    around: list[tuple[str, int, float]] = []
    for frame in [*_FRAME.finditer(text), *_ANCHOR.finditer(text)]:  # a frame or a link to a line
        named_path = "/" + frame.group(1).lstrip("/")
        path = max((p for p in files if named_path.endswith("/" + p)), key=len, default=None)
        if path:
            around.append((path, int(frame.group(2)), 2.0))
    around += [(path, line, weight) for (path, line), weight in quoted(text, files).items() if path.endswith(".py")]
    return around


def pointed_to(text: str, files: Mapping[str, str], max_definitions: int = MAX_DEFINITIONS) -> list[Definition]:
    """The definitions ``text`` points to, best first."""
    if not text.strip():
        return []
    terms = _terms(text)
    dotted: dict[str, float] = defaultdict(float)  # pkg.mod.func gives func its weight too
    for term, weight in terms.items():
        if "." in term:
            dotted[term.rsplit(".", 1)[1]] += weight
    found = _defined(files, set(terms) | set(dotted))
    by_name: dict[str, int] = defaultdict(int)
    for d in found:
        by_name[d.name] += 1
    in_file = _file_weights(text, files, terms)
    scored: dict[Definition, float] = {}
    for d in found:
        score = (terms.get(d.name, 0.0) + dotted.get(d.name, 0.0)) / by_name[d.name]
        scored[d] = score + 0.5 * in_file.get(d.path, 0.0)
    nodes: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]] = {}

    def parsed(path: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
        if path not in nodes:
            nodes[path] = _python_nodes(files[path]) if path.endswith(".py") else []
        return nodes[path]

    for path, line, weight in _lines_named(text, files):
        inner = _around(path, line, parsed(path))
        if inner is None:
            continue
        same = next(
            (
                d
                for d in scored
                if (d.path, d.name) == (inner.path, inner.name) and inner.first <= d.first <= inner.last
            ),
            None,
        )  # found by name, or focused before
        score = scored.pop(same) if same is not None else 0.5 * in_file.get(path, 0.0)
        scored[same if same is not None and same.focus else inner] = score + weight
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0].path, item[0].first))
    chosen: list[Definition] = []
    for d, _ in ranked[: 4 * max_definitions]:
        d = _extent(d, parsed(d.path))
        first, last = shown_lines(d)
        if any(c.path == d.path and shown_lines(c)[0] <= first and last <= shown_lines(c)[1] for c in chosen):
            continue  # already shown inside an enclosing one
        chosen.append(d)
        if len(chosen) >= max_definitions:
            break
    return chosen


def render(found: list[Definition], files: Mapping[str, str], max_chars: int = MAX_CHARS) -> str:
    """The definitions as prompt sections, numbered, within ``max_chars`` (empty for none)."""
    return "\n\n".join(_block(d, files) for d in within(found, files, max_chars))


def within(found: list[Definition], files: Mapping[str, str], max_chars: int = MAX_CHARS) -> list[Definition]:
    """Those of ``found`` that `render` shows in ``max_chars`` (one that does not fit is passed over)."""
    kept: list[Definition] = []
    used = 0
    for d in found:
        size = len(_block(d, files))
        if used + size <= max_chars:
            kept.append(d)
            used += size
    return kept


def _block(d: Definition, files: Mapping[str, str]) -> str:
    lines = files[d.path].splitlines()
    first, last = shown_lines(d)
    head = f"{d.first:5d}  {lines[d.first - 1]}\n      ... ({first - d.first - 1} lines)\n" if first > d.first else ""
    body = "\n".join(f"{n:5d}  {lines[n - 1]}" for n in range(first, last + 1))
    more = f"\n      ... ({d.last - last} more lines)" if last < d.last else ""
    return f"### {d.path}: {d.name} (lines {d.first}-{d.last})\n{head}{body}{more}"


def shown_lines(d: Definition) -> tuple[int, int]:
    """The lines of ``d`` a prompt shows: all of it, or ``MAX_SHOWN_LINES`` of a long one, from
    its start or, with a focus, around that line (a third before it, the rest after)."""
    if d.last - d.first < MAX_SHOWN_LINES:
        return d.first, d.last
    first = d.first
    if d.focus > d.first + MAX_SHOWN_LINES // 3:
        first = min(d.focus - MAX_SHOWN_LINES // 3, d.last - MAX_SHOWN_LINES + 1)
    return first, first + MAX_SHOWN_LINES - 1


def files_named(text: str, files: Mapping[str, str], pointed: list[Definition]) -> list[str]:
    """The files ``text`` points to, best first: those of the definitions it points to, then
    those whose directory or file name it uses as a word (a rarer name counts for more:
    ``autodoc`` names a few files, ``utils`` many)."""
    words = {w.lower() for w in _WORD.findall(text)}
    parts = {path: {p.lower() for p in path.rsplit(".", 1)[0].split("/")} - {"__init__"} for path in files}
    count: dict[str, int] = defaultdict(int)
    for names in parts.values():
        for name in names:
            count[name] += 1
    score = {path: sum(1 / count[n] for n in names & words) for path, names in parts.items()}
    ranked = sorted((p for p, s in score.items() if s > 0), key=lambda p: (-score[p], p))
    return list(dict.fromkeys([d.path for d in pointed] + ranked))
