"""The CPU of one repair session: ``rfsn repair examples/quickstart`` (or ``--project``, a git
repository of any ecosystem) in Docker, for this tree and
(``--against DIR``) another tree of rfsn, e.g. an export of main; N rounds alternating the trees.
For each session: the host CPU of the rfsn process and what it waited for (user + system, from
``wait4``), the CPU of its containers (cgroup v1 ``cpuacct.usage`` of the containers labelled with
its pid, sampled while they live) and its test runs by phase (``events.jsonl``). CPU, not wall
time: a loaded machine delays a session more than it inflates its CPU. Many tests run such a session.

    PYTHONPATH=. python benchmarks/bench_session_cpu.py [-n 3] [--against /tmp/main-tree] [--out DIR] \
        [--project REPO]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

#: where cgroup v1 keeps each Docker container's CPU (nanoseconds)
CGROUPS = Path("/sys/fs/cgroup/cpuacct/docker")


def containers_of(pid: int) -> list[str]:
    """The full ids of the running containers an rfsn process of ``pid`` started (label rfsn.pid)."""
    listed = subprocess.run(
        ["docker", "ps", "-q", "--no-trunc", "--filter", f"label=rfsn.pid={pid}"], capture_output=True, text=True
    )
    return listed.stdout.split()


def session(tree: Path, out: Path, project: Path | None) -> dict[str, float | str]:
    """One session of ``tree`` on ``project`` (default: its quickstart example): its host CPU, its
    containers' CPU, its status and its runs by phase."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    argv = [sys.executable, "-m", "rfsn", "repair", str(project or tree / "examples" / "quickstart"), "--out", str(out)]
    proc = subprocess.Popen(argv, env=env, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    used: dict[str, int] = {}
    for tick in itertools.count():
        done, status, usage = os.wait4(proc.pid, os.WNOHANG)  # its own rusage: not this poll's docker calls
        if done:
            proc.returncode = os.waitstatus_to_exitcode(status)
            break
        for cid in containers_of(proc.pid) if tick % 5 == 0 else list(used):
            with contextlib.suppress(OSError, ValueError):  # it ended between the listing and the read
                used[cid] = max(used.get(cid, 0), int((CGROUPS / cid / "cpuacct.usage").read_text()))
        time.sleep(0.2)
    (events,) = out.glob("*/events.jsonl")
    records = [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
    runs = Counter(e.get("phase", "?") for e in records if e["event"] == "tests.ran")
    end = next((e for e in records if e["event"] == "session.end"), {})
    return {
        "host": usage.ru_utime + usage.ru_stime,
        "containers": sum(used.values()) / 1e9,
        "status": str(end.get("status", "?")),
        **{f"runs {phase}": float(n) for phase, n in runs.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3)
    parser.add_argument("--against", type=Path, help="another tree of rfsn (its root)")
    parser.add_argument("--out", type=Path, help="where the sessions' outputs go (default: a temporary directory)")
    parser.add_argument("--project", type=Path, help="the git repository each session repairs (default: quickstart)")
    args = parser.parse_args()
    if not CGROUPS.is_dir():
        sys.exit(f"no cgroup v1 CPU accounting at {CGROUPS}: containers' CPU cannot be read here")
    trees = {"this": Path(__file__).resolve().parents[1]}
    if args.against:
        trees["against"] = args.against.resolve()
    out = args.out or Path(tempfile.mkdtemp(prefix="rfsn-bench-session-"))
    rows: dict[str, list[dict[str, float | str]]] = {tree: [] for tree in trees}
    print(f"load {os.getloadavg()[0]:.1f} at the start")
    for round_ in range(args.n):
        for tree, root in trees.items():
            row = session(root, out / f"{tree}-{round_}", args.project and args.project.resolve())
            rows[tree].append(row)
            print(tree, round_, {k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}, flush=True)
    print(f"load {os.getloadavg()[0]:.1f} at the end, n={args.n}; medians of CPU s")
    for key in ("host", "containers"):
        medians = {tree: statistics.median(float(r[key]) for r in rows[tree]) for tree in trees}
        ratio = f"  this/against {medians['this'] / medians['against']:.3f}" if "against" in medians else ""
        print(f"{key:11}", "  ".join(f"{tree}: {m:.2f}" for tree, m in medians.items()) + ratio)


if __name__ == "__main__":
    main()
