"""Every template candidate over the repository's own corpora, as rows to compare byte for byte.

A refactoring of the planner must not change what it proposes: this dumps, for every source
file of the devset's projects, the seeded projects (Python and token bugs) and the examples,
each line taken as a suspicious location (windows of ``WINDOW`` lines, the first most
suspicious), the ranked candidates of the template strategy: project, path, line, template,
score and a digest of the patched text. Run it before and after; the digests must match.

    python benchmarks/dump_candidates.py [--out ROWS.tsv]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

from rfsn.planners.base import RepairContext
from rfsn.planners.localize import Location
from rfsn.planners.patch.strategies.template import TemplateStrategy

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (".py", ".js", ".mjs", ".ts", ".rs", ".go")
#: lines a context holds as locations (the strategy follows at most 40 Python lines at once)
WINDOW = 40


def _on_disk(base: Path) -> Iterator[tuple[str, dict[str, str]]]:
    for project in sorted(p for p in base.iterdir() if p.is_dir()):
        files = {
            p.relative_to(project).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(project.rglob("*"))
            if p.suffix in SOURCES and p.is_file() and "node_modules" not in p.parts and "target" not in p.parts
        }
        if files:
            yield f"{base.relative_to(ROOT).as_posix()}/{project.name}", files


def projects() -> Iterator[tuple[str, dict[str, str]]]:
    """(name, {path: source}) for every project of the corpora, in a fixed order."""
    yield from _on_disk(ROOT / "benchmarks" / "devset" / "projects")
    yield from _on_disk(ROOT / "benchmarks" / "seeded" / "projects")
    yield from _on_disk(ROOT / "examples")
    sys.path.insert(0, str(ROOT / "benchmarks" / "seeded"))
    from token_bugs import SEEDED  # the seeded JavaScript and Rust bugs, kept as text

    for bug in SEEDED:
        yield f"token_bugs/{bug.name}", bug.buggy_files()


def rows(name: str, files: dict[str, str]) -> Iterator[str]:
    strategy = TemplateStrategy(limit=10**6)
    for path, text in files.items():
        lines = text.count("\n") + 1
        for start in range(1, lines + 1, WINDOW):
            window = range(start, min(start + WINDOW, lines + 1))
            locations = [Location(path, n, 1.0 - (n - start) / 1e3) for n in window]
            context = RepairContext(
                workspace=ROOT, language="", failing=["t"], passing=[], locations=locations, files=files
            )
            for found in strategy.ranked(context):
                digest = hashlib.sha256(found.patched.encode()).hexdigest()[:16]
                yield f"{name}\t{found.path}\t{found.line}\t{found.template}\t{found.score:.6f}\t{digest}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the rows here (default: only the digest)")
    args = parser.parse_args()
    total, count = hashlib.sha256(), 0
    out = args.out.open("w", encoding="utf-8") if args.out else None
    for name, files in projects():
        for row in rows(name, files):
            total.update(row.encode())
            count += 1
            if out:
                out.write(row)
    if out:
        out.close()
    print(f"{count} candidates, sha256 {total.hexdigest()}")


if __name__ == "__main__":
    main()
