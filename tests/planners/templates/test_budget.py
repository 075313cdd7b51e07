"""The budget model: candidates spread across lines and templates, a cap per (line, template),
equivalent edits collapsed, and an event that says how the budget was spent."""

import structlog

from rfsn.planners.base import RepairContext
from rfsn.planners.code.location import Location
from rfsn.planners.patch.strategies.template import TemplateStrategy
from rfsn.planners.patch.templates import budget
from rfsn.planners.patch.templates.python import generate_candidates

NAMES = [f"kind_{i:02d}" for i in range(40)]
# line 43 is the top line: its string constant can be swapped with 40 others of the module;
# the fault is the `<` of line 46, ranked second
SOURCE = (
    "".join(f"K{i} = {name!r}\n" for i, name in enumerate(NAMES))
    + "\n\ndef check(kind, a, b):\n"  # 41-43
    + "    if kind not in KINDS:\n"  # 44
    + "        raise KeyError('unknown kind')\n"  # 45
    + "    return a < b\n"  # 46
)
LINES = SOURCE.splitlines()


def test_the_source_lines_are_where_the_test_says() -> None:
    assert LINES[44] == "        raise KeyError('unknown kind')"
    assert LINES[45] == "    return a < b"


def test_a_template_with_dozens_of_edits_at_the_top_line_leaves_room_for_the_second() -> None:
    locations = [Location("m.py", 45, 1.0), Location("m.py", 46, 0.45)]
    ranked = generate_candidates({"m.py": SOURCE}, locations, limit=500)
    assert sum(c.template == "string_constant" and c.line == 45 for c in ranked) >= 40
    fix = next(i for i, c in enumerate(ranked) if "return a <= b" in c.patched)
    assert fix < 10, [f"{c.line} {c.template}" for c in ranked[: fix + 1]]


def test_a_cell_is_capped_and_equivalent_string_swaps_collapse() -> None:
    ranked = generate_candidates({"m.py": SOURCE}, [Location("m.py", 45, 1.0)], limit=500)
    swaps = [c for c in ranked if c.template == "string_constant"]
    kept = [c for c in swaps if c.score > max(s.score for s in swaps) * budget.DEFERRED * 1.5]
    assert len(kept) == budget.CLASS_KEEP
    assert len({budget.shape(c) for c in swaps}) == 1  # one class: they differ only in the string
    assert ranked.index(kept[-1]) < ranked.index(next(c for c in swaps if c not in kept))


def test_a_session_logs_how_its_budget_was_spent(tmp_path) -> None:
    context = RepairContext(
        workspace=tmp_path,
        language="python",
        failing=["t::x"],
        passing=[],
        locations=[Location("m.py", 45, 1.0), Location("m.py", 46, 0.45)],
        problem="",
        log="",
        files={"m.py": SOURCE},
    )
    with structlog.testing.capture_logs() as logs:
        tried = iter(TemplateStrategy().candidates(context))
        first = [next(tried) for _ in range(8)]
        tried.close()
    event = next(e for e in logs if e["event"] == "template.budget")
    assert event["tried"] == 8 and event["planned"] > 40
    assert sum(n for row in event["spent"].values() for n in row.values()) == 8
    assert set(event["spent"]) == {f"m.py:{c.line}" for c in first} == {"m.py:45", "m.py:46"}
