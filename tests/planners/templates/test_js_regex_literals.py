"""JavaScript regular expression literals are one token: their classes may hold quotes and
brackets (``/^[!#$%&'*+.^\\w|~-]+$/``), which read as code broke the bracket balance of the
whole file, and no template could edit any line of it (fastify/fast-content-type-parse)."""

from __future__ import annotations

from rfsn.planners.code.lexer import tokenize
from rfsn.planners.localize import Location
from rfsn.planners.patch.templates.tokens.driver import balanced, generate_token_candidates

SOURCE = (
    "'use strict'\n\nconst mediaTypeRE = /^[!#$%&'*+.^\\w|~-]+\\/[!#$%&'*+.^\\w|~-]+$/u\n\n"
    "function parse (header, index) {\n  if (mediaTypeRE.test(header) === false) {\n"
    "    throw new TypeError('invalid media type')\n  }\n  if (index === header.length) {\n"
    "    return header.slice(0, index) / 2\n  }\n  return null\n}\n"
)


def kinds(source: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(source, "javascript")]


def test_a_slash_where_an_expression_starts_opens_a_regex_literal() -> None:
    assert kinds("x = /a[/]b'/g.test(s)")[:3] == [("ident", "x"), ("op", "="), ("string", "/a[/]b'/g")]
    assert ("string", "/x'/") in kinds("return /x'/")
    assert kinds("y = (a) / b / c") == [
        ("ident", "y"),
        ("op", "="),
        ("op", "("),
        ("ident", "a"),
        ("op", ")"),
        ("op", "/"),
        ("ident", "b"),
        ("op", "/"),
        ("ident", "c"),
    ]
    assert kinds("n = a / 2 // half")[-1] == ("comment", "// half")


def test_a_file_with_a_regex_literal_balances_and_its_lines_get_candidates() -> None:
    assert balanced(SOURCE, "javascript")
    made = generate_token_candidates({"index.js": SOURCE}, [Location("index.js", 9, 1.0)], limit=50)
    assert "replace `===` with `!==` at index.js:9" in [c.description for c in made]
    assert not any(c.line == 3 for c in made)  # nothing edits inside the literal


def test_where_the_lexer_still_cannot_read_a_line_an_edit_that_keeps_the_brackets_is_valid() -> None:
    """After ``if (...)`` a ``/`` starts a regex for JavaScript but not for this lexer: the file
    reads as unbalanced; an edit elsewhere that leaves the brackets as they were still counts."""
    source = "function f (s, n) {\n  if (s) /a[')]/.test(s)\n  return n > 1\n}\n"
    assert not balanced(source, "javascript")
    made = generate_token_candidates({"m.js": source}, [Location("m.js", 3, 1.0)], limit=50)
    assert "replace `>` with `>=` at m.js:3" in [c.description for c in made]
