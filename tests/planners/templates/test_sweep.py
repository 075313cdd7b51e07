"""The sweep: every template's likeliest edit at each of the top lines early, every second place."""

from pathlib import Path

from rfsn.planners.base import RepairContext
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.code.location import Location
from rfsn.planners.patch.strategies.template import TemplateStrategy
from rfsn.planners.patch.templates.sweep import sweep

# the fault is line 8's subscript (`.get` makes the fix), ranked 5th; lines 4-7 above it hold
# comparisons, arithmetic and names that higher-prior templates edit a dozen ways each
SOURCE = """\
def widths(rows, formats, width, start, end, step):
    out = []
    for field, line in rows:
        if start < end and step > 0 and width >= start:
            width = width - step + start * 2
            if width <= end or start == step or end != width:
                start, end = end - step, start + step
        if line == "None" and formats[field] is not None:
            line = formats[field]
        out.append(line)
    return out
"""


def _candidate(line: int, template: str, score: float) -> Candidate:
    return Candidate(
        path="m.py",
        line=line,
        template=template,
        description=f"{template} at {line}",
        score=score,
        original="x\n",
        patched=f"{template} {line} {score}\n",
    )


def test_the_best_edit_of_each_template_at_the_top_lines_takes_every_second_place() -> None:
    ranked = [_candidate(1, "a", 0.9 - k / 100) for k in range(6)] + [
        _candidate(2, "b", 0.3),
        _candidate(2, "b", 0.2),
        _candidate(9, "c", 0.1),
    ]
    out = sweep(ranked, [("m.py", 1), ("m.py", 2), ("m.py", 9)], swept=2)
    assert [(c.line, c.template, c.score) for c in out[:4]] == [
        (1, "a", 0.9),
        (2, "b", 0.3),
        (1, "a", 0.89),
        (1, "a", 0.88),
    ]
    assert sorted(id(c) for c in out) == sorted(id(c) for c in ranked)
    assert out[-1].line == 9  # a line past the swept ones keeps its place


def test_a_low_prior_template_at_the_fourth_line_is_tried_early_prettytable_f7c1f43() -> None:
    """prettytable f7c1f43: the fixed line ranked 4, `subscript_get` makes the fix, but the
    candidates of higher-prior templates at the lines around it came first (rank 154 of 500;
    0.66 candidates a second screened 111)."""
    locations = [Location("m.py", line, 0.8) for line in (4, 5, 6, 7)] + [Location("m.py", 8, 0.6)]
    context = RepairContext(
        workspace=Path("."), language="python", failing=[], passing=[], locations=locations, files={"m.py": SOURCE}
    )
    ranked = TemplateStrategy().ranked(context)
    fix = next(i for i, c in enumerate(ranked) if "formats.get(field) is not None" in c.patched)
    cells = {(c.line, c.template) for c in ranked if c.line in (4, 5, 6, 7, 8)}
    assert fix < 2 * len(cells), [f"{c.line} {c.template}" for c in ranked[: fix + 1]]
