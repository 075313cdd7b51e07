"""Expressiveness of the Python template catalogue on the fixes corpus: the share of gold fixes
some candidate writes, independent of localization and budget.

For each Python fix of the chosen split, the file before the fix is read, the hunk's old lines
(for a pure insertion, the lines around it) are the locations, and every template of the
catalogue proposes its edits there (``candidates_at``, no sandbox, no ranking or budget, only
the file itself as context). A fix is *expressed* when some candidate's file is AST-equal
(``ast.dump``, formatting and comments ignored) to the file after the fix. Printed per split
and per project; ``--shapes`` also prints the design part's most frequent edit shapes
(shapes.py), the material for pattern mining. Test-part fixes are only counted, never listed.

    python benchmarks/fixes/expressiveness.py [--split test|design|all] [--per-project] [--shapes]
"""

from __future__ import annotations

import argparse
import ast
import bisect
import gzip
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from rfsn.planners.code.candidates import apply_splices
from rfsn.planners.code.location import Location
from rfsn.planners.patch.templates.driver import candidates_at
from rfsn.planners.patch.templates.python.base import FileContext
from rfsn.planners.patch.templates.python.catalogue import CATALOGUE
from rfsn.planners.patch.templates.python.driver import PythonReader

sys.path.insert(0, str(Path(__file__).parent))
from mine import git_dir
from shapes import shape

HERE = Path(__file__).parent
HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")
TARGET = 0.60


def locations(header: str) -> list[int]:
    """Pure: the old-side lines a zero-context hunk changes (around an insertion: both neighbours)."""
    match = HUNK.match(header)
    if match is None:
        return []
    start, count = int(match[1]), 1 if match[2] is None else int(match[2])
    return list(range(start, start + count)) if count else [max(start, 1), start + 1]


class Target:
    """The fixed file's top-level statements, and how to compare a candidate with it cheaply:
    only the top-level statements a candidate's edit touches are parsed again."""

    def __init__(self, before: str, after: str) -> None:
        self.before, self.tree = before, ast.parse(before)
        self.dumps = [ast.dump(s) for s in self.tree.body]
        self.after = [ast.dump(s) for s in ast.parse(after).body]
        self.starts = [0]
        for line in before.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.spans = [(min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", []))]), s.end_lineno or s.lineno)
                      for s in self.tree.body]

    def _line(self, offset: int) -> int:
        return min(bisect.bisect_right(self.starts, offset), len(self.starts) - 1)

    def equals(self, patched: str, lo: int, hi: int) -> bool:
        """Whether ``patched`` (``before`` with characters [lo, hi) replaced) is AST-equal to the fix."""
        first, last = self._line(lo), self._line(max(hi - 1, lo))
        i = max((k for k, (a, _) in enumerate(self.spans) if a <= first), default=None)
        j = min((k for k, (_, b) in enumerate(self.spans) if b >= last), default=None)
        if i is None or j is None or j < i:
            try:
                return [ast.dump(s) for s in ast.parse(patched).body] == self.after
            except (SyntaxError, ValueError):
                return False
        begin, end = self.starts[self.spans[i][0] - 1], self.starts[self.spans[j][1]]
        if lo < begin or hi > end:
            return False
        try:
            middle = [ast.dump(s) for s in ast.parse(patched[begin:end + len(patched) - len(self.before)]).body]
        except (SyntaxError, ValueError):
            return False
        return self.dumps[:i] + middle + self.dumps[j + 1:] == self.after


def expressed(path: str, before: str, after: str, lines: list[int]) -> bool:
    """Whether some candidate of the catalogue at ``lines`` of ``before`` writes ``after``."""
    target = Target(before, after)
    ctx = FileContext(path, before, target.tree, {path: before})
    reader, seen = PythonReader(), set()
    for line in lines:
        for cand, digest in candidates_at(reader, ctx, Location(path, line, 1.0), CATALOGUE):
            if digest in seen:
                continue
            seen.add(digest)
            lo, hi = min(s.start for s in cand.splices), max(s.end for s in cand.splices)
            if target.equals(apply_splices(before, cand.splices), lo, hi):
                return True
    return False


def show(repos: Path, row: dict[str, Any], rev: str) -> str:
    gdir = git_dir(repos, row["project"])
    return subprocess.run(["git", "--git-dir", str(gdir), "show", f"{rev}:{row['file']}"], capture_output=True,
                          text=True, errors="replace", check=True).stdout


Counts = tuple[Counter[str], Counter[str], Counter[str]]


def measure(repos: Path, rows: list[dict[str, Any]], with_shapes: bool) -> Counts:
    """Per project: the fixes and those expressed; and the shapes of the edits (when asked)."""
    total, hit, shapes = Counter[str](), Counter[str](), Counter[str]()
    for row in rows:
        before, after = show(repos, row, row["parent"]), show(repos, row, row["commit"])
        total[row["project"]] += 1
        hit[row["project"]] += expressed(row["file"], before, after, locations(row["hunk_header"]))
        if with_shapes:
            shapes[shape(before, after)] += 1
    return total, hit, shapes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixes", type=Path, default=HERE / "fixes.jsonl.gz")
    parser.add_argument("--repos", type=Path, default=Path("/work/data/fixes-repos"))
    parser.add_argument("--split", choices=("test", "design", "all"), default="test")
    parser.add_argument("--per-project", action="store_true")
    parser.add_argument("--shapes", action="store_true", help="the design part's edit shapes (design rows only)")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    with gzip.open(args.fixes, "rt") as fh:
        rows = [json.loads(line) for line in fh]
    for part in ("design", "test") if args.split == "all" else (args.split,):
        chosen = [r for r in rows if r["language"] == "python" and r["split"] == part]
        total, hit, shapes = measure(args.repos, chosen, args.shapes and part == "design")
        n, k = sum(total.values()), sum(hit.values())
        print(f"{part}: {k}/{n} Python single-hunk fixes expressed = {k / max(n, 1):.1%} "
              f"over {len(total)} projects (target {TARGET:.0%})")
        if args.per_project:
            for project in sorted(total):
                print(f"  {project:<45} {hit[project]:>4}/{total[project]:<4} {hit[project] / total[project]:.0%}")
        if shapes:
            print("\n| edit shape (design part) | fixes | share |\n| --- | --- | --- |")
            for name, count in shapes.most_common(args.top):
                print(f"| {name} | {count} | {count / n:.1%} |")


if __name__ == "__main__":
    main()
