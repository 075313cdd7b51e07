"""Template priors learned from the design part's fixes: which templates write the fixes
developers really made, and how many candidates they spend to do it.

For each Python fix of the design part, every template of the catalogue proposes its edits at
the gold hunk's lines, as the driver does (the wide ones at the first ``WIDE_LOCATIONS``, every
line at suspiciousness 1); each distinct candidate is kept with its template, its score without
the prior and whether it writes the fix (AST-equal, as `expressiveness`). Per template, the
fixes it writes and its candidates' score mass (the sum of those scores) are the counts
``mined_counts.py`` holds (``--write``); ``mined.priors`` turns them into priors. ``--ranks``
prints the rank of the gold candidate
after the driver's ranking and budget spread (``budget.spread``) under the hand priors and under
priors learned from the other half of the design projects (two folds by project), so the
figure is not measured on the fixes it was learned from. Test-part fixes are never read.

    python benchmarks/fixes/priors.py [--ranks] [--write] [--test] [--weight W ...] [--cache DIR] [--repos DIR]
        [--pickle FILE]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import pickle
import signal
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rfsn.planners.code.candidates import Candidate, Splice
from rfsn.planners.code.location import Location
from rfsn.planners.patch.templates.budget import spread
from rfsn.planners.patch.templates.driver import WIDE_LOCATIONS, candidates_at
from rfsn.planners.patch.templates.python.base import FileContext
from rfsn.planners.patch.templates.python.catalogue import CATALOGUE
from rfsn.planners.patch.templates.python.driver import PythonReader
from rfsn.planners.patch.templates.python.material import EMPTY, Material

sys.path.insert(0, str(Path(__file__).parent))
import expressiveness as ex
import mined
from mined_counts import FIXES

HERE = Path(__file__).parent
HAND_PRIORS = {t.name: t.prior for t in CATALOGUE}


@dataclass
class Fix:
    """One design fix's candidates: template, line, score without the prior, splices, digest
    of the result, whether it writes the fix."""

    project: str
    before: str
    cands: list[tuple[str, int, float, tuple[tuple[int, int, str], ...], bytes, bool]] = field(default_factory=list)


def collect(row: dict[str, Any], before: str, after: str, tests: Material = EMPTY) -> Fix:
    """Every distinct candidate the catalogue makes at the fix's lines (``CATALOGUE``: the scores
    without prior do not depend on the priors; ``tests``: the tests-given material)."""
    target = ex.Target(before, after)
    ctx, check = (
        FileContext(row["file"], before, target.tree, {row["file"]: before}, tests),
        ex.writes(target, after, row["hunk_header"]),
    )
    fix, gold = Fix(row["project"], before), dict[bytes, bool]()
    narrow = [t for t in CATALOGUE if not t.wide]
    for index, line in enumerate(ex.locations(row["hunk_header"])):
        here = CATALOGUE if index < WIDE_LOCATIONS else narrow
        for cand, digest in candidates_at(PythonReader(), ctx, Location(row["file"], line, 1.0), here):
            if digest not in gold:
                gold[digest] = check(cand.splices)
            splices = tuple((s.start, s.end, s.text) for s in cand.splices)
            base = cand.score / HAND_PRIORS[cand.template]
            fix.cands.append((cand.template, line, base, splices, digest, gold[digest]))
    return fix


def rank(fix: Fix, priors: dict[str, float]) -> int | None:
    """Where the first candidate that writes the fix comes after the driver's ranking (the
    best score of equal results, then ``budget.spread``); None when none does."""
    best: dict[str, tuple[float, int, Any]] = {}
    for order, cand in enumerate(fix.cands):
        key = cand[4].hex()
        score = cand[2] * priors[cand[0]]
        if key not in best or score > best[key][0]:
            best[key] = (score, best[key][1] if key in best else order, cand)
    if not any(cand[5] for _, _, cand in best.values()):
        return None
    ranked = spread(
        [
            Candidate(
                path=fix.project,
                line=c[1],
                template=c[0],
                description=key,
                score=score,
                original=fix.before,
                patched="",
                splices=tuple(Splice(*s) for s in c[3]),
            )
            for key, (score, _, c) in sorted(best.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
        ]
    )
    gold = {key for key, (_, _, c) in best.items() if c[5]}
    return next(i for i, c in enumerate(ranked, 1) if c.description in gold)


def counts(fixes: list[Fix]) -> dict[str, tuple[int, float]]:
    """Per template: the fixes one of its candidates writes, and its candidates' score mass."""
    hits, mass = Counter[str](), Counter[str]()
    for fix in fixes:
        for name in {c[0] for c in fix.cands if c[5]}:
            hits[name] += 1
        for (name, _), base in {(c[0], c[4]): c[2] for c in reversed(fix.cands)}.items():
            mass[name] += base  # a template's equal results at several lines count once
    return {name: (hits[name], round(mass[name], 2)) for name in sorted(mass)}


def fold(project: str) -> int:
    return int(hashlib.sha256(project.encode()).hexdigest(), 16) % 2


def summary(ranks: list[int | None]) -> str:
    found = [r for r in ranks if r is not None]
    if not found:
        return "no fix written"
    within = {n: sum(r <= n for r in found) for n in (10, 30)}
    return (
        f"{len(found)} fixes: rank mean {statistics.mean(found):.1f}, median {statistics.median(found):g}, "
        + ", ".join(f"within {n} {k} ({k / len(found):.0%})" for n, k in within.items())
    )


def part_fixes(part: str, repos: Path, cache: Path | None, limit: int, given: bool = False) -> list[Fix]:
    """Every fix's candidates in ``part`` (a fix whose candidates take over ``limit`` seconds,
    or whose file does not parse, has none; ``given``: with its touched tests' material)."""
    with gzip.open(HERE / "fixes.jsonl.gz", "rt") as fh:
        rows = [r for r in map(json.loads, fh) if r["language"] == "python" and r["split"] == part]
    signal.signal(signal.SIGALRM, ex._late)
    fixes = []
    for row in rows:
        before, after = ex.show(repos, row, row["parent"], cache), ex.show(repos, row, row["commit"], cache)
        signal.alarm(limit)
        try:
            fixes.append(collect(row, before, after, ex.material_of(repos, row, cache) if given else EMPTY))
        except (ex._Late, SyntaxError, ValueError):
            fixes.append(Fix(row["project"], before))
        finally:
            signal.alarm(0)
    return fixes


def write(table: dict[str, tuple[int, float]], path: Path) -> None:
    lines = "".join(f'    "{name}": {value},\n' for name, value in table.items())
    path.write_text(
        '"""Made by benchmarks/fixes/priors.py --write: per template, the design part\'s fixes one of\n'
        'its candidates writes and its candidates\' score mass at those fixes\' lines (``mined``)."""\n\n'
        f"FIXES: dict[str, tuple[int, float]] = {{\n{lines}}}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=Path, default=Path("/work/data/fixes-repos"))
    parser.add_argument("--cache", type=Path, help="a directory keeping the files read from git")
    parser.add_argument("--pickle", type=Path, help="keeps the candidates collected, for reruns")
    parser.add_argument("--limit", type=int, default=30, help="seconds for one fix's candidates")
    parser.add_argument("--ranks", action="store_true", help="the gold candidate's rank, hand and learned priors")
    parser.add_argument("--write", action="store_true", help="write the counts into mined_counts.py")
    parser.add_argument("--test", action="store_true", help="the test part's ranks under the mined table (counts only)")
    parser.add_argument("--weight", type=float, nargs="*", default=[0.1], help="weights of the record to rank with")
    parser.add_argument("--tests-given", action="store_true", help="templates get the touched tests' material")
    args = parser.parse_args()
    part = "test" if args.test else "design"
    if args.pickle and args.pickle.exists():
        fixes = pickle.loads(args.pickle.read_bytes())
    else:
        fixes = part_fixes(part, args.repos, args.cache, args.limit, args.tests_given)
        if args.pickle:
            args.pickle.write_bytes(pickle.dumps(fixes))
    written = sum(any(c[5] for c in f.cands) for f in fixes)
    print(f"{part}: {len(fixes)} fixes, {written} written by some candidate")
    if args.test:
        print("hand priors:   ", summary([rank(f, HAND_PRIORS) for f in fixes]))
        for weight in args.weight:
            print(f"mined, {weight}:", summary([rank(f, mined.priors(HAND_PRIORS, FIXES, weight)) for f in fixes]))
    elif args.ranks:
        print("hand priors:   ", summary([rank(f, HAND_PRIORS) for f in fixes]))
        tables = {k: counts([f for f in fixes if fold(f.project) != k]) for k in (0, 1)}
        for weight in args.weight:  # learned on the other half of the projects
            learned = [rank(f, mined.priors(HAND_PRIORS, tables[fold(f.project)], weight)) for f in fixes]
            print(f"mined, {weight}:", summary(learned))
    if args.write and not args.test:
        write(counts(fixes), Path(mined.__file__).with_name("mined_counts.py"))


if __name__ == "__main__":
    main()
