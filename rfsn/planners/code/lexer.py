"""A small tokenizer for C-like languages (JavaScript/TypeScript, Rust, Go, Java, C).

It knows just enough to never edit inside strings or comments: string and
character literals (including JS template literals and Rust raw strings),
line and block comments, numbers, identifiers and operators. Unknown characters
become one-character ``other`` tokens, so tokenizing never fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rfsn.buildpacks.languages import dialect_of


def language_of(path: str) -> str | None:
    """The language the lexer reads ``path`` as (its ecosystem's dialect: TypeScript apart, every
    other language as its family, Kotlin as Java, C++ as C); None for Python and unknown files."""
    return dialect_of(path)


@dataclass(frozen=True)
class Token:
    kind: str  # ident, number, string, comment, op, other, space
    text: str
    start: int
    end: int
    line: int


_OPERATORS = sorted(
    [
        ">>>=",
        "===",
        "!==",
        "**=",
        "<<=",
        ">>=",
        ">>>",
        "...",
        "::",
        "==",
        "!=",
        "<=",
        ">=",
        "&&",
        "||",
        "++",
        "--",
        "+=",
        "-=",
        "*=",
        "/=",
        "%=",
        "&=",
        "|=",
        "^=",
        "<<",
        ">>",
        "->",
        "=>",
        "??",
        "?.",
        "**",
        "+",
        "-",
        "*",
        "/",
        "%",
        "<",
        ">",
        "=",
        "!",
        "&",
        "|",
        "^",
        "~",
        "?",
        ":",
        ".",
        ",",
        ";",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "@",
        "#",
    ],
    key=len,
    reverse=True,
)
_RULES = [
    ("space", r"\s+"),
    ("comment", r"//[^\n]*|/\*[\s\S]*?(?:\*/|$)"),
    ("string", r'b?r(?P<hashes>#*)"[\s\S]*?"(?P=hashes)'),  # Rust raw strings
    ("string", r'"(?:\\[\s\S]|[^"\\\n])*"?'),
    ("string", r"`(?:\\[\s\S]|[^`\\])*`?"),
    ("string", r"'(?:\\[^']{1,10}|[^'\\\n])'"),  # char literal
    ("lifetime", r"'[A-Za-z_]\w*"),  # Rust lifetimes and labels
    ("number", r"0[xX][0-9a-fA-F_]+\w*|0[bB][01_]+\w*|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?\w*"),
    ("ident", r"[A-Za-z_$][\w$]*"),
    ("op", "|".join(re.escape(op) for op in _OPERATORS)),
    ("other", r"[\s\S]"),
]
# in JavaScript and TypeScript single quotes delimit ordinary strings
_JS_RULES = [("string", r"'(?:\\[\s\S]|[^'\\\n])*'?") if k == "lifetime" else (k, rx) for k, rx in _RULES]


def _master(rules: list[tuple[str, str]]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<r{i}>{rx})" for i, (_, rx) in enumerate(rules)))


# Go's back-quoted strings are raw: a backslash in them escapes nothing
_GO_RULES = [("string", r"`[^`]*`?") if rx.startswith("`") else (k, rx) for k, rx in _RULES]
_MASTERS = {
    "javascript": (_master(_JS_RULES), _JS_RULES),
    "go": (_master(_GO_RULES), _GO_RULES),
    "other": (_master(_RULES), _RULES),
}


#: a JavaScript regular expression literal: its classes may hold ``/``, quotes and brackets
_JS_REGEX = re.compile(r"/(?![*/])(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n\[])+/[A-Za-z]*")
#: words after which a ``/`` starts a regular expression, not a division
_BEFORE_EXPRESSION = frozenset(
    {
        "return",
        "typeof",
        "instanceof",
        "in",
        "of",
        "new",
        "delete",
        "void",
        "throw",
        "case",
        "do",
        "else",
        "yield",
        "await",
    }
)


def _regex_may_start(previous: Token | None) -> bool:
    if previous is None:
        return True
    if previous.kind == "op":
        return previous.text not in (")", "]", "}")
    return previous.kind == "ident" and previous.text in _BEFORE_EXPRESSION


def tokenize(source: str, language: str = "javascript", keep_space: bool = False) -> list[Token]:
    """Tokens of ``source`` with character offsets and 1-based line numbers. In JavaScript and
    TypeScript a ``/`` where an expression may start begins a regular expression literal
    (a ``string`` token), as it does for the language's own parser."""
    return [t for t in scan(source, language) if keep_space or t.kind != "space"]


def scan(source: str, language: str, at: int = 0, previous: Token | None = None) -> Iterator[Token]:
    """Every token of ``source`` from offset ``at`` on (spaces too), the lexer's state there being
    ``previous``, the last token that is neither space nor comment (line numbers counted from
    ``at``). What follows a token depends on nothing but its end and that state."""
    js = language in ("javascript", "typescript")
    master, rules = _MASTERS["javascript" if js else language if language in _MASTERS else "other"]
    line = 1
    while at < len(source):
        regex = _JS_REGEX.match(source, at) if js and source[at] == "/" and _regex_may_start(previous) else None
        match = regex or master.match(source, at)
        assert match is not None  # "other" matches any character
        kind = "string" if regex else rules[int((match.lastgroup or "g0")[1:])][0]
        text = match.group()
        token = Token(kind, text, match.start(), match.end(), line)
        yield token
        if kind not in ("space", "comment"):
            previous = token
        line += text.count("\n")
        at = match.end()


def code_tokens(tokens: list[Token]) -> list[Token]:
    """Tokens that are code: no comments, no whitespace."""
    return [t for t in tokens if t.kind not in ("comment", "space")]
