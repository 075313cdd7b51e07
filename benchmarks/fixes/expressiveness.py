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
        [--candidates] [--cache DIR]
"""

from __future__ import annotations

import argparse
import ast
import bisect
import contextlib
import gzip
import hashlib
import json
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rfsn.planners.code.candidates import Splice, apply_splices
from rfsn.planners.patch.templates.edit import Edit
from rfsn.planners.patch.templates.python.base import FileContext
from rfsn.planners.patch.templates.python.catalogue import CATALOGUE
from rfsn.planners.patch.templates.python.material import EMPTY, Material

sys.path.insert(0, str(Path(__file__).parent))
from givens import material_of
from mine import git_dir
from origins import pattern
from shapes import COVERED, PATTERN, shape, table

HERE = Path(__file__).parent
HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
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
        self.spans = [
            (min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", []))]), s.end_lineno or s.lineno)
            for s in self.tree.body
        ]

    def line(self, offset: int) -> int:
        return min(bisect.bisect_right(self.starts, offset), len(self.starts) - 1)

    def equals(self, patched: str, lo: int, hi: int) -> bool:
        """Whether ``patched`` (``before`` with characters [lo, hi) replaced) is AST-equal to the fix."""
        first, last = self.line(lo), self.line(max(hi - 1, lo))
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
            middle = [ast.dump(s) for s in ast.parse(patched[begin : end + len(patched) - len(self.before)]).body]
        except (SyntaxError, ValueError):
            return False
        return self.dumps[:i] + middle + self.dumps[j + 1 :] == self.after


#: a loose Python token: a string, a number, a name or one operator character (parentheses,
#: commas, backslashes and comments dropped), so that texts which may be AST-equal compare
#: equal; the syntax tree then decides
_TOKEN = re.compile(r"""[rbfuRBFU]*('''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"|'[^'\n]*'|"[^"\n]*")|[\w.]+|[^\s\w(),\\]""")
_COMMENT = re.compile(r"^[ \t]*#.*$|#[^\n'\"]*$", re.MULTILINE)  # a comment line, or a quote-free tail


def _tokens(text: str) -> list[str]:
    out = []
    for match in _TOKEN.finditer(_COMMENT.sub("", text)):
        token = match[0]
        if match[1] is not None or token[:1].isdigit():
            with contextlib.suppress(ValueError, SyntaxError):
                token = repr(ast.literal_eval(token))
        out.append(token)
    return out


def _lines(text: str, first: int, last: int) -> str:
    return "".join(text.splitlines(keepends=True)[first - 1 : last])


def _edits(ctx: FileContext, line: int) -> Iterator[Edit]:
    """Every edit of every template of the catalogue at ``line`` (a template that fails is skipped)."""
    for tpl in CATALOGUE:
        try:
            yield from list(tpl.fn(ctx, line))
        except (ValueError, IndexError, AttributeError, TypeError, KeyError):
            continue


def candidates(path: str, before: str, header: str, tests: Material = EMPTY) -> list[int]:
    """How many edits the catalogue proposes at each location of the gold hunk (the planner's
    budget is spent per location)."""
    ctx = FileContext(path, before, ast.parse(before), {path: before}, tests)
    return [sum(1 for _ in _edits(ctx, line)) for line in locations(header)]


def writes(target: Target, after: str, header: str) -> Callable[[tuple[Splice, ...]], bool]:
    """Whether splices on ``target.before`` write ``after``: by loose tokens, then by syntax tree."""
    start, count, _, added = (1 if g is None else int(g) for g in HUNK.match(header).groups())  # type: ignore[union-attr]
    old = start if count else start + 1  # the first old line replaced (an insertion: the next one)

    def check(splices: tuple[Splice, ...]) -> bool:
        lo, hi = min(s.start for s in splices), max(s.end for s in splices)
        try:
            patched = apply_splices(target.before, splices)
        except ValueError:
            return False
        top, bottom = min(target.line(lo), old), max(target.line(max(hi - 1, lo)), old + count - 1)
        shift = patched.count("\n") - target.before.count("\n")
        if _tokens(_lines(patched, top, bottom + shift)) != _tokens(_lines(after, top, bottom + added - count)):
            return False
        return target.equals(patched, lo, hi)

    return check


def expressed(path: str, before: str, after: str, header: str, tests: Material = EMPTY) -> bool:
    """Whether some template's edit at the gold hunk's lines of ``before`` writes ``after``
    (``tests``: the failing tests' material, in the tests-given setting)."""
    if HUNK.match(header) is None:
        return False
    target = Target(before, after)
    ctx, check = FileContext(path, before, target.tree, {path: before}, tests), writes(target, after, header)
    seen: set[tuple[Splice, ...]] = set()
    for splices in (edit.splices for line in locations(header) for edit in _edits(ctx, line)):
        if splices not in seen and check(splices):
            return True
        seen.add(splices)
    return False


def show(repos: Path, row: dict[str, Any], rev: str, cache: Path | None = None) -> str:
    """The file of ``row`` at ``rev`` (kept under ``cache`` when given: repeated runs skip git)."""
    kept = cache / hashlib.sha256(f"{row['project']}:{rev}:{row['file']}".encode()).hexdigest() if cache else None
    if kept is not None and kept.exists():
        return kept.read_text()
    gdir = git_dir(repos, row["project"])
    text = subprocess.run(
        ["git", "--git-dir", str(gdir), "show", f"{rev}:{row['file']}"],
        capture_output=True,
        text=True,
        errors="replace",
        check=True,
    ).stdout
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(text)
    return text


Counts = tuple[Counter[str], Counter[str], Counter[str], list[int]]


class _Late(Exception):
    pass


def _late(*_: Any) -> None:
    raise _Late


def measure(
    repos: Path,
    rows: list[dict[str, Any]],
    with_shapes: bool,
    express: bool = True,
    limit: int = 60,
    count: bool = False,
    cache: Path | None = None,
    given: bool = False,
) -> Counts:
    """Per project: the fixes and those expressed (a fix whose candidates take over ``limit``
    seconds counts as not expressed, and under ``"(over the time limit)"``); the shapes of
    the edits (when asked); the candidates at each location (when ``count``); ``given``: with
    the material of the tests the fixing commit touched (`givens`)."""
    total, hit, shapes, sizes = Counter[str](), Counter[str](), Counter[str](), list[int]()
    signal.signal(signal.SIGALRM, _late)
    for row in rows:
        before, after = show(repos, row, row["parent"], cache), show(repos, row, row["commit"], cache)
        tests = material_of(repos, row, cache) if given else EMPTY
        total[row["project"]] += 1
        signal.alarm(limit)
        found = False
        try:
            found = express and expressed(row["file"], before, after, row["hunk_header"], tests)
            sizes += candidates(row["file"], before, row["hunk_header"], tests) if count else []
        except _Late:
            total["(over the time limit)"] += 1
        finally:
            signal.alarm(0)
        hit[row["project"]] += found
        if with_shapes:
            named = shape(before, after), PATTERN + pattern(before, after, locations(row["hunk_header"])[0])
            for key in named:
                shapes[key] += 1
                shapes[COVERED + key] += found
    return total, hit, shapes, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixes", type=Path, default=HERE / "fixes.jsonl.gz")
    parser.add_argument("--repos", type=Path, default=Path("/work/data/fixes-repos"))
    parser.add_argument("--split", choices=("test", "design", "all"), default="test")
    parser.add_argument("--per-project", action="store_true")
    parser.add_argument("--shapes", action="store_true", help="the design part's edit shapes (design rows only)")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--limit", type=int, default=60, help="seconds for one fix's candidates")
    parser.add_argument("--only-shapes", action="store_true", help="count the shapes, not the expressiveness")
    parser.add_argument("--cache", type=Path, help="a directory keeping the files read from git, for reruns")
    parser.add_argument("--candidates", action="store_true", help="the mean and max candidates per location")
    parser.add_argument("--tests-given", action="store_true", help="templates get the touched tests' material")
    parser.add_argument("--bugs", type=Path, help="per-fix verdicts of these instances, tests given (verdicts.py)")
    parser.add_argument("--valid", type=Path, help="with --bugs: only the rows this validation says are valid")
    args = parser.parse_args()
    if args.bugs:
        from verdicts import report

        return report(args.bugs, args.valid, args.repos, args.limit, args.cache)
    with gzip.open(args.fixes, "rt") as fh:
        rows = [json.loads(line) for line in fh]
    for part in ("design", "test") if args.split == "all" else (args.split,):
        chosen = [r for r in rows if r["language"] == "python" and r["split"] == part]
        total, hit, shapes, sizes = measure(
            args.repos,
            chosen,
            args.shapes and part == "design",
            not args.only_shapes,
            args.limit,
            args.candidates,
            args.cache,
            args.tests_given,
        )
        late = total.pop("(over the time limit)", 0)
        n, k = sum(total.values()), sum(hit.values())
        if not args.only_shapes:
            print(
                f"{part}: {k}/{n} Python single-hunk fixes expressed = {k / max(n, 1):.1%} "
                f"over {len(total)} projects (target {TARGET:.0%}; {late} over the time limit)"
            )
        if sizes:
            print(
                f"{part}: candidates per location: mean {sum(sizes) / len(sizes):.1f}, max {max(sizes)} "
                f"over {len(sizes)} locations"
            )
        if args.per_project and not args.only_shapes:
            for project in sorted(total):
                print(f"  {project:<45} {hit[project]:>4}/{total[project]:<4} {hit[project] / total[project]:.0%}")
        if shapes:
            table(shapes, n, args.top, not args.only_shapes)


if __name__ == "__main__":
    main()
