"""A candidate's screening through the warm runner: the servers of another revision vs this one's.

For each devset Python project (its test patch committed), the candidates a session screened
(its ``trajectory.jsonl``'s edits, ``--sessions DIR``: DIR/NAME/trajectory.jsonl; ``-k`` of
them, evenly), or else template candidates spread over its source files, are each applied, their failing
tests (FAIL_TO_PASS) run ``--tiers`` times through each revision's warm runner in turn (the order
alternating), and reverted: the same candidates, the same sandbox, the product's path (a preloaded
run, handed back to the plain server where the edit cannot be swapped in). Both ways must report
the same statuses; the script prints the seconds each way, the runs swapped in, and the ratio.

    python benchmarks/bench_swap_plans.py [--only NAME ...] [-k 40] [--tiers 1] [--sessions DIR]
        [--before REV] [--repo DIR --tests ID ... [--files PATH ...]]

``--repo``: a project of one's own instead (a git repository), its failing ``--tests``, the
candidates from ``--files`` (default: every source file).
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from devset_runs import commit_test_patch, git, parse_devset

from rfsn.buildpacks import select
from rfsn.buildpacks.python.warm.client import PREFIX, WarmPytest
from rfsn.buildpacks.testfiles import is_test_file
from rfsn.planners.base import RepairContext
from rfsn.planners.localize import Location
from rfsn.planners.patch.strategies.template import TemplateStrategy
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
WARM = "rfsn/buildpacks/python/warm"
#: the commit before the servers planned each edit once (hotswap_loaded.py)
BEFORE = "010e53f"
#: lines a context holds as locations (as dump_candidates.py)
WINDOW = 40


def scripts_at(rev: str, dest: Path) -> Path:
    """The warm servers' scripts as ``rev`` had them (a file it lacks: this tree's, unused there)."""
    dest.mkdir(parents=True)
    for name in ("pytest_server.py", "hotswap.py", "hotswap_loaded.py", "pytest_live.py"):
        shown = subprocess.run(["git", "show", f"{rev}:{WARM}/{name}"], cwd=ROOT, capture_output=True, text=True)
        text = shown.stdout if shown.returncode == 0 else (ROOT / WARM / name).read_text()
        (dest / name).write_text(text)
    return dest


def screened(trajectory: Path, k: int) -> list[str]:
    """The diffs of ``k`` candidates a session applied (its reverts aside), taken evenly."""
    steps = [json.loads(line) for line in trajectory.read_text().splitlines() if line.strip()]
    edits = [s["proposal"] for s in steps if s["proposal"]["intent"] == "edit" and s["phase"] == "patch"]
    diffs = [e["patch"] for e in edits if not e["rationale"].startswith("revert")]
    return diffs[:: max(1, len(diffs) // k)][:k]


def candidates(repo: Path, k: int, only: list[str] | None = None) -> list[str]:
    """The diffs of ``k`` template candidates spread over the source files (of ``only``): the first
    ranked of each of ``k`` windows of ``WINDOW`` lines taken evenly (the strategy follows that many
    lines at once)."""
    files = {
        p.relative_to(repo).as_posix(): p.read_text()
        for p in sorted(repo.rglob("*.py"))
        if ".git" not in p.parts and not is_test_file(p.relative_to(repo).as_posix())
        if not only or p.relative_to(repo).as_posix() in only
    }
    windows = [(path, start) for path, text in files.items() for start in range(1, text.count("\n") + 2, WINDOW)]
    found, strategy = [], TemplateStrategy(limit=10**6)
    for path, start in windows[:: max(1, len(windows) // k)]:
        end = min(start + WINDOW, files[path].count("\n") + 2)
        at = [Location(path, n, 1.0 - (n - start) / 1e3) for n in range(start, end)]
        context = RepairContext(workspace=repo, language="python", failing=["t"], passing=[], locations=at, files=files)
        found += [c.diff() for c in itertools.islice(strategy.ranked(context), 1)]
    return found[:k]


def runner(box: Any, pack: Any, scripts: Path, name: str) -> WarmPytest:
    # the buildpack's test command without its tests, as its own warm runner has it
    options = pack.test_command(["t.py::t"], f"{box.scratch_path}/{name}")[len(PREFIX) : -1]
    warm = WarmPytest(box, options=options)
    warm.scripts, warm.host_dir, warm.path = scripts, box.scratch / name, f"{box.scratch_path}/{name}"
    if not warm.start() or not warm.hot:
        raise SystemExit(f"the {name} servers did not start")
    return warm


def bench(instance: dict[str, Any], repo: Path, before: Path, args: argparse.Namespace) -> dict[str, Any]:
    if instance.get("test_patch"):
        commit_test_patch(repo, instance)
    pack = select(repo)
    failing, k, tiers = instance["FAIL_TO_PASS"], args.k, args.tiers
    session = args.sessions / instance["repo"].split("/", 1)[1] / "trajectory.jsonl" if args.sessions else None
    found = screened(session, k) if session and session.exists() else candidates(repo, k, args.files)
    spent: dict[str, list[float]] = {"before": [], "after": []}
    with open_sandbox(repo, pack, Settings(sandbox="docker"), "docker") as box:
        ways = {"before": runner(box, pack, before, "before"), "after": runner(box, pack, WarmPytest.scripts, "after")}
        for index, diff in enumerate(found):
            git(repo, "apply", "-", text=diff)
            statuses = {}
            for name in sorted(ways, reverse=index % 2 == 1):
                started = time.perf_counter()
                for _ in range(tiers):
                    statuses[name] = run_tests(box, pack, failing, 60, via=ways[name]).tests
                spent[name].append(time.perf_counter() - started)
            git(repo, "apply", "-R", "-", text=diff)
            if statuses["before"] != statuses["after"]:
                raise SystemExit(f"{instance['instance_id']} candidate {index}: the ways disagree: {statuses}")
    return {
        "candidates": len(found),
        **{f"{n}_s": sum(v) for n, v in spent.items()},
        **{f"{n}_swapped": w.swapped for n, w in ways.items()},
        **{f"{n}_handed_back": w.not_swappable for n, w in ways.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", type=int, default=40, help="candidates a project")
    parser.add_argument("--tiers", type=int, default=1, help="runs of the failing tests a candidate")
    parser.add_argument("--before", default=BEFORE, help="the revision whose servers are compared")
    parser.add_argument("--sessions", type=Path, help="DIR/NAME/trajectory.jsonl: the candidates a session screened")
    parser.add_argument("--repo", type=Path, help="a project of one's own (a git repository), not the devset")
    parser.add_argument("--tests", nargs="*", default=[], help="--repo's failing tests")
    parser.add_argument("--files", nargs="*", default=None, help="--repo's files the candidates edit")
    args, instances = parse_devset(parser, runs=1)
    if args.repo:
        name = args.repo.resolve().name
        instances = [{"instance_id": name, "repo": f"own/{name}", "language": "python", "FAIL_TO_PASS": args.tests}]
    totals = {"before_s": 0.0, "after_s": 0.0}
    with tempfile.TemporaryDirectory(prefix="rfsn-bench-") as tmp:
        before = scripts_at(args.before, Path(tmp) / "scripts")
        if args.repo:
            shutil.copytree(args.repo, Path(tmp) / "repos" / args.repo.resolve().name, symlinks=True)
        else:
            materialize = ["python", str(args.devset / "materialize.py"), f"{tmp}/repos"]
            subprocess.run(materialize, check=True, capture_output=True)
        for instance in instances:
            name = instance["repo"].split("/", 1)[1]
            repo = Path(tmp) / "repos" / name
            if (args.only and name not in args.only) or instance.get("language") != "python":
                continue
            row = bench(instance, repo, before, args)
            shutil.rmtree(repo, ignore_errors=True)
            for key in totals:
                totals[key] += row[key]
            print(
                f"{name:16} {row['candidates']:3} candidates  before {row['before_s']:6.1f} s"
                f" (swapped {row['before_swapped']:3}, handed back {row['before_handed_back']:3})"
                f"  after {row['after_s']:6.1f} s (swapped {row['after_swapped']:3},"
                f" handed back {row['after_handed_back']:3})  {row['before_s'] / row['after_s']:.2f}x",
                flush=True,
            )
    print(
        f"\nall: before {totals['before_s']:.1f} s, after {totals['after_s']:.1f} s: "
        f"**{totals['before_s'] / totals['after_s']:.2f}x** (--tiers {args.tiers}, -k {args.k})"
    )


if __name__ == "__main__":
    main()
