"""The planner reads like its design: the conductor (``meta``) over the four phases over a shared floor.

Each module or package directly under rfsn/planners is a sub-part in one tier. An import, of any
kind (module level, inside a function, under TYPE_CHECKING), may only point to its own tier or one
below, the floor's ``code`` imports no other sub-part, and no two sub-parts reach each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.paths import ROOT
from tests.test_architecture import cycles

PLANNERS = ROOT / "rfsn" / "planners"
#: top to bottom: a sub-part imports its own tier or a tier below
TIERS: list[set[str]] = [
    {"meta", "scripted"},  # the conductor, and the test double of a planner
    {"reproduce", "localize", "patch", "verify"},  # the phases
    {"base", "spending", "code"},  # the protocols, the shares of the budget, what every phase knows of code
]
Edge = tuple[str, str, str]  # (importing sub-part, imported sub-part, file:line)


def _tier(part: str) -> int:
    for index, parts in enumerate(TIERS):
        if part in parts:
            return index
    raise AssertionError(f"rfsn.planners.{part} has no tier: add it to TIERS")


def _imported(node: ast.Import | ast.ImportFrom, module: list[str]) -> list[str]:
    """The dotted names one import statement reaches, ``from pkg import mod`` as ``pkg.mod``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = module[: len(module) - node.level]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    return [f"{base}.{alias.name}" for alias in node.names]


def sub_part_edges(package: Path = PLANNERS) -> list[Edge]:
    found: list[Edge] = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).with_suffix("").parts
        if rel == ("__init__",):
            continue
        module = ["rfsn", "planners", *rel]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _imported(node, module):
                parts = name.split(".")
                if parts[:2] == ["rfsn", "planners"] and len(parts) > 2 and parts[2] != rel[0]:
                    found.append((rel[0], parts[2], f"{path.relative_to(package)}:{node.lineno}"))
    return found


def test_every_sub_part_has_a_tier() -> None:
    for path in PLANNERS.iterdir():
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists():
            _tier(path.stem)


def test_imports_point_down_the_tiers() -> None:
    assert [f"{where}: {src} imports {dst}" for src, dst, where in sub_part_edges() if _tier(dst) < _tier(src)] == []


def test_the_floor_of_code_imports_no_other_sub_part() -> None:
    assert [where for src, _, where in sub_part_edges() if src == "code"] == []


def test_no_cycle_between_sub_parts() -> None:
    assert cycles(sub_part_edges()) == []


def test_the_walker_sees_the_phases(tmp_path: Path) -> None:
    """A walker that found nothing would pass everything; one sub-part's import inside a function
    or under TYPE_CHECKING ties it to the other all the same."""
    pairs = {(src, dst) for src, dst, _ in sub_part_edges()}
    assert {("meta", "reproduce"), ("meta", "verify"), ("patch", "code"), ("localize", "code")} <= pairs
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.py").write_text("def f():\n    from rfsn.planners.b import y\n")
    (tmp_path / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from rfsn.planners import a\n"
    )
    assert cycles(sub_part_edges(tmp_path)) == [["a", "b"]]
