"""The package graph runs one way, in the order docs/architecture.md draws.

Every ``import rfsn.X`` / ``from rfsn.X import`` in rfsn/ (module level or
inside a function) is an edge between layers; an edge may only point down.
"""

from __future__ import annotations

import ast
import re

from tests.paths import ROOT

#: top to bottom; a part may import its own layer and the layers below it
LAYERS: list[set[str]] = [
    {"cli", "__main__"},
    {"batch"},
    {"controller"},
    {"planners", "llm"},
    {"gate"},
    {"runner"},
    {"sandbox"},
    {"buildpacks"},
    {"workspace", "settings", "plugins", "observability"},
    {"models", "errors", "fsutil"},
]
PACKAGE = ROOT / "rfsn"


def _layer(part: str) -> int:
    for index, parts in enumerate(LAYERS):
        if part in parts:
            return index
    raise AssertionError(f"rfsn.{part} has no layer: add it to LAYERS and docs/architecture.md")


def _edges() -> list[tuple[str, str, str]]:
    """(importing part, imported part, file) for every import between parts."""
    edges = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("").parts
        if rel == ("__init__",):
            continue  # the package root re-exports the library API lazily
        source = rel[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                parts = name.split(".")
                if parts[0] == "rfsn" and len(parts) > 1 and parts[1] != source:
                    edges.append((source, parts[1], str(path.relative_to(ROOT))))
    return edges


def test_every_part_has_a_layer() -> None:
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" or (p / "__init__.py").exists()) and p.stem != "__init__"}
    for part in parts:
        _layer(part)


def test_imports_only_point_down() -> None:
    upward = [f"{file}: rfsn.{src} imports rfsn.{dst}" for src, dst, file in _edges()
              if _layer(dst) < _layer(src)]
    assert upward == []


def test_no_cycle_between_parts() -> None:
    graph: dict[str, set[str]] = {}
    for src, dst, _ in _edges():
        graph.setdefault(src, set()).add(dst)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert [p for p in graph if reaches(p, p, {p})] == []


def test_the_architecture_doc_draws_the_same_order() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = re.search(r"```text\n(.*?)```", doc.split("## Dependency order", 1)[1], re.S)
    assert drawn, "docs/architecture.md has no drawn dependency order"
    rows = [set(re.findall(r"\b([a-z_]+)\b", line)) for line in drawn.group(1).splitlines()]
    assert [r for r in rows if r] == [layer - {"__main__"} for layer in LAYERS]
