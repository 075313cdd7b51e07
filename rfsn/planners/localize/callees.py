"""Localization from what the failing tests call (brace languages: JS/TS, Rust, Go, Java, C).

Test code is a test file or a Rust ``#[cfg(test)]`` region inside a source file.

Assertion failures point into the test, not into the code under test. The
test code around those frames names the functions it exercises; their
bodies are where the fault is likely to be. Each body line is scored by how
many failing tests' frames name its function: fully when the frame's own line
names it (the call whose result the assertion rejected), by half when only the
lines above it do (the set-up).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rfsn.buildpacks.testfiles import is_test_code
from rfsn.planners.code.lexer import Token, code_tokens, language_of, tokenize
from rfsn.planners.code.location import Location
from rfsn.planners.localize.stacktrace import stack_frames

WINDOW = 12  # test lines read above each frame
SETUP_WEIGHT = 0.5  # a name only in the lines above a frame, against 1 on the frame's line
_DEFINITION = re.compile(
    r"(?:function\s*\*?\s*(?P<a>\w+)"  # function name(
    r"|(?:const|let|var)\s+(?P<b>\w+)\s*=\s*(?:async\s*)?(?:function|\([^)]*\)\s*=>|\w+\s*=>)"
    r"|\bfn\s+(?P<c>\w+)"  # Rust
    r"|\bfunc\s+(?:\([^)]*\)\s*)?(?P<d>\w+)"  # Go
    r"|^\s*(?:(?:public|private|protected|static|async|get|set)\s+)*(?P<e>\w+)\s*\([^;{]*\)\s*(?:->\s*[^{]+)?\{)",
    re.M,
)
_KEYWORDS = {"if", "for", "while", "switch", "catch", "return", "function", "new", "typeof"}


def _body_brace(tokens: list[Token], after: int) -> int | None:
    """Index of the ``{`` opening the body: the first one after the balanced parameter list."""
    i = next((k for k, t in enumerate(tokens) if t.start >= after and t.text == "("), None)
    if i is None:
        return None
    depth = 0
    for k in range(i, len(tokens)):
        depth += {"(": 1, ")": -1}.get(tokens[k].text, 0)
        if depth == 0:
            return next((j for j in range(k + 1, len(tokens)) if tokens[j].text == "{"), None)
    return None


def _closing_line(tokens: list[Token], open_index: int) -> int:
    depth = 0
    for token in tokens[open_index:]:
        depth += {"{": 1, "}": -1}.get(token.text, 0)
        if depth == 0:
            return token.line
    return tokens[-1].line


def function_spans(source: str, language: str) -> list[tuple[str, int, int]]:
    """(name, first line, last line) of every function-like block in ``source``."""
    tokens = code_tokens(tokenize(source, language))
    spans = []
    for match in _DEFINITION.finditer(source):
        group = next(g for g in _DEFINITION.groupindex if match.group(g))
        name = match.group(group)
        if name in _KEYWORDS:
            continue
        brace = _body_brace(tokens, match.end(group))
        if brace is None:
            continue
        first = source.count("\n", 0, match.start(group)) + 1
        spans.append((name, first, _closing_line(tokens, brace)))
    return spans


def _named_is_test_code(frames: Iterable[tuple[str, int]], files: Mapping[str, str]) -> dict[str, float]:
    counts: dict[str, float] = {}
    for path, line in frames:
        text = files.get(path)
        if text is None:
            continue
        lines = text.splitlines()
        above = "\n".join(lines[max(0, line - WINDOW) : line - 1])
        here = set(re.findall(r"[A-Za-z_]\w*", lines[line - 1] if 0 < line <= len(lines) else ""))
        for name in set(re.findall(r"[A-Za-z_]\w*", above)) | here:
            counts[name] = counts.get(name, 0.0) + (1.0 if name in here else SETUP_WEIGHT)
    return counts


def callee_locations(
    output: str, files: Mapping[str, str], tests: Mapping[str, str], root: str | None = "/testbed"
) -> list[Location]:
    """Lines of the functions named near the failing tests' frames, most named first."""
    every = {**files, **tests}
    frames = [f for f in stack_frames(output, root, every) if is_test_code(*f, every)]
    named = _named_is_test_code(frames, every)
    if not named:
        return []
    scored: dict[tuple[str, int], float] = {}
    for path, source in files.items():
        language = language_of(path)
        if language is None or language == "python":
            continue
        for name, first, last in function_spans(source, language):
            if named.get(name) and not is_test_code(path, first, files):
                for line in range(first, last + 1):
                    where = (path, line)
                    scored[where] = max(scored.get(where, 0.0), named[name])
    if not scored:
        return []
    best = max(scored.values())
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0][0], item[0][1]))
    return [Location(path, line, score / best) for (path, line), score in ranked]
