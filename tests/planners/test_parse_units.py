"""Candidates are checked by parsing only the statement, header, function (or top-level
statements) around the edit: that must say exactly what parsing the whole patched file says."""

from __future__ import annotations

import ast
import random

import pytest

from rfsn.planners.patch.templates.python.base import FileContext
from rfsn.planners.patch.templates.python.driver import PythonReader
from tests.paths import ROOT

SOURCES = [ROOT / "rfsn" / "planners" / "meta" / "planner.py", ROOT / "rfsn" / "sandbox" / "docker.py"]
NEST = (
    'import os\n\n\n@decorate(1)\nclass Outer:\n    """Doc."""\n\n    def method(self, x):\n'
    "        def inner(y):\n            return y + 1\n        return inner(x) * 2\n\n\nVALUE = [1,\n"
    "         2]\nif VALUE:\n    print(VALUE); print(os.sep)\n"
)
CHAIN = (
    "def parse(tokens, i=0):\n    while i < len(tokens):  # each token\n        t = tokens[i]\n"
    "        if t == ':':\n            i += 1\n        elif (t in ('-', '/') and\n"
    "              i + 1 < len(tokens)):\n            for x in tokens[i:]:\n                print(x); i += 1\n"
    "        elif t:\n            try:\n                # a comment\n                i += 2\n"
    "            except ValueError as e:\n                raise ValueError(e)\n        else:\n"
    "            with open(t) as f:\n                i = f.read()  # end\n    return i\n"
)


def parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _recorded_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text ``ast.parse`` is given from now on, in order."""
    parsed: list[str] = []
    real = ast.parse

    def recording(text: str, *args: object, **kwargs: object) -> ast.AST:
        parsed.append(text)
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ast, "parse", recording)
    return parsed


def test_a_local_parse_agrees_with_a_whole_parse_on_thousands_of_edits() -> None:
    rng = random.Random(23)
    reader = PythonReader()
    checked = {True: 0, False: 0}
    for source in [NEST, CHAIN, *(p.read_text() for p in SOURCES)]:
        context = FileContext("m.py", source, ast.parse(source))
        for _ in range(700):
            at = rng.randrange(len(source))
            size = rng.choice([0, 1, 1, 3])
            text = rng.choice(
                [
                    "(",
                    ")",
                    "]",
                    ":",
                    "'",
                    '"""',
                    " ",
                    "x",
                    "1",
                    "\n",
                    "\n    ",
                    "not ",
                    "lambda",
                    "",
                    "elif",
                    "else:",
                    ";",
                    "#",
                    "\\",
                    "if x:",
                ]
            )
            patched = source[:at] + text + source[at + size :]
            if patched == source:
                continue
            whole = parses(patched)
            assert reader.valid(patched, context, (at, min(at + size, len(source)))) is whole, (at, size, text)
            checked[whole] += 1
    assert checked[True] > 300 and checked[False] > 300  # both answers were exercised


def test_a_line_dedented_to_the_first_column_is_no_else_of_the_units_wrapper() -> None:
    """A unit is parsed under ``if 1:``; a line of it moved to the first column as an ``else:``
    (the fuzz test's edit of meta.py) pairs with that wrapper, not with anything in the file."""
    source = (
        "def f(x):\n    if x:\n        y = 1\n    else:\n        z = 3\n        y = (\n            2)\n    return y\n"
    )
    context = FileContext("m.py", source, ast.parse(source))
    at = source.index("        y = (")
    patched = source[:at] + "else:" + source[at + 1 :]
    assert not parses(patched)
    assert PythonReader().valid(patched, context, (at, at + 1)) is False


def test_an_edit_within_a_line_of_a_long_function_parses_only_its_statement_dateutil_0b773a5(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The unit parsed is the smallest statement around an edit within one line (a compound
    statement's header alone, an ``elif``'s after an ``if 0``), not its function: parsing
    dateutil's 445-line ``_parse`` once per candidate took 28 s before the first screening."""
    body = "".join(f"        x{n} = tokens[{n}]\n" for n in range(400))
    inner = body.replace("\n        ", "\n            ").replace("        x0", "            x0", 1)
    source = (
        f"def parse(tokens):\n    while tokens:\n{body}        if tokens[0] == ':':\n            x = 1\n"
        f"        elif tokens[0] in ('-', '/'):\n{inner}            x = 2\n    return x\n"
    )
    context = FileContext("m.py", source, ast.parse(source))
    parsed = _recorded_parses(monkeypatch)
    reader = PythonReader()
    for old, new, whole in [
        ("x200 = tokens[200]", "x200 = tokens[201]", True),
        ("while tokens:", "while not tokens:", True),
        ("elif tokens[0] in ('-', '/'):", "elif tokens[0] in ('-', '/')", False),
        ("x = 2", "x = 2 +", False),
    ]:
        at = source.index(old)
        parsed.clear()
        assert reader.valid(source[:at] + new + source[at + len(old) :], context, (at, at + len(old))) is whole
        assert parsed and max(text.count("\n") for text in parsed) <= 5, (old, parsed)


def test_lines_inserted_after_a_methods_last_statement_parse_with_the_method_prettytable_f7c1f43(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lines inserted at the start of the blank line after a method are its last lines when
    each is indented past its ``def``: its unit, not the class's (prettytable's 2,400-line
    class parsed per candidate: 146 s to the first candidate); any other indentation is
    judged as the whole file judges it."""
    methods = "".join(f"    def m{n}(self, val):\n        if val:\n            self.x = val\n\n" for n in range(300))
    source = f"class Table:\n{methods}"
    context = FileContext("m.py", source, ast.parse(source))
    at = source.index("    def m101")
    parsed = _recorded_parses(monkeypatch)
    reader = PythonReader()
    for lines in [
        "        self.check(val)\n",
        "            return\n",
        "        if val:\n",
        "      x = 1\n",
        "    y = 1\n",
        "x = 1\n",
        "    def extra(self):\n        pass\n",
    ]:
        patched = source[: at - 1] + lines + source[at - 1 :]
        whole = parses(patched)
        parsed.clear()
        assert reader.valid(patched, context, (at - 1, at - 1)) is whole, lines
        if lines.startswith("        self"):
            assert max(text.count("\n") for text in parsed) <= 10, parsed
    rng = random.Random(7)
    starts = [n + 1 for n, char in enumerate(source) if char == "\n"][:-1]
    for _ in range(300):
        at = rng.choice(starts)
        lines = rng.choice(
            [
                "        x = 1\n",
                "    x = 1\n",
                "x\n",
                "            y(\n",
                "      z\n",
                "        )\n",
                "    @property\n",
                "        '''\n",
                "\n",
            ]
        )
        patched = source[:at] + lines + source[at:]
        assert reader.valid(patched, context, (at, at)) is parses(patched), (at, lines)


def test_a_backslash_ending_a_header_joins_the_next_line_the_unit_does_not_hold_meta_next() -> None:
    """``def next(self) -> Proposal:\\`` then the body's first line (the fuzz test's edit of
    meta.py): the header alone, its body a ``pass``, parsed where the file does not."""
    source = "class A:\n    def f(self):\n        if x:\n            return 1\n"
    at = source.index(":\n        if") + 1
    patched = source[:at] + "\\" + source[at:]
    assert not parses(patched)
    assert PythonReader().valid(patched, FileContext("m.py", source, ast.parse(source)), (at, at)) is False
    ended = source + "y = 1\\\n"  # a last line continued into the end of the file
    assert PythonReader().valid(
        ended, FileContext("m.py", source, ast.parse(source)), (len(source), len(source))
    ) is parses(ended)
