"""Ranking of the driver: a wide template is tried only at the most suspicious lines, shares
its prior among the edits it makes at a line, and ranks below the classic edits of that line."""

import ast
import tracemalloc
from collections.abc import Iterator

from rfsn.planners.code.location import Location
from rfsn.planners.patch.templates import driver
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python import generate_candidates
from rfsn.planners.patch.templates.python.base import FileContext, of_type, replace
from rfsn.planners.patch.templates.python.driver import PythonReader


@template("toy_negate", 0.5)
def toy_negate(ctx: FileContext, line: int) -> Iterator[Edit]:
    for node in of_type(ctx.nodes_at(line), ast.Return):
        yield replace(ctx, node.value, f"-{ctx.map.text(node.value)}", "negate")


@template("toy_wrap", 0.5, wide=True)
def toy_wrap(ctx: FileContext, line: int) -> Iterator[Edit]:
    for node in of_type(ctx.nodes_at(line), ast.Return):
        for fn in ("abs", "round", "float", "int"):
            yield replace(ctx, node.value, f"{fn}({ctx.map.text(node.value)})", fn)


SRC = "".join(f"def f{i}(a):\n    return a\n\n\n" for i in range(12))
LOCATIONS = [Location("m.py", 2 + 4 * i, 1.0 - i / 100) for i in range(12)]


def _generate(locations: list[Location]) -> list:
    return driver.generate(PythonReader(), {"m.py": SRC}, locations, limit=1000, templates=(toy_negate, toy_wrap))


def test_wide_templates_only_at_the_most_suspicious_lines():
    cands = _generate(LOCATIONS)
    assert {c.line for c in cands if c.template == "toy_wrap"} == {2 + 4 * i for i in range(driver.WIDE_LOCATIONS)}
    assert {c.line for c in cands if c.template == "toy_negate"} == {loc.line for loc in LOCATIONS}


def test_a_wide_template_shares_its_prior_among_its_edits_at_a_line():
    cands = _generate(LOCATIONS[:1])
    wide = [c for c in cands if c.template == "toy_wrap"]
    narrow = [c for c in cands if c.template == "toy_negate"]
    assert len(wide) == 4
    assert all(c.score < narrow[0].score / 4**driver.SHARE * 1.01 for c in wide)
    assert cands[0].template == "toy_negate"  # the same prior, alone at its line


def test_a_large_files_candidates_keep_the_text_of_those_returned_only_as_arrow_4eb070f_needs() -> None:
    """Each candidate is a copy of its file: a 6,475-line module's thousands of candidates took
    23 GB. Those the limit drops are held as their edits, never as text."""
    head = "".join(f"def f{i}(a, b):\n    return a + b - {i}\n" for i in range(20))
    source = head + "# padding\n" * 20_000  # 200 kB
    locations = [Location("m.py", 2 * i + 2, 1.0 - i / 100) for i in range(20)]
    tracemalloc.start()
    try:
        found = generate_candidates({"m.py": source}, locations, limit=5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(found) == 5 and all(c.patched != source and len(c.patched) > len(head) for c in found)
    assert peak < 40 * len(source), peak  # before: one copy per candidate made (hundreds)
