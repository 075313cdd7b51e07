"""Oracle-location evaluation on the shared devset: do the templates reproduce the fixes?"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rfsn.planners.code.candidates import Candidate
from rfsn.planners.code.location import Location
from tests.paths import DEVSET

SINGLE_LOCATION_PY = (
    "inventory_ledger",
    "iniconf",
    "ratelimit",
    "daterange",
    "matrixkit",
    "taskqueue",
    "querybuilder",
    "lrucache",
    "pathfinder",
    "moneyfmt",
    "retrykit",
    "mdtable",
    "bankledger",
    "intervals",
    "numerals",
    "unitconv",
)
OTHER_LANGUAGES = ("cart-pricing", "event-bus", "duration-fmt", "wordfreq", "ringbuf")
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass
class FilePatch:
    path: str
    hunks: list[tuple[int, list[str]]]  # (old start line, hunk body lines)


def parse_patch(diff: str) -> list[FilePatch]:
    patches: list[FilePatch] = []
    for line in diff.splitlines():
        if line.startswith("+++ b/"):
            patches.append(FilePatch(line[6:], []))
        elif m := _HUNK.match(line):
            patches[-1].hunks.append((int(m.group(1)), []))
        elif patches and patches[-1].hunks and line[:1] in (" ", "+", "-", ""):
            patches[-1].hunks[-1][1].append(line)
    return patches


def apply_patch(text: str, patch: FilePatch) -> str:
    lines = text.split("\n")
    for start, body in reversed(patch.hunks):
        old = [b[1:] for b in body if b[:1] in (" ", "-", "")]
        new = [b[1:] for b in body if b[:1] in (" ", "+", "")]
        lines[start - 1 : start - 1 + len(old)] = new
    return "\n".join(lines)


def oracle_lines(patch: FilePatch) -> list[int]:
    """Old-file lines removed by the patch, or the lines around a pure insertion."""
    out: list[int] = []
    for start, body in patch.hunks:
        line, pending_insert = start, False
        for b in body:
            if b.startswith("-"):
                out.append(line)
            if b.startswith("+"):
                pending_insert = True
                continue
            if pending_insert and not b.startswith("-"):
                out.extend([line - 1, line])
            pending_insert = False
            line += 1
    return list(dict.fromkeys(out))


def instance(name: str) -> dict:
    for raw in (DEVSET / "instances.jsonl").read_text().splitlines():
        data = json.loads(raw)
        if data["instance_id"] == f"devset__{name}-1":
            return data
    raise KeyError(name)


def normalize(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class Result:
    name: str
    rank: int | None  # 1-based rank of the first exact reproduction
    total: int
    template: str


Generate = Callable[[dict[str, str], Sequence[Location]], list[Candidate]]


def evaluate(name: str, generate: Generate, suffixes: tuple[str, ...]) -> Result:
    data = instance(name)
    root = DEVSET / "projects" / name
    files = {
        str(p.relative_to(root)): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix in suffixes and "target" not in p.parts
    }
    (fp,) = parse_patch(data["patch"])
    expected = normalize(apply_patch(files[fp.path], fp))
    locations = [Location(fp.path, line, 1.0) for line in oracle_lines(fp)]
    cands = generate(files, locations)
    for rank, cand in enumerate(cands, 1):
        if normalize(cand.patched) == expected:
            return Result(name, rank, len(cands), cand.template)
    return Result(name, None, len(cands), "-")


def table(results: Sequence[Result]) -> str:
    rows = [f"{'instance':<18} {'rank':>5} {'of':>5}  template"]
    for r in results:
        rows.append(f"{r.name:<18} {r.rank or '-':>5} {r.total:>5}  {r.template}")
    found = sum(r.rank is not None for r in results)
    rows.append(f"reproduced {found}/{len(results)}")
    return "\n".join(rows)
