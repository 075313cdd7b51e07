"""Control dependence: the condition that guards a suspicious line shares its suspicion.

Spectrum-based ranking blames the body of a branch that only failing tests
reach (a ``raise`` under a wrongly negated ``if``) and ranks the condition,
which every test runs, lower. Classical repair treats the governing condition
of a suspicious block as a prime suspect, so ``with_control_dependence`` gives
the condition lines of the ``if``/``elif``/``while``/``assert``/ternary (and
the header of a ``for`` loop) around each of the top lines the line's score,
discounted by ``DECAY`` per level of nesting beyond the nearest one. Python is
read through its syntax tree; the brace languages through their block
structure (the header from ``if``/``while``/``for``/``else if`` up to ``{``).

On a tie a governing line ranks right before the line it governs (not before
every line of that score): the fault is more often in the decision than in
what is done once it is taken, but no more often than in an unrelated line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping, Sequence

from rfsn.planners.code.lexer import Token, code_tokens, language_of, tokenize
from rfsn.planners.code.location import Location

#: how many of the most suspicious lines pass their suspicion to their conditions
TOP = 30
#: the score kept per level of nesting beyond the nearest governing condition
DECAY = 0.9
#: what a loop header (``for``, ``while``) keeps of its body's score: a loop's body runs
#: on every iteration whatever the header decides, an ``if``'s only when it says so
LOOP = 0.95
#: a condition spanning more lines than this is represented by its first ones only
MAX_CONDITION_LINES = 5

_STOP = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda


def _lines(node: ast.expr | ast.stmt) -> list[int]:
    start = node.lineno
    end = min(node.end_lineno or start, start + MAX_CONDITION_LINES - 1)
    return list(range(start, end + 1))


def _span(nodes: Sequence[ast.expr | ast.stmt]) -> tuple[int, int]:
    return (min(n.lineno for n in nodes), max(n.end_lineno or n.lineno for n in nodes))


def _governed(node: ast.AST) -> Iterator[tuple[list[ast.expr | ast.stmt], list[int], float]]:
    """(the parts a construct guards, the lines of its condition or header, the share of
    their score those lines get)."""
    if isinstance(node, ast.If):
        yield [*node.body, *node.orelse], _lines(node.test), 1.0
    elif isinstance(node, ast.While):
        yield [*node.body, *node.orelse], _lines(node.test), LOOP
    elif isinstance(node, ast.For | ast.AsyncFor):
        yield [*node.body], sorted({*_lines(node.target), *_lines(node.iter)}), LOOP
    elif isinstance(node, ast.Assert) and node.msg is not None:
        yield [node.msg], _lines(node.test), 1.0
    elif isinstance(node, ast.IfExp):
        yield [node.body, node.orelse], _lines(node.test), 1.0


class _PythonConditions:
    def __init__(self, tree: ast.Module) -> None:
        self.guards: list[tuple[tuple[int, int], list[int], int, float]] = []
        self.scopes: list[tuple[int, int]] = []
        for node in ast.walk(tree):
            if isinstance(node, _STOP):
                self.scopes.append((node.lineno, node.end_lineno or node.lineno))
            for parts, lines, share in _governed(node):
                if parts and isinstance(node, ast.expr | ast.stmt):
                    self.guards.append((_span(parts), lines, node.lineno, share))

    def conditions(self, line: int) -> list[tuple[list[int], float]]:
        """The condition lines governing ``line`` (with their share), nearest first,
        within its function."""
        scope = max((s for s in self.scopes if s[0] < line <= s[1]), default=(0, 0))
        inside = [
            (span, lines, share)
            for span, lines, start, share in self.guards
            if span[0] <= line <= span[1] and line not in lines and start >= scope[0]
        ]
        inside.sort(key=lambda item: (item[0][1] - item[0][0], -item[0][0]))
        return [(lines, share) for _, lines, share in inside]


_KEYWORDS = {"if": 1.0, "switch": 1.0, "while": LOOP, "for": LOOP}
#: ``match`` and ``loop`` are keywords in Rust alone: in Go and JavaScript they name variables
_RUST_KEYWORDS = {**_KEYWORDS, "match": 1.0, "loop": LOOP}


def _statement(head: list[Token], keywords: Mapping[str, float]) -> list[Token]:
    """``head`` from its last branch or loop keyword outside brackets (its ``else``, for an
    ``else if``): where a newline ends statements (Go, JavaScript without semicolons) the tokens
    before a block's ``{`` run back into the statements before its header."""
    depth, start = 0, 0
    for k, tok in enumerate(head):
        depth += (tok.text in ("(", "[")) - (tok.text in (")", "]"))
        if depth == 0 and (tok.text in keywords or tok.text == "else"):
            start = k - 1 if tok.text == "if" and k and head[k - 1].text == "else" else k
    return head[start:]


class _BraceConditions:
    """Headers of the brace blocks around a line: ``if (c) {``, ``while c {``, ``} else {``."""

    def __init__(self, source: str, language: str) -> None:
        self.tokens = code_tokens(tokenize(source, language))
        self.keywords = _RUST_KEYWORDS if language == "rust" else _KEYWORDS
        self.match: dict[int, int] = {}
        stack: list[int] = []
        for i, tok in enumerate(self.tokens):
            if tok.text == "{":
                stack.append(i)
            elif tok.text == "}" and stack:
                opening = stack.pop()
                self.match[opening], self.match[i] = i, opening
        self.blocks = sorted(((o, c) for o, c in self.match.items() if o < c), key=lambda b: self.tokens[b[0]].start)

    def _header(self, opening: int) -> tuple[list[int], float] | None:
        """The lines of the condition whose block opens at token ``opening``; [] for an
        ``else`` of an if-chain whose head is found; None when the block is no branch or loop."""
        depth, i = 0, opening - 1
        while i >= 0:
            tok = self.tokens[i]
            if tok.text in (")", "]"):
                depth += 1
            elif tok.text in ("(", "["):
                depth -= 1
            elif depth == 0 and tok.text in ("{", "}", ";"):
                break
            i -= 1
        head = _statement(self.tokens[i + 1 : opening], self.keywords)
        if head and head[0].text == "else":
            if len(head) > 1 and head[1].text == "if":
                return self._token_lines(head[2:] or head), 1.0
            return None
        if head and head[0].text in self.keywords:
            return self._token_lines(head[1:] or head), self.keywords[head[0].text]
        return None

    def _token_lines(self, tokens: list[Token]) -> list[int]:
        first, last = tokens[0].line, tokens[-1].line
        return list(range(first, min(last, first + MAX_CONDITION_LINES - 1) + 1))

    def _else_head(self, opening: int) -> int | None:
        """For ``} else {`` (or ``} else if``), the opening brace of the block before it."""
        before = opening - 1
        while before >= 0 and self.tokens[before].text not in ("}", ";", "{"):
            before -= 1
        if before >= 0 and self.tokens[before].text == "}" and self.tokens[before + 1].text == "else":
            return self.match.get(before)
        return None

    def conditions(self, line: int) -> list[tuple[list[int], float]]:
        out: list[tuple[list[int], float]] = []
        around = [
            (o, c)
            for o, c in self.blocks
            if self.tokens[o].line < line <= self.tokens[c].line
            or (self.tokens[o].line == line and self.tokens[c].line > line)
        ]
        for opening, _ in sorted(around, key=lambda b: -self.tokens[b[0]].start):
            found = [self._header(opening)]
            chain = opening
            while (previous := self._else_head(chain)) is not None:  # the if-chain before an else
                chain = previous
                found.append(self._header(previous))
            if found == [None]:
                break  # a function, class or plain block: no condition governs past it
            out += [found_ for found_ in found if found_ is not None and line not in found_[0]]
        return out


def _reader(path: str, source: str) -> _PythonConditions | _BraceConditions | None:
    if path.endswith(".py"):
        try:
            return _PythonConditions(ast.parse(source))
        except (SyntaxError, ValueError):
            return None
    language = language_of(path)
    return _BraceConditions(source, language) if language else None


def with_control_dependence(
    locations: list[Location], files: Mapping[str, str], top: int = TOP, decay: float = DECAY
) -> list[Location]:
    """``locations`` with the conditions governing their ``top`` lines raised to the
    governed line's score (``decay`` per further level), best first. On a tie a
    governing line goes right before the line it took its score from (and after the
    lines the input put before that one)."""
    scores = {(loc.file, loc.line): loc.score for loc in locations}
    place = {(loc.file, loc.line): float(i) for i, loc in enumerate(locations)}
    readers: dict[str, _PythonConditions | _BraceConditions | None] = {}
    for loc in sorted(locations, key=lambda loc: -loc.score)[:top]:
        if loc.file not in readers:
            readers[loc.file] = _reader(loc.file, files[loc.file]) if loc.file in files else None
        reader = readers[loc.file]
        if reader is None or loc.score <= 0:
            continue
        governed = place[(loc.file, loc.line)]
        for level, (lines, share) in enumerate(reader.conditions(loc.line)):
            score = loc.score * share * decay**level
            for j, line in enumerate(lines):
                where = (loc.file, line)
                if scores.get(where, -1.0) < score or (scores[where] == score and place[where] > governed):
                    scores[where] = score
                    place[where] = governed - 0.5 + j / (2 * len(lines) + 1)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], place[item[0]]))
    return [Location(path, line, score) for (path, line), score in ranked]
