"""Soak: the devset batch several times back to back, then what was left behind.

    python benchmarks/soak.py [--rounds 3] [--only ID ...] [--timeout S]

Runs ``rfsn batch`` (in this process, one worker, oracle tests) over the
devset ``--rounds`` times, each round into a fresh output directory, and after
each round counts what rfsn leaves: containers carrying rfsn's label created
by this process, rfsn-labelled images, Docker volumes, entries in the
temporary directory (a private one, set for this process and its children, so
other work on the machine does not count), open file descriptors, threads and
child processes, and this process's resident memory. Round 1 is the
reference: it may build env images and warm caches; later rounds must add
nothing. Goal: zero leaks, flat memory. Figures only: nothing is asserted, but
the exit status is 1 when a leak is seen.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import docker
from rich.console import Console

from rfsn.batch.infer import BatchConfig, run_batch
from rfsn.observability.logging import configure
from rfsn.sandbox import labels

DEVSET = Path(__file__).resolve().parent / "devset"


@dataclass(frozen=True)
class Snapshot:
    containers: int
    images: int
    volumes: int
    temp_entries: int
    fds: int
    threads: int
    children: int
    rss_mb: float


def _status_field(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def _children() -> int:
    me, count = str(os.getpid()), 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[1] == me:
                count += 1
    return count


def snapshot(client: docker.DockerClient, tmp: Path) -> Snapshot:
    gc.collect()
    mine = f"{labels.PID}={os.getpid()}"
    return Snapshot(
        containers=len(client.containers.list(all=True, sparse=True, filters={"label": mine})),
        images=len(client.images.list(all=True, filters={"label": labels.MANAGED})),
        volumes=len(client.volumes.list()),
        temp_entries=len(list(tmp.iterdir())),
        fds=len(os.listdir("/proc/self/fd")),
        threads=_status_field("Threads"),
        children=_children(),
        rss_mb=round(_status_field("VmRSS") / 1024, 1),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=[], help="instance ids (default: all)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per instance")
    args = parser.parse_args()
    configure(level="error")
    work = Path(tempfile.mkdtemp(prefix="rfsn-soak-"))
    tmp = work / "tmp"
    tmp.mkdir()
    os.environ["TMPDIR"] = str(tmp)
    tempfile.tempdir = str(tmp)
    subprocess.run(
        [sys.executable, str(DEVSET / "materialize.py"), str(work / "repos")], check=True, capture_output=True
    )
    client = docker.from_env()
    rows = [("start", 0.0, "", snapshot(client, tmp))]
    for round_ in range(1, args.rounds + 1):
        started = time.monotonic()
        outcomes = run_batch(
            BatchConfig(
                instances=DEVSET / "instances.jsonl",
                out_dir=work / f"round-{round_}",
                oracle_tests=True,
                repos_dir=work / "repos",
                instance_ids=args.only,
                timeout=args.timeout,
            ),
            Console(stderr=True, quiet=True),
        )
        fixed = sum(o.status.value == "fixed" for o in outcomes.values())
        rows.append((f"round {round_}", time.monotonic() - started, f"{fixed}/{len(outcomes)}", snapshot(client, tmp)))
        print(f"{rows[-1][0]}: {rows[-1][1]:.0f}s, fixed {rows[-1][2]}, {json.dumps(asdict(rows[-1][3]))}", flush=True)
    return report(rows)


def report(rows: list[tuple[str, float, str, Snapshot]]) -> int:
    first, last = rows[1][3], rows[-1][3]
    start = rows[0][3]
    leaks = {
        "containers": max(r[3].containers for r in rows[1:]),
        "images": last.images - first.images,
        "volumes": last.volumes - start.volumes,
        "temp files": last.temp_entries - start.temp_entries,
        "fds": last.fds - first.fds,
        "threads": last.threads - first.threads,
        "child processes": last.children - start.children,
    }
    print(
        "leaks (containers: most left after any round; images, fds, threads: last round vs "
        "round 1; volumes, temp files, children: vs the start): " + ", ".join(f"{k} {v:+d}" for k, v in leaks.items())
    )
    growth = last.rss_mb - first.rss_mb
    print(
        f"memory: {start.rss_mb} MB at start, {first.rss_mb} MB after round 1, "
        f"{last.rss_mb} MB after round {len(rows) - 1} ({growth:+.1f} MB, "
        f"{100 * growth / first.rss_mb:+.1f}%)"
    )
    return 1 if any(v > 0 for v in leaks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
