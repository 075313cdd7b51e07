"""Candidates are checked by parsing only the function (or top-level statements) around the
edit: that must say exactly what parsing the whole patched file says."""

from __future__ import annotations

import ast
import random

from rfsn.planners.templates.python.base import FileContext
from rfsn.planners.templates.python.driver import PythonReader
from tests.paths import ROOT

SOURCES = [ROOT / "rfsn" / "planners" / "meta.py", ROOT / "rfsn" / "sandbox" / "docker.py"]
NEST = ('import os\n\n\n@decorate(1)\nclass Outer:\n    """Doc."""\n\n    def method(self, x):\n'
        '        def inner(y):\n            return y + 1\n        return inner(x) * 2\n\n\nVALUE = [1,\n'
        '         2]\nif VALUE:\n    print(VALUE); print(os.sep)\n')


def parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def test_a_local_parse_agrees_with_a_whole_parse_on_thousands_of_edits() -> None:
    rng = random.Random(23)
    reader = PythonReader()
    checked = {True: 0, False: 0}
    for source in [NEST, *(p.read_text() for p in SOURCES)]:
        context = FileContext("m.py", source, ast.parse(source))
        for _ in range(700):
            at = rng.randrange(len(source))
            size = rng.choice([0, 1, 1, 3])
            text = rng.choice(["(", ")", "]", ":", "'", '"""', " ", "x", "1", "\n", "\n    ", "not ", "lambda", ""])
            patched = source[:at] + text + source[at + size:]
            if patched == source:
                continue
            whole = parses(patched)
            assert reader.valid(patched, context, (at, min(at + size, len(source)))) is whole, (at, size, text)
            checked[whole] += 1
    assert checked[True] > 300 and checked[False] > 300  # both answers were exercised
