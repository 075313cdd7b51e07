"""Predicate switching: each condition of the located lines switched once, early in the ranking."""

from pathlib import Path

from rfsn.planners.base import RepairContext
from rfsn.planners.code.candidates import Candidate, Splice
from rfsn.planners.code.location import Location
from rfsn.planners.patch.strategies.template import TemplateStrategy
from rfsn.planners.patch.templates.switches import interleave, switched


def _edit(original: str, old: str, new: str, line: int = 1, at: str = "") -> Candidate:
    """``old`` replaced by ``new`` (inserted before ``at`` where ``old`` is empty)."""
    start = original.index(old or at)
    return Candidate(
        path="m.py",
        line=line,
        template="t",
        description=f"{old} -> {new}",
        score=1.0,
        original=original,
        patched="",
        splices=(Splice(start, start + len(old), new),),
    )


def test_a_switch_puts_the_opposite_in_place_or_adds_or_drops_a_negation() -> None:
    assert switched(_edit("if a == b:", "==", "!="))
    assert switched(_edit("if a and b:", "and", "or"))
    assert switched(_edit("if not a:", "not ", ""))
    assert switched(_edit("if a < b:", "a < b", "not (a < b)"))
    assert switched(_edit("if (!x) {", "!", ""))
    assert switched(_edit("if (x && y) {", "", "!", at="y"))  # an operand negated
    assert not switched(_edit("if a < b:", "<", "<="))
    assert not switched(_edit("return a + b", "+", "-"))
    assert not switched(_edit("if (-x) {", "-", ""))


def test_switches_take_every_third_place_after_the_first_ones_and_an_edit_comes_once() -> None:
    source = "a == b and c != d or e\n"
    ranked = [_edit(source, "a", f"a{k}", line=k) for k in range(6)] + [_edit(source, "and", "or")]
    switches = [_edit(source, "and", "or"), _edit(source, "!=", "==")]
    out = interleave(ranked, switches, after=2, every=3)
    assert [c.description for c in out] == [
        "a -> a0",
        "a -> a1",
        "a -> a2",
        "a -> a3",
        "and -> or",
        "a -> a4",
        "a -> a5",
        "!= -> ==",
    ]


# the fault is line 3's `not` (the fix drops it), in a helper every call runs: coverage ranks it
# last of 60 located lines, past the 40 the driver makes candidates at
HELPER = """\
def priority(value):
    if isinstance(value, dict):
        return 0
    if not isinstance(value, str):
        return 1
    return 2
"""


def test_a_condition_coverage_ranks_past_the_driver_is_switched_early_schema_seed_36() -> None:
    filler = "".join(f"def f{k}(x):\n    return x * {k} + {k}\n" for k in range(60))
    files = {"m.py": HELPER + filler}
    lines = [Location("m.py", 7 + 2 * k + 1, 0.9 - k / 100) for k in range(60)] + [Location("m.py", 4, 0.1)]
    context = RepairContext(
        workspace=Path("."), language="python", failing=[], passing=[], locations=lines, files=files
    )
    ranked = TemplateStrategy().ranked(context)
    fix = next(i for i, c in enumerate(ranked) if "    if isinstance(value, str):" in c.patched)
    assert fix <= 25, [c.description for c in ranked[: fix + 1]]
