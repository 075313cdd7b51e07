"""Where the reference fix ranks among the offline candidates, without screening any.

Ranking work needs the rank of the fix for many variants of the catalogue; a full
repair run takes minutes. ``record`` runs each instance up to the patch phase once
(baseline and coverage in Docker, as bench_repair.py does) and stores the
localization and the sources; ``replay`` then ranks the template strategy's
candidates on them in this process, in seconds, and prints the rank of the first
candidate that reproduces the reference patch (whitespace aside). A plausible
candidate ranked earlier, and the candidates screened after the first plausible
one, make the real count differ a little (bench_repair.py counts them).

    python benchmarks/rank_replay.py record --set devset|seeded [--only NAME ...] --out FILE
    python benchmarks/rank_replay.py replay FILE [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from bench_repair import checkout, load

from rfsn.controller import session
from rfsn.observability.logging import configure
from rfsn.planners.base import RepairContext
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.code.lexer import language_of
from rfsn.planners.code.location import Location
from rfsn.planners.patch.strategies.template import TemplateStrategy
from rfsn.settings import load_settings

HERE = Path(__file__).resolve().parent


class Recorder:
    """A patch strategy that keeps what it is given and proposes nothing."""

    name = "recorder"

    def __init__(self) -> None:
        self.context: RepairContext | None = None

    def candidates(self, context: RepairContext) -> Iterable[Candidate]:
        self.context = context
        return []


def record(which: str, only: list[str], out: Path) -> None:
    configure("warning")
    settings = load_settings()
    data = json.loads(out.read_text()) if out.exists() else {}
    for instance in load(HERE / which, only):
        recorder = Recorder()
        session.load_strategy = lambda name, r=recorder: r  # type: ignore[assignment]
        with tempfile.TemporaryDirectory(prefix="rfsn-replay-") as tmp:
            workspace = checkout(HERE / which, instance, Path(tmp) / "repo")
            session.repair_workspace(workspace, session.RepairOptions(out_dir=Path(tmp) / "out"), settings)
        context = recorder.context
        data[instance["instance_id"]] = {
            "patch": instance["patch"],
            "locations": [list(loc) for loc in context.locations] if context else [],
            "files": {p: t for p, t in context.files.items() if p.endswith(".py") or language_of(p)} if context else {},
        }
        print(f"{instance['instance_id']:<32} {len(data[instance['instance_id']]['locations'])} locations", flush=True)
        out.write_text(json.dumps(data))


def _expected(patch: str, files: dict[str, str]) -> tuple[str, str]:
    """The path and the whitespace-free text of the one file the reference patch changes."""
    path = re.search(r"^\+\+\+ b/(.+)$", patch, re.M).group(1)  # type: ignore[union-attr]
    lines = files[path].split("\n")
    for hunk in reversed(re.split(r"^(?=@@ )", patch, flags=re.M)[1:]):  # bottom up: lines stay put
        start = int(re.match(r"@@ -(\d+)", hunk).group(1))  # type: ignore[union-attr]
        body = hunk.splitlines()[1:]
        old = [b[1:] for b in body if b[:1] in (" ", "-", "")]
        new = [b[1:] for b in body if b[:1] in (" ", "+", "")]
        lines[start - 1 : start - 1 + len(old)] = new
    return path, re.sub(r"\s+", "", "\n".join(lines))


def replay(path: Path, verbose: bool) -> None:
    found = total = 0
    for instance_id, data in json.loads(path.read_text()).items():
        files = data["files"]
        target, expected = _expected(data["patch"], files)
        context = RepairContext(
            workspace=Path("."),
            language="python",
            failing=[],
            passing=[],
            locations=[Location(*loc) for loc in data["locations"]],
            files=files,
        )
        started = time.perf_counter()
        cands = list(TemplateStrategy().candidates(context))
        seconds = time.perf_counter() - started
        rank = next(
            (i for i, c in enumerate(cands, 1) if c.path == target and re.sub(r"\s+", "", c.patched) == expected), None
        )
        found, total = found + (rank is not None), total + 1
        template = cands[rank - 1].template if rank else "-"
        print(f"{instance_id:<32} rank {rank or '-':>5} of {len(cands):4d}  {template:<28} {seconds:5.2f}s")
        for cand in cands[: rank if verbose and rank else 0]:
            print(f"      {cand.score:.3f} {cand.template:<26} {cand.description}")
    print(f"reproduced {found}/{total}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("--set", choices=("devset", "seeded"), default="devset")
    rec.add_argument("--only", nargs="*", default=[])
    rec.add_argument("--out", type=Path, required=True)
    rep = sub.add_parser("replay")
    rep.add_argument("file", type=Path)
    rep.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if args.command == "record":
        record(args.set, args.only, args.out)
    else:
        replay(args.file, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
