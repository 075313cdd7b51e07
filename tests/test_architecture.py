"""The package graph runs one way, in the order docs/architecture.md draws.

Every import in rfsn/ is an edge between parts: module level, inside a
function or under TYPE_CHECKING; absolute, relative, or ``from rfsn import
part``; ``import rfsn`` and ``from rfsn import name`` reach the package root, the
library API, which sits on the top row. An edge may only point to the importer's own
row or a row below it, and no two parts may import each other, however indirectly.
Inside a part, the modules' imports form no cycle either, by any kind of import.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from tests.paths import ROOT

#: top to bottom; a part may import its own layer and the layers below it
LAYERS: list[set[str]] = [
    {"cli", "__main__", "rfsn"},  # rfsn: the package root, the library API
    {"batch"},
    {"controller"},
    {"planners", "llm"},
    {"gate"},
    {"runner"},
    {"sandbox"},
    {"buildpacks"},
    {"workspace", "settings", "plugins", "observability"},
    {"models", "errors", "fsutil", "version", "patches", "hostgit", "inputs", "lazy"},
]
PACKAGE = ROOT / "rfsn"
Edge = tuple[str, str, str]  # (importing part, imported part, file:line)


def _layer(part: str) -> int:
    for index, parts in enumerate(LAYERS):
        if part in parts:
            return index
    raise AssertionError(f"rfsn.{part} has no layer: add it to LAYERS and docs/architecture.md")


def _targets(node: ast.Import | ast.ImportFrom, module: list[str], package: Path) -> list[str]:
    """The dotted rfsn modules (or parts) one import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: resolved against the importing module's package
        anchor = module[: len(module) - node.level]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    if base == "rfsn":  # ``from rfsn import x``: x is a part, or a name the package root exports
        return [
            f"rfsn.{alias.name}"
            if (package / alias.name).is_dir() or (package / f"{alias.name}.py").is_file()
            else "rfsn"
            for alias in node.names
        ]
    return [base]


def edges(package: Path = PACKAGE) -> list[Edge]:
    """(importing part, imported part, where) for every import between two parts of rfsn."""
    found: list[Edge] = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).with_suffix("").parts
        if rel == ("__init__",):
            continue  # the package root re-exports the library API lazily
        module = ["rfsn", *rel]  # for __init__ the last piece stands in for the package's own level
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in dict.fromkeys(_targets(node, module, package)):
                parts = [*name.split("."), "rfsn"]  # a bare ``rfsn`` is the package root
                if parts[0] == "rfsn" and parts[1] != rel[0]:
                    found.append((rel[0], parts[1], f"{path.relative_to(package.parent)}:{node.lineno}"))
    return found


def upward(graph: list[Edge]) -> list[str]:
    return [
        f"{where}: rfsn.{src} imports {'rfsn' if dst == 'rfsn' else 'rfsn.' + dst}"
        for src, dst, where in graph
        if _layer(dst) < _layer(src)
    ]


def cycles(graph: list[Edge]) -> list[list[str]]:
    """Groups of two or more parts that reach each other (Tarjan's strongly connected components)."""
    succ: dict[str, set[str]] = defaultdict(set)
    for src, dst, _ in graph:
        succ[src].add(dst)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(succ[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = [stack.pop()]
            while group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(succ):
        if node not in index:
            visit(node)
    return groups


def test_every_part_has_a_layer() -> None:
    parts = {
        p.stem if p.is_file() else p.name
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" or (p / "__init__.py").exists()) and p.stem != "__init__"
    }
    for part in parts:
        _layer(part)


def test_the_walker_sees_the_known_graph() -> None:
    """A walker that found nothing would pass everything: it must see edges we know exist."""
    pairs = {(src, dst) for src, dst, _ in edges()}
    assert {
        ("cli", "batch"),
        ("controller", "planners"),
        ("controller", "gate"),
        ("planners", "patches"),
        ("sandbox", "buildpacks"),
        ("gate", "models"),
    } <= pairs


def test_imports_only_point_down() -> None:
    assert upward(edges()) == []


def test_no_cycle_between_parts() -> None:
    assert cycles(edges()) == []


def test_the_architecture_doc_draws_the_same_order() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = re.search(r"```text\n(.*?)```", doc.split("## Dependency order", 1)[1], re.S)
    assert drawn, "docs/architecture.md has no drawn dependency order"
    rows = [set(re.findall(r"\b([a-z_]+)\b", line)) for line in drawn.group(1).splitlines()]
    assert [r for r in rows if r] == [layer - {"__main__"} for layer in LAYERS]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from rfsn.gate import Gate\n", [("planners", "gate")]),
        ("import rfsn.controller.loop\n", [("planners", "controller")]),
        ("def f():\n    from ..controller import loop\n", [("planners", "controller")]),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from rfsn.batch import x\n",
            [("planners", "batch")],
        ),
        ("from rfsn import sandbox\n", [("planners", "sandbox")]),
        ("from . import meta\nfrom .meta import x\nimport os\n", []),
        ("def f():\n    import rfsn\n", [("planners", "rfsn")]),
        ("from rfsn import __version__\n", [("planners", "rfsn")]),
    ],
    ids=[
        "absolute",
        "dotted",
        "relative-in-function",
        "type-checking",
        "package-attribute",
        "inside-or-not-a-part",
        "bare-package",
        "package-root-name",
    ],
)
def test_the_walker_reads_every_import_form(tmp_path: Path, source: str, expected: list[tuple[str, str]]) -> None:
    root = tmp_path / "rfsn"
    for part in ("planners", "sandbox"):
        (root / part).mkdir(parents=True)
        (root / part / "__init__.py").write_text("")
    (root / "__init__.py").write_text("__version__ = '0'\n")
    (root / "planners" / "meta.py").write_text(source)
    assert [(src, dst) for src, dst, _ in edges(root)] == expected


def test_an_upward_import_and_a_cycle_are_caught() -> None:
    """The checks fail on what they exist to stop (planners and llm share a row, so only a cycle catches them)."""
    graph = [("gate", "planners", "x:1"), ("planners", "llm", "y:1"), ("llm", "planners", "z:1")]
    assert upward(graph) == ["x:1: rfsn.gate imports rfsn.planners"]
    assert cycles(graph) == [["llm", "planners"]]


def _module_of(path: Path, package: Path) -> str:
    rel = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(rel[:-1] if rel[-1] == "__init__" else rel)


def module_edges(package: Path = PACKAGE) -> list[Edge]:
    """(importer, imported module, where) for imports between modules of one part, at any depth:
    one inside a function or under TYPE_CHECKING ties the two modules together all the same."""
    files = {_module_of(p, package): p for p in package.rglob("*.py")}
    found: list[Edge] = []
    for name, path in sorted(files.items()):
        rel = path.relative_to(package).with_suffix("").parts
        module = ["rfsn", *rel]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            targets = _targets(node, module, package)
            if isinstance(node, ast.ImportFrom):  # ``from pkg import mod`` names the module mod
                targets = [f"{t}.{a.name}" if f"{t}.{a.name}" in files else t for t in targets for a in node.names]
            for target in dict.fromkeys(targets):
                if target in files and target != name and len(rel) > 1 and target.split(".")[1:2] == [rel[0]]:
                    found.append((name, target, f"{path.relative_to(package.parent)}:{node.lineno}"))
    return found


def test_no_cycle_between_modules_of_a_part() -> None:
    assert cycles(module_edges()) == []


def test_a_module_cycle_inside_a_part_is_caught(tmp_path: Path) -> None:
    """Imports that close a loop are a cycle, one inside a function or under TYPE_CHECKING too."""
    part = tmp_path / "rfsn" / "planners"
    part.mkdir(parents=True)
    (tmp_path / "rfsn" / "__init__.py").write_text("")
    (part / "__init__.py").write_text("")
    (part / "a.py").write_text("from rfsn.planners import b\n")
    (part / "b.py").write_text("from .c import x\n")
    (part / "c.py").write_text("import rfsn.planners.a\nx = 1\n")
    (part / "d.py").write_text("from . import a\n")
    (part / "e.py").write_text("def f():\n    from . import d\n")
    (part / "f.py").write_text("def f():\n    from . import g\n")
    (part / "g.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .f import f\n")
    assert cycles(module_edges(tmp_path / "rfsn")) == [
        ["rfsn.planners.a", "rfsn.planners.b", "rfsn.planners.c"],
        ["rfsn.planners.f", "rfsn.planners.g"],
    ]


BATCH_COMMANDS = {"rfsn.batch.infer", "rfsn.batch.evaluate", "rfsn.batch.validate"}


def test_the_batch_harness_never_imports_a_command() -> None:
    """The per-instance work (rfsn.batch.harness) is called by the commands, never the reverse."""
    wrong = [
        where
        for importer, target, where in module_edges()
        if importer.startswith("rfsn.batch.harness") and target in BATCH_COMMANDS
    ]
    assert wrong == []
    assert any(
        i == "rfsn.batch.evaluate" and t.startswith("rfsn.batch.harness") for i, t, _ in module_edges()
    )  # the walker sees the commands' imports


def test_the_planner_sees_strategies_only_through_their_protocol() -> None:
    """No module of rfsn.planners outside the strategies imports one: the meta-planner works with
    any PatchStrategy, the built-in ones included."""
    wrong = [
        where
        for importer, target, where in module_edges()
        if importer.startswith("rfsn.planners")
        and not importer.startswith("rfsn.planners.patch.strategies")
        and target.startswith("rfsn.planners.patch.strategies")
    ]
    assert wrong == []


TEMPLATES = PACKAGE / "planners" / "patch" / "templates"


def _all_imports(path: Path) -> list[ast.ImportFrom]:
    """Every ``from ... import`` of a module, at any depth (TYPE_CHECKING and functions too)."""
    return [n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.ImportFrom)]


def test_the_two_template_languages_are_peers_on_one_core() -> None:
    """python/ and tokens/ each build on the core and never import each other, at any depth."""
    wrong = []
    for language, other in (("python", "tokens"), ("tokens", "python")):
        for path in sorted((TEMPLATES / language).rglob("*.py")):
            for node in _all_imports(path):
                if (node.module or "").startswith(f"rfsn.planners.patch.templates.{other}"):
                    wrong.append(f"{path.relative_to(PACKAGE)}:{node.lineno} imports {node.module}")
    assert wrong == []


def test_no_template_module_imports_a_private_name_of_another() -> None:
    wrong = [
        f"{path.relative_to(PACKAGE)}:{node.lineno} {alias.name}"
        for path in sorted(TEMPLATES.rglob("*.py"))
        for node in _all_imports(path)
        if (node.module or "").startswith("rfsn.")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert wrong == []


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    args = node.args
    names = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    named = [arg.arg for arg in names if arg is not None]
    return len(named) - (1 if named[:1] in (["self"], ["cls"]) else 0)


def _over_the_limits(package: Path) -> set[str]:
    """Modules over 300 lines or with a docstring over 15; functions over 50 lines or 8 parameters."""
    long = set()
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        doc = ast.get_docstring(tree, clean=False) or ""
        name = path.relative_to(package).as_posix()
        long |= {
            f"{name}: {what}"
            for what, over in (("lines", len(text.splitlines()) > 300), ("docstring", len(doc.splitlines()) > 15))
            if over
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                long |= {
                    f"{name}:{node.name}: {what}"
                    for what, over in (("lines", size > 50), ("parameters", _parameters(node) > 8))
                    if over
                }
    return long


def test_every_module_reads_in_a_sitting() -> None:
    """No module over 300 lines, no function over 50 lines or 8 parameters, no module docstring over 15 lines."""
    assert sorted(_over_the_limits(ROOT / "rfsn")) == []


#: the language packs: each folder of rfsn/buildpacks
PACKS = frozenset(p.name for p in (PACKAGE / "buildpacks").iterdir() if (p / "__init__.py").is_file())


def pack_imports(package: Path = PACKAGE) -> list[str]:
    """Where a module outside rfsn/buildpacks imports a language pack (``rfsn.buildpacks.python``,
    ``from rfsn.buildpacks import node``, ...), at any depth: generic code asks ``rfsn.buildpacks``."""
    packs = frozenset(p.name for p in (package / "buildpacks").iterdir() if (p / "__init__.py").is_file())
    found = []
    for path in sorted(package.rglob("*.py")):
        rel, where = path.relative_to(package), path.relative_to(package.parent).as_posix()
        if rel.parts[0] == "buildpacks":
            continue
        module = ["rfsn", *rel.with_suffix("").parts]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            names = _targets(node, module, package)
            if isinstance(node, ast.ImportFrom):
                names += [f"{name}.{alias.name}" for name in names for alias in node.names]
            if any(
                name.split(".")[1:2] == ["buildpacks"] and name.split(".")[2:3] in ([p] for p in packs)
                for name in names
            ):
                found.append(f"{where}:{node.lineno}")
    return found


def test_only_the_buildpacks_import_a_language_pack() -> None:
    assert {"python", "node", "go", "rust", "java"} <= PACKS
    assert pack_imports() == []


def test_an_import_of_a_language_pack_is_caught(tmp_path: Path) -> None:
    package = tmp_path / "rfsn"
    for folder in ("buildpacks/python", "buildpacks/node", "gate", "batch/harness"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "buildpacks" / "languages.py").write_text("")
    (package / "buildpacks" / "node" / "buildpack.py").write_text("from rfsn.buildpacks.python import pyenv\n")
    (package / "gate" / "a.py").write_text("from rfsn.buildpacks import languages\nfrom rfsn import buildpacks\n")
    (package / "gate" / "b.py").write_text("def f():\n    from rfsn.buildpacks import node\n")
    (package / "gate" / "c.py").write_text("import rfsn.buildpacks.python.pyenv\n")
    (package / "gate" / "d.py").write_text("from ..buildpacks.node.buildpack import x\n")
    (package / "batch" / "harness" / "e.py").write_text("from rfsn.buildpacks.python import pyenv\n")
    assert pack_imports(package) == [
        "rfsn/batch/harness/e.py:1",
        "rfsn/gate/b.py:2",
        "rfsn/gate/c.py:1",
        "rfsn/gate/d.py:1",
    ]


def capability_probes(package: Path = PACKAGE) -> list[str]:
    """Where a module outside rfsn/buildpacks asks ``isinstance(x, SomethingCapable)`` (or a tuple
    holding one): generic code asks ``rfsn.buildpacks.parts`` what a buildpack can do."""
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).parts[0] == "buildpacks":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance"):
                continue
            kinds = node.args[1:2]
            kinds = [*kinds, *(e for k in kinds if isinstance(k, ast.Tuple) for e in k.elts)]
            names = [
                k.id if isinstance(k, ast.Name) else k.attr for k in kinds if isinstance(k, ast.Name | ast.Attribute)
            ]
            if any(name.endswith("Capable") for name in names):
                found.append(f"{path.relative_to(package.parent).as_posix()}:{node.lineno}")
    return found


def test_no_capability_is_probed_outside_the_buildpacks() -> None:
    assert capability_probes() == []


def test_a_capability_probe_is_caught(tmp_path: Path) -> None:
    package = tmp_path / "rfsn"
    (package / "runner").mkdir(parents=True)
    (package / "buildpacks").mkdir()
    (package / "buildpacks" / "parts.py").write_text("isinstance(b, CoverageCapable)\n")
    (package / "runner" / "a.py").write_text(
        "isinstance(b, base.WarmCapable)\nisinstance(b, (int, CrashCapable))\nisinstance(b, int)\n"
    )
    assert capability_probes(package) == ["rfsn/runner/a.py:1", "rfsn/runner/a.py:2"]
