"""Whether a fix's new text is in the tests the fixing commit touched (issue 71, tests given).

A fix's *new text* is each literal, name, attribute and keyword its differing parts hold and the
file before it does not (``new_text``). For every design fix whose commit touched test files (the
``tests`` field), those files are read at the fixing commit and each new item looked up in them:
``exact`` (a literal of equal value, an identifier of that name), else ``within`` (a string that
holds it or that it holds, three characters or more). Printed by the fix's class (its shape, and
whether some candidate writes it when ``--expressed FILE`` gives a per-fix record with
``commit`` and ``found``). Design rows only.

    python benchmarks/fixes/testtext.py [--expressed FILE] [--cache DIR]
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from expressiveness import show
from shapes import differences, shape

HERE = Path(__file__).parent
Item = tuple[str, Any]  # ("literal", value) | ("name" | "attribute" | "keyword", identifier)


def identifiers(tree: ast.AST) -> set[str]:
    """Pure: every identifier a tree binds, reads, defines or passes as a keyword."""
    out: set[str] = set()
    for node in ast.walk(tree):
        for value in (getattr(node, f, None) for f in ("id", "attr", "arg", "name", "asname")):
            if isinstance(value, str):
                out.add(value)
    return out


def literals(tree: ast.AST) -> set[Any]:
    """Pure: the string, bytes and number literals of a tree (not booleans or None)."""
    return {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and not isinstance(n.value, bool) and n.value is not None
    }


def _item(node: ast.AST) -> Item | None:
    if isinstance(node, ast.Constant) and not isinstance(node.value, bool) and node.value is not None:
        return ("literal", node.value)
    if isinstance(node, ast.Name):
        return ("name", node.id)
    if isinstance(node, ast.Attribute):
        return ("attribute", node.attr)
    if isinstance(node, ast.keyword) and node.arg:
        return ("keyword", node.arg)
    return None


def new_text(before: str, after: str) -> list[Item]:
    """Pure: the literals and identifiers of the fix's differing parts the old file lacks."""
    old_tree = ast.parse(before)
    known_ids, known_lits = identifiers(old_tree), literals(old_tree)
    items: list[Item] = []
    for old, new, where in differences(old_tree, ast.parse(after), limit=16):
        if not isinstance(new, ast.AST | list):
            kind = {".id": "name", ".attr": "attribute", ".arg": "keyword"}.get(where[where.rfind(".") :])
            found = [(kind, new)] if kind and isinstance(new, str) else [("literal", new)]
        else:
            olds = {
                ast.dump(n)
                for o in (old if isinstance(old, list) else [old])
                if isinstance(o, ast.AST)
                for n in ast.walk(o)
            }
            nodes = [
                n for x in (new if isinstance(new, list) else [new]) if isinstance(x, ast.AST) for n in ast.walk(x)
            ]
            found = [i for n in nodes if ast.dump(n) not in olds and (i := _item(n)) is not None]
        for kind, value in found:
            if kind == "literal":
                if value is not None and not isinstance(value, bool) and value not in known_lits:
                    items.append((kind, value))
            elif value not in known_ids:
                items.append((kind, value))
    return list(dict.fromkeys(items))


def where_found(item: Item, ids: set[str], lits: set[Any]) -> str:
    """Pure: ``exact``, ``within`` or ``absent`` for one new item among a test text's material."""
    kind, value = item
    if kind != "literal":
        return "exact" if value in ids else "absent"
    if value in lits:
        return "exact"
    if isinstance(value, str | bytes) and len(value) >= 3:
        same = [t for t in lits if type(t) is type(value) and len(t) >= 3]
        if any(value in t or t in value for t in same):
            return "within"
    return "absent"


def group(name: str) -> str:
    """Pure: the coarse class of a shape (session 34's classes)."""
    if name.startswith("several edits"):
        return "several edits"
    if name in ("replaced constant", "element added"):
        return "new literal (replaced constant, element added)"
    if any(w in name for w in ("inserted", "wrapped in", "condition extended")):
        return "inserted statements, guards, wraps"
    return "other"


def measure(repos: Path, row: dict[str, Any], cache: Path | None) -> dict[str, Any]:
    """One fix: its class, its new items and where each is found in the touched test files."""
    before, after = show(repos, row, row["parent"], cache), show(repos, row, row["commit"], cache)
    items = new_text(before, after)
    ids: set[str] = set()
    lits: set[Any] = set()
    for path in row["tests"]:
        if not path.endswith(".py"):
            continue
        try:
            tree = ast.parse(show(repos, {**row, "file": path}, row["commit"], cache))
        except (SyntaxError, ValueError, OSError, Exception):  # a deleted file, or one that does not parse
            continue
        ids |= identifiers(tree)
        lits |= literals(tree)
    found = [where_found(i, ids, lits) for i in items]
    kinds = [kind for kind, _ in items]
    return {
        "commit": row["commit"],
        "class": group(shape(before, after)),
        "items": len(items),
        "kinds": kinds,
        "found": found,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixes", type=Path, default=HERE / "fixes.jsonl.gz")
    parser.add_argument("--repos", type=Path, default=Path("/work/data/fixes-repos"))
    parser.add_argument("--expressed", type=Path, help="per-fix records (commit, found): count the misses only")
    parser.add_argument("--cache", type=Path)
    args = parser.parse_args()
    with gzip.open(args.fixes, "rt") as fh:
        rows = [json.loads(line) for line in fh]
    rows = [r for r in rows if r["language"] == "python" and r["split"] == "design"]
    hit = {}
    if args.expressed:
        hit = {json.loads(line)["commit"]: json.loads(line)["found"] for line in args.expressed.open()}
    table: Counter[tuple[str, str]] = Counter()
    kinds: Counter[tuple[str, str]] = Counter()
    for row in rows:
        if hit.get(row["commit"]):
            continue
        got = measure(args.repos, row, args.cache) if row["tests"] else None
        cls = got["class"] if got else "(no test touched)"
        table[cls, "misses"] += 1
        if got is None or not got["items"]:
            table[cls, "no new text" if got else "-"] += 1
            continue
        table[cls, "new text"] += 1
        found = got["found"]
        for kind, where in zip(got["kinds"], found, strict=True):
            kinds[kind, where] += 1
        table[cls, "all exact"] += all(f == "exact" for f in found)
        table[cls, "all exact or within"] += all(f != "absent" for f in found)
        table[cls, "some"] += any(f != "absent" for f in found)
    cols = ("misses", "no new text", "new text", "all exact", "all exact or within", "some")
    print("| class (design misses) | " + " | ".join(cols) + " |\n|" + " --- |" * (len(cols) + 1))
    for cls in sorted({c for c, _ in table}):
        print(f"| {cls} | " + " | ".join(str(table[cls, c]) for c in cols) + " |")
    print("\n| new item (design misses) | exact | within | absent |\n| --- | --- | --- | --- |")
    for kind in ("literal", "name", "attribute", "keyword"):
        print(f"| {kind} | " + " | ".join(str(kinds[kind, w]) for w in ("exact", "within", "absent")) + " |")


if __name__ == "__main__":
    main()
