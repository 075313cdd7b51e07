"""The package graph runs one way, from the CLI down to the models (docs/architecture.md).

Every import in rfsn/**/*.py counts: module level, inside functions and under
TYPE_CHECKING, absolute and relative. A top-level part may import only the
parts below it in LAYERS; a new top-level module or subpackage must be placed
in LAYERS (and in docs/architecture.md) before it can import or be imported.
"""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rfsn"
DOC = PACKAGE.parent / "docs" / "architecture.md"

# Top to bottom. The entry points (the package itself, __main__, api) sit above
# the CLI; llm beside the strategies that use it; runner joins sandbox and
# buildpacks for the controller; the neutral modules sit under the models.
LAYERS: tuple[str, ...] = (
    "__main__", "api", "cli", "batch", "controller", "planners", "llm", "gate",
    "runner", "sandbox", "buildpacks", "workspace", "models", "settings",
    "observability", "fsutil", "errors",
)
RANK = {part: rank for rank, part in enumerate(LAYERS)}
Edge = tuple[str, str, str]  # (importer part, imported part, where)


def _module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, package: Path) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not node.level:
        base = node.module or ""
    else:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    if base == "rfsn":  # ``from rfsn import x``: x is a part, or a name of the package itself
        return [f"rfsn.{alias.name}" for alias in node.names
                if (package / alias.name).is_dir() or (package / f"{alias.name}.py").is_file()]
    return [base]


def part_of(module: str) -> str | None:
    """The top-level part a dotted rfsn module belongs to (None for the package itself)."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 and pieces[0] == "rfsn" else None


def edges(package: Path = PACKAGE) -> list[Edge]:
    """Every import from one top-level part of rfsn into another."""
    found: list[Edge] = []
    for path in sorted(package.rglob("*.py")):
        module = _module_name(path, package)
        source = part_of(module)
        if source is None:
            continue  # rfsn/__init__.py: its lazy exports are names, not imports
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in map(part_of, _imported(node, module, path.name == "__init__.py", package)):
                    if target is not None and target != source:
                        found.append((source, target, f"{path.relative_to(package.parent)}:{node.lineno}"))
    return found


def cycles(graph: list[Edge]) -> list[list[str]]:
    """Strongly connected groups of more than one part (Tarjan)."""
    succ: dict[str, set[str]] = defaultdict(set)
    for a, b, _ in graph:
        succ[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in succ[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in list(succ):
        if node not in index:
            visit(node)
    return groups


def upward(graph: list[Edge]) -> list[Edge]:
    """Imports of a part at or above the importer in LAYERS, or of a part LAYERS does not place."""
    return [(a, b, where) for a, b, where in graph
            if a not in RANK or b not in RANK or RANK[b] <= RANK[a]]


def test_the_graph_is_found() -> None:
    """The walker sees what we know is there, function-level imports included."""
    graph = edges()
    assert ("controller", "planners") in {(a, b) for a, b, _ in graph}
    assert ("cli", "batch") in {(a, b) for a, b, _ in graph}
    assert len(graph) > 100


def test_no_cycle_between_parts() -> None:
    """No two top-level parts of rfsn import each other, however indirectly."""
    assert cycles(edges()) == []


def test_imports_run_one_way_down() -> None:
    """Each part imports only parts below it: cli -> batch -> controller -> planners -> gate -> sandbox -> buildpacks -> models."""
    assert upward(edges()) == []


def test_every_part_is_placed() -> None:
    """A new top-level module or subpackage must be given its place in the order."""
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" or (p / "__init__.py").exists()) and p.name != "__init__.py"}
    assert parts - set(RANK) == set()


def test_the_document_draws_the_same_order() -> None:
    """docs/architecture.md states the order this test enforces."""
    line = re.search(r"^order: (.+)$", DOC.read_text(), re.M)
    assert line is not None, "docs/architecture.md has no 'order:' line"
    assert tuple(part.strip(" `") for part in line.group(1).split("->")) == LAYERS


@pytest.mark.parametrize(("source", "expected"), [
    ("from rfsn.gate import Gate\n", [("planners", "gate")]),
    ("def f():\n    from ..controller import loop\n", [("planners", "controller")]),
    ("from rfsn import sandbox\n", [("planners", "sandbox")]),
    ("from . import meta\nimport os\nfrom rfsn import __version__\n", []),
])
def test_the_walker_reads_every_import_form(tmp_path: Path, source: str, expected: list[tuple[str, str]]) -> None:
    """Absolute, relative, function-level and package-attribute imports all count; stdlib does not."""
    root = tmp_path / "rfsn"
    for part in ("planners", "sandbox"):
        (root / part).mkdir(parents=True)
        (root / part / "__init__.py").write_text("")
    (root / "__init__.py").write_text("__version__ = '0'\n")
    (root / "planners" / "meta.py").write_text(source)
    assert [(a, b) for a, b, _ in edges(root)] == expected


def test_a_cycle_and_an_upward_import_are_caught() -> None:
    """The checks fail on what they are meant to stop."""
    graph = [("gate", "planners", "x:1"), ("planners", "gate", "y:1"), ("models", "brand_new", "z:1")]
    assert cycles(graph) == [["gate", "planners"]]
    assert [where for *_, where in upward(graph)] == ["x:1", "z:1"]
