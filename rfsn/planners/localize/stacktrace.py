"""Localization from failing-test output for languages without per-test coverage.

Frames are parsed from Node (``at fn (/testbed/src/cart.js:12:5)``), Rust panics
(``panicked at src/lib.rs:12:5:``), Go (``foo_test.go:12:``, ``/pkg/foo.go:12 +0x1f`` and,
inlined, ``/pkg/foo.go:12``),
Java (``at com.x.Y.m(Y.java:12)``) and Python output. Source frames rank by order
of appearance (the innermost, first-printed frame first); frames in test files are
ranked below them. A warning's location (``x.py:12: DeprecationWarning: ...``) is no
frame. Without any source frame, lines of source files that mention
identifiers named in the failing tests or their messages are ranked instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rfsn.buildpacks.testfiles import is_test_code, is_test_file
from rfsn.planners.code.location import Location
from rfsn.planners.localize.tracebacks import WARNING, traceback_frames

_EXT = r"(?:[cm]?[jt]sx?|rs|go|java|kt|c|cc|cpp|h|hpp|py)"
_PATTERNS = (
    re.compile(rf"\bat (?:[^\s(]+ )?\(?(?:file://)?(?P<path>[^\s():]+\.{_EXT}):(?P<line>\d+)(?::\d+)?\)?"),
    re.compile(r"panicked at (?:'.*?', |\".*?\", )?(?P<path>[^\s:']+\.rs):(?P<line>\d+)(?::\d+)?"),
    # older rustc: a multi-line panic message ends with "', src/x.rs:LINE:COL"
    re.compile(r"['\"], (?P<path>[^\s:'\"]+\.rs):(?P<line>\d+):\d+\s*$", re.M),
    # a Go frame ends in its offset, or nothing where the call was inlined (``f(...)``)
    re.compile(rf"^\s+(?P<path>[^\s:]+\.{_EXT}):(?P<line>\d+)(?::\d+)?(?: \+0x[0-9a-f]+|:|$)", re.M),
    re.compile(r"\bat [\w$.<>]+\((?P<path>[\w$]+\.(?:java|kt)):(?P<line>\d+)\)"),
    re.compile(rf"-->\s+(?P<path>[^\s:]+\.{_EXT}):(?P<line>\d+)"),
)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{3,}")
_STOP = {"test", "tests", "should", "when", "with", "then", "that", "this", "from", "true",
         "false", "null", "none", "undefined", "expected", "actual", "assert", "equal",
         "error", "panicked", "thread", "main", "left", "right", "return", "returns"}  # fmt: skip


def _relative(path: str, root: str | None, known: Iterable[str]) -> str | None:
    path = path.replace("\\", "/").removeprefix("file://")
    if root and path.startswith(root.rstrip("/") + "/"):
        return path[len(root.rstrip("/")) + 1 :]
    if not path.startswith("/") and "node_modules/" not in path and "/rustc/" not in path:
        path = path.removeprefix("./")
        if not known or path in known:
            return path
    # Java frames and Go test lines name only the file: resolve against known files
    name = path.rsplit("/", 1)[-1]
    matches = [k for k in known if k == name or k.endswith("/" + name)]
    return matches[0] if len(matches) == 1 else None


def stack_frames(output: str, root: str | None = "/testbed", known_files: Iterable[str] = ()) -> list[tuple[str, int]]:
    """Every (repo-relative file, line) frame in the output, in order of appearance."""
    known = sorted(known_files)
    hits = [
        (m.start(), m["path"], int(m["line"]))
        for p in _PATTERNS
        for m in p.finditer(output)
        if not WARNING.match(output, m.end())
    ]
    frames: dict[tuple[str, int], None] = {}
    for _, path, line in sorted(hits):
        rel = _relative(path, root, known)
        if rel is not None and "node:internal" not in path:
            frames.setdefault((rel, line))
    for frame in traceback_frames(output, root, include_tests=True):
        frames.setdefault(frame)
    return list(frames)


def rank_frames(
    frames: list[tuple[str, int]], exclude_tests: bool = False, files: Mapping[str, str] | None = None
) -> list[Location]:
    """Source frames first (earlier printed = more suspicious), then test frames."""
    tests = [f for f in frames if is_test_code(*f, files or {})]
    source = [f for f in frames if f not in tests]
    tests = [] if exclude_tests else tests
    n = len(source) + len(tests)
    ranked = [*source, *tests]
    return [Location(f, line, (n - i) / n) for i, (f, line) in enumerate(ranked)]


def identifiers(texts: Iterable[str]) -> list[str]:
    """Identifier-like words of test names and messages (camelCase and snake_case kept)."""
    words: dict[str, None] = {}
    for text in texts:
        for word in _IDENT.findall(text):
            if word.lower() not in _STOP:
                words.setdefault(word)
    return list(words)


def rank_by_identifiers(files: Mapping[str, str], names: Iterable[str], limit: int = 50) -> list[Location]:
    """Lines of source files mentioning the given identifiers (rarer names weigh more)."""
    names = list(names)
    sources = {p: t for p, t in files.items() if not is_test_file(p)}
    freq = {n: sum(t.count(n) for t in sources.values()) for n in names}
    scored = []
    for path, text in sorted(sources.items()):
        for lineno, line in enumerate(text.splitlines(), 1):
            if is_test_code(path, lineno, files):
                continue
            score = sum(1.0 / freq[n] for n in names if freq[n] and re.search(rf"\b{n}\b", line))
            if score:
                scored.append((-score, path, lineno))
    top = sorted(scored)[:limit]
    best = -top[0][0] if top else 1.0
    return [Location(path, line, -s / best) for s, path, line in top]


def localize_from_output(
    output: str,
    files: Mapping[str, str],
    failing_tests: Iterable[str] = (),
    root: str | None = "/testbed",
) -> list[Location]:
    """Ranked locations from test output; identifier fallback when no source frame."""
    frames = stack_frames(output, root, files.keys())
    ranked = rank_frames([f for f in frames if f[0] in files] if files else frames, files=files)
    if any(not is_test_code(loc.file, loc.line, files) for loc in ranked):
        return ranked
    names = identifiers([*failing_tests, *_messages(output)])
    fallback = rank_by_identifiers(files, names)
    return [*fallback, *(Location(loc.file, loc.line, loc.score * 0.01) for loc in ranked)]


def _messages(output: str) -> list[str]:
    keep = re.compile(r"(assert|expected|panicked|Error|error|FAIL|not ok)", re.I)
    return [line for line in output.splitlines() if keep.search(line)][:50]
