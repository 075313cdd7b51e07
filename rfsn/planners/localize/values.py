"""Where a value the failing test shows was written: a string literal of the project's source.

A table, a mapping or a message a module builds at import time (a class's dict of words, a
constant) runs before any test starts, so no test's coverage holds it, and every test that
uses it runs the same lines. The failing test's own message shows the wrong value itself
(``assert '二番目の' == '1秒'``): a string its assertion's failure lines quote that the failing
tests' files do not write (those are its expectations) comes from the code, and the few project
lines that write it are suspects. An exception's message is left out: its frames say where it
was written.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from rfsn.buildpacks.testfiles import is_test_file
from rfsn.models.testfiles import test_id_file
from rfsn.planners.code.location import Location
from rfsn.planners.localize.definitions import parse_module

#: a value more project lines write says nothing of which one is at fault
MAX_PLACES = 3
#: the shortest value worth looking for (a letter or a digit in it)
MIN_LENGTH = 2
_QUOTED = re.compile(r"""(?<![\w'"\\])(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")""")
#: a failed assertion's first line: pytest's (``E   assert ...``, ``E   AssertionError: ...``), the
#: interpreter's; the ``E`` lines after pytest's are its explanation
_ASSERTION = re.compile(r"^(?:E\s+)?(?:AssertionError\b|assert\s)")


def _assertion_lines(output: str) -> list[str]:
    lines, within = [], False
    for line in output.splitlines():
        first = bool(_ASSERTION.match(line))
        within = first or (within and line.startswith("E ") and not re.match(r"E\s+\w+(Error|Exception)\b", line))
        lines += [line] if within else []
    return lines


def shown_values(output: str) -> list[str]:
    """Pure: the string literals the failed assertions of ``output`` quote, in order, once each."""
    found: dict[str, None] = {}
    for line in _assertion_lines(output):
        for quoted in _QUOTED.finditer(line):
            try:
                value = ast.literal_eval(quoted[0])
            except (SyntaxError, ValueError):
                continue
            if isinstance(value, str) and len(value.strip()) >= MIN_LENGTH and any(c.isalnum() for c in value):
                found[value] = None
    return list(found)


def _strings(tree: ast.AST) -> Iterable[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value, node.lineno


def written_values(
    output: str, files: Mapping[str, str], tests: Mapping[str, str], targets: Iterable[str]
) -> list[Location]:
    """The project lines that write a value the targets' failure ``output`` shows and their own
    files do not, at 1 shared among the lines that write it; none for a value more than
    `MAX_PLACES` lines write."""
    values = set(shown_values(output))
    for path in {test_id_file(t) for t in targets}:
        tree = parse_module(tests.get(path, "")) if path in tests else None
        values -= {value for value, _ in _strings(tree)} if tree is not None else set()
    if not values:
        return []
    places: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for path, source in sorted(files.items()):
        written = path.endswith(".py") and not is_test_file(path) and any(v in source for v in values)
        tree = parse_module(source) if written else None  # parsed only where a value is written
        for value, line in _strings(tree) if tree is not None else ():
            if value in values:
                places[value].add((path, line))
    scored: dict[tuple[str, int], float] = {}
    for where in places.values():
        for place in where if len(where) <= MAX_PLACES else ():
            scored[place] = max(scored.get(place, 0.0), 1.0 / len(where))
    return [Location(path, line, score) for (path, line), score in sorted(scored.items(), key=lambda i: (-i[1], i[0]))]
