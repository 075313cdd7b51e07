"""Time to the template candidates of a session, against the plain way, in one run.

The template strategy ranks all its candidates before it hands out the first, so their
making is paid before any screening. The plain way checks each candidate by parsing the
whole patched file; rfsn parses only the smallest statement (or compound statement's header)
the edit touches, else its function or top-level statements (the rest is the original's, whole
statements that parsed); "fn" is the function unit alone (rfsn before statements). All three
must give the same candidates, in the same order: the script checks that, then prints the
seconds of each and the ratios.

The corpus is the largest Python modules of a tree (default: rfsn's own sources, so the
benchmark needs nothing fetched), every second line of each taken as a suspicious location.

    python benchmarks/bench_candidates.py [--root DIR] [--files N | --only PATH ... | --localized EVENTS]
"""

from __future__ import annotations

import argparse
import ast
import json
import time
from pathlib import Path

from rfsn.planners.base import RepairContext
from rfsn.planners.localize import Location
from rfsn.planners.patch.strategies.template import TemplateStrategy
from rfsn.planners.patch.templates.python import driver


def full_parse(self: driver.PythonReader, patched: str, context: object, changed: tuple[int, int]) -> bool:
    try:
        ast.parse(patched)
    except (SyntaxError, ValueError):
        return False
    return True


def ranked(
    root: Path, path: str, files: dict[str, str], localized: list[str] | None = None
) -> tuple[list[tuple[int, str, str]], float]:
    """The candidates at every second line of ``path`` (or at a session's ``localized`` lines,
    best first), and the seconds they took."""
    lines = files[path].count("\n")
    locations = (
        [Location(path, n, 1.0 - n / 1e5) for n in range(1, lines, 2)]
        if localized is None
        else [
            Location(where.rsplit(":", 1)[0], int(where.rsplit(":", 1)[1]), 1.0 - n / 1e3)
            for n, where in enumerate(localized)
        ]
    )
    context = RepairContext(
        workspace=root, language="python", failing=["t"], passing=[], locations=locations, files=files
    )
    started = time.perf_counter()
    found = TemplateStrategy().ranked(context)
    return [(c.line, c.template, c.patched) for c in found], time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--only", nargs="+", default=[], help="these modules (paths under --root) instead")
    parser.add_argument(
        "--localized",
        type=Path,
        help="a session's events.jsonl: the lines its localization "
        "ranked, in place of every second line of each module",
    )
    args = parser.parse_args()
    localized = (
        None
        if args.localized is None
        else next(
            json.loads(line)["ranked"]
            for line in args.localized.read_text().splitlines()
            if '"planner.localized"' in line
        )
    )
    files = {
        p.relative_to(args.root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(args.root.rglob("*.py"))
        if ".venv" not in p.parts and "tests" not in p.parts
    }
    largest = args.only or sorted(files, key=lambda p: -len(files[p]))[: args.files]
    if localized is not None:  # the session's files, once: each run ranks all its lines
        largest = list(dict.fromkeys(where.rsplit(":", 1)[0] for where in localized))[:1]
    local_total = plain_total = unit_total = 0.0
    print(
        f"{'file':50} {'lines':>6} {'candidates':>10} {'rfsn s':>8} {'fn s':>8} {'plain s':>8} "
        f"{'fn/rfsn':>7} {'plain/rfsn':>10}"
    )
    for path in largest:
        mine, local = ranked(args.root, path, files, localized)
        kept, statement = driver.PythonReader.valid, driver._changed_statement
        driver._changed_statement = lambda *_: None  # type: ignore[assignment]
        try:  # the unit of a change its function (or top-level statements), as before statements
            by_function, unit = ranked(args.root, path, files, localized)
        finally:
            driver._changed_statement = statement
        driver.PythonReader.valid = full_parse  # type: ignore[method-assign]
        try:
            theirs, plain = ranked(args.root, path, files, localized)
        finally:
            driver.PythonReader.valid = kept  # type: ignore[method-assign]
        if mine != theirs or by_function != theirs:
            raise SystemExit(f"{path}: the candidates differ from the plain way's")
        local_total, plain_total, unit_total = local_total + local, plain_total + plain, unit_total + unit
        print(
            f"{path:50} {files[path].count(chr(10)):6d} {len(mine):10d} {local:8.2f} {unit:8.2f} {plain:8.2f} "
            f"{unit / local:7.1f} {plain / local:10.1f}"
        )
    print(
        f"{'all':50} {'':6} {'':10} {local_total:8.2f} {unit_total:8.2f} {plain_total:8.2f} "
        f"{unit_total / local_total:7.1f} {plain_total / local_total:10.1f}"
    )


if __name__ == "__main__":
    main()
