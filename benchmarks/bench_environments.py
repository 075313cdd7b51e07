"""Environments for real repositories at HEAD and at an old commit: does ``rfsn test`` run their tests?

Each row of benchmarks/environments/corpus.tsv is run at HEAD and at its old commit (the last
first-parent commit before 2022-11-28, README there): the commit is cloned from the fetched
mirror (``--mirrors``, ``owner+name/repo`` as the search tool's ``fetch`` leaves them) into
``--work``, with the submodules that are mirrored too (envcheckout.py), and ``rfsn test DIR
--json`` runs it in the default (Docker) sandbox. A row records: environment built (else the
one-line cause and the log), tests collected, passed, failed, errored, the share passing,
seconds, the runtime rfsn chose. Rows go to ``--results`` (JSON lines) as they end; a rerun
skips rows already there. The env and setup images a row built are removed after it. The build
and setup, and the test run, are limited apart, as rfsn limits them (rowclock.py). Then the table,
by ecosystem, with the issue's targets.

    python benchmarks/bench_environments.py [--part design] [--at head] [--ecosystem python ...]
        [--limit N] [--build-timeout S] [--test-timeout S] [--table]

A repository without a mirror is skipped (not recorded): fetch it, then rerun.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

from envcheckout import mirror_of, submodules
from rowclock import Ended, Limits, run

HERE = Path(__file__).parent / "environments"
OLD_BEFORE = "2022-11-28T00:00:00Z"
ORDER = ("python", "go", "rust", "java", "javascript")  # HEAD rows first, then round-robin in this order
#: the issue's targets: rows with tests run (HEAD, old), HEAD rows at >= 99 % passing
TARGETS = {"head": 0.97, "old": 0.90, "green": 0.90}
#: the first word of an environment note that names the runtime rfsn chose ("Python 3.11: declared ...")
RUNTIMES = ("python", "node", "node.js", "go", "rust", "java", "jdk")


def git(repo: Path, *args: str) -> str:
    from rfsn.hostgit import git as host_git

    return host_git(repo, *args, timeout=600).stdout.strip()


def corpus(path: Path) -> list[dict[str, str]]:
    with path.open() as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def commit_of(mirror: Path, at: str) -> str:
    """HEAD, or the last first-parent commit before OLD_BEFORE ("" when the history starts later)."""
    if at == "head":
        return git(mirror, "rev-parse", "HEAD")
    return git(mirror, "rev-list", "-1", "--first-parent", f"--before={OLD_BEFORE}", "HEAD")


def materialise(mirror: Path, commit: str, dest: Path) -> None:
    if (dest / ".git").exists():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    git(dest.parent, "clone", "-q", "--no-checkout", str(mirror), dest.name)
    git(dest, "checkout", "-q", "--detach", commit)


def events(log: Path) -> list[dict[str, object]]:
    if not log.exists():
        return []
    out = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def prune(logged: list[dict[str, object]]) -> list[str]:
    """Remove the env and setup images this row's rfsn built (named in its log); in use: kept."""
    tags = [
        str(e.get("tag") if e.get("event") == "image.build" else e.get("image"))
        for e in logged
        if e.get("event") in ("image.build", "sandbox.setup_snapshot_stored")
    ]
    removed = []
    for tag in dict.fromkeys(tags):
        if subprocess.run(["docker", "image", "rm", tag], capture_output=True).returncode == 0:
            removed.append(tag)
    return removed


def cause_of(ended: Ended) -> str:
    if ended.killed:
        return ended.killed
    lines = [line.strip() for line in ended.err.splitlines() if line.strip()]
    said = [line for line in lines if line.startswith("rfsn: error:")]
    return (said or lines or [f"rfsn test exited {ended.code} and said nothing"])[-1][:400]


def failure_causes(reasons: dict[str, object], top: int = 3) -> list[list[object]]:
    """The most frequent first lines of the failures, as the runner said them: [count, line]."""
    lines = [str(r[0])[:160] for r in reasons.values() if isinstance(r, list | tuple) and r and r[0]]
    return [[lines.count(line), line] for line in sorted(set(lines), key=lambda x: -lines.count(x))[:top]]


def summary(ended: Ended) -> dict[str, object]:
    """What ``rfsn test --json`` said: built or not (and why), the tests' counts and share passing."""
    try:
        report = json.loads(ended.out)
    except ValueError:
        report = None
    if not isinstance(report, dict):
        return {"built": False, "cause": cause_of(ended)}
    statuses = list((report.get("tests") or {}).values())
    counts = {s: statuses.count(s) for s in ("passed", "failed", "error", "timeout", "skipped")}
    collected = len(statuses) - counts["skipped"]
    row: dict[str, object] = {
        "built": not report.get("env_error"),
        "collected": collected,
        "passed": counts["passed"],
        "failed": counts["failed"],
        "errored": counts["error"] + counts["timeout"],
        "share": round(counts["passed"] / collected, 4) if collected else 0.0,
        "structured": report.get("structured", True),
        "not_passed": sorted(t for t, s in (report.get("tests") or {}).items() if s in ("failed", "error", "timeout"))[
            :20
        ],
    }
    if collected and counts["passed"] < 0.99 * collected:  # the run's last output, to read why
        row["log_tail"] = str(report.get("log") or "")[-2000:]
        row["failure_causes"] = failure_causes(report.get("reasons") or {})
    if report.get("env_error"):
        row["cause"] = str(report["env_error"])[:400]
    elif ended.code not in (0, 1):
        row["cause"] = cause_of(ended)
    return row


def measure(repo: Path, log: Path, limits: Limits) -> dict[str, object]:
    started = time.monotonic()
    argv = [sys.executable, "-m", "rfsn", "test", str(repo), "--json", "--log-file", str(log)]
    ended = run([*argv, "--timeout", f"{limits.tests:g}"], log, limits)
    seconds = round(time.monotonic() - started, 1)
    logged = events(log)
    notes = [str(n) for e in logged if e.get("event") == "sandbox.environment" for n in e.get("notes") or []]
    said = ended.err + (log.read_text(errors="replace") if log.exists() else "")
    build_logs = sorted({w.strip("\"',") for w in said.split() if w.strip("\"',").endswith("env-build.log")})
    named = [n.split(":")[0] for n in notes if n.split(" ")[0].lower() in RUNTIMES]
    return {
        "exit": ended.code,
        "seconds": seconds,
        "runtime": named[0] if named else "",
        "notes": notes,
        "log": str(log),
        "build_logs": build_logs,
        "pruned": prune(logged),
        **summary(ended),
    }


def one(entry: dict[str, str], at: str, args: argparse.Namespace) -> dict[str, object] | None:
    owner_name = entry["repo"].replace("/", "+", 1)
    mirror = mirror_of(args.mirrors, entry["repo"])
    if mirror is None:
        print(f"skipped {entry['repo']} ({at}): no mirror under {args.mirrors / owner_name}", file=sys.stderr)
        return None
    base = {"repo": entry["repo"], "ecosystem": entry["ecosystem"], "split": entry["split"], "at": at}
    commit = commit_of(mirror, at)
    if not commit:
        return {**base, "commit": "", "built": None, "cause": f"history starts after {OLD_BEFORE}"}
    dest = args.work / "trees" / f"{owner_name}@{commit[:12]}"
    fresh = not (dest / ".git").exists()
    materialise(mirror, commit, dest)
    missing = submodules(dest, entry["repo"], args.mirrors, args.work) if fresh else []
    log = args.work / "logs" / f"{owner_name}@{commit[:12]}.jsonl"
    log.unlink(missing_ok=True)
    row = {**base, "commit": commit, **({"submodules_missing": missing} if missing else {})}
    row.update(measure(dest, log, Limits(args.build_timeout, args.test_timeout)))
    if not row.get("built"):  # a failed row's clone stays for whoever reads why; a built one goes
        return row
    subprocess.run(["rm", "-rf", str(dest)], check=False)
    return row


def load(results: Path) -> list[dict[str, object]]:
    if not results.exists():
        return []
    return [json.loads(line) for line in results.read_text().splitlines() if line.strip()]


def todo(entries: list[dict[str, str]], args: argparse.Namespace) -> list[tuple[dict[str, str], str]]:
    done = {(r["repo"], r["at"]) for r in load(args.results)}
    wanted = [
        (e, at)
        for at in args.at
        for e in entries
        if e["split"] in args.part and e["ecosystem"] in args.ecosystem and (e["repo"], at) not in done
    ]
    place: dict[tuple[str, str], int] = {}
    for entry, at in wanted:  # each row's place within its ecosystem: a partial sweep covers every one
        place[entry["repo"], at] = sum(
            1 for e, a in wanted if a == at and e["ecosystem"] == entry["ecosystem"] and (e["repo"], a) in place
        )
    return sorted(
        wanted,
        key=lambda pair: (args.at.index(pair[1]), place[pair[0]["repo"], pair[1]], ORDER.index(pair[0]["ecosystem"])),
    )


def ran(row: dict[str, object]) -> bool:
    """Tests ran: the environment was built and at least one test passed or failed."""
    return bool(row.get("built")) and (int(row.get("passed") or 0) + int(row.get("failed") or 0)) > 0


def green(row: dict[str, object]) -> bool:
    """At least 99 % of the collected tests passed in a run that ended (one cut by its limit reports a part)."""
    return ran(row) and row.get("exit") in (0, 1) and float(row.get("share") or 0) >= 0.99


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f} %)" if whole else "0/0"


def figures(rows: list[dict[str, object]], label: str) -> None:
    for at in ("head", "old"):
        mine = [r for r in rows if r["at"] == at and r.get("built") is not None]
        if not mine:
            continue
        line = f"  {label} {at}: tests run in {share(sum(map(ran, mine)), len(mine))} (target {TARGETS[at]:.0%})"
        if at == "head":
            line += f"; >= 99 % passing in {share(sum(map(green, mine)), len(mine))} (target {TARGETS['green']:.0%})"
        print(line)


def table(results: list[dict[str, object]]) -> None:
    print(
        "ecosystem  part     at    repo                                commit      built collected passed failed "
        "errored share  seconds runtime / cause"
    )
    for eco in ORDER:
        rows = [r for r in results if r["ecosystem"] == eco]
        for r in sorted(rows, key=lambda r: (r["at"] != "head", r["split"], str(r["repo"]))):
            built = {True: "yes", False: "no", None: "n/a"}[r.get("built")]  # type: ignore[index]
            tail = str(r.get("runtime") or "not named (the base image's)").split(":")[0]
            if r.get("cause"):
                tail = f"{tail} | {r['cause']}" if tail else str(r["cause"])
            said = "; ".join(f"{n}x {line[:100]}" for n, line in r.get("failure_causes") or [])
            if not green(r) and r.get("built") and (said or not r.get("cause")):
                tail += f" | below 99 % passing: {said}" if said else " | below 99 % passing (see log)"
            print(
                f"{eco:10} {r['split']:8} {r['at']:5} {str(r['repo'])[:35]:35} {str(r.get('commit'))[:10]:11} "
                f"{built:5} {r.get('collected', '-')!s:>9} {r.get('passed', '-')!s:>6} {r.get('failed', '-')!s:>6} "
                f"{r.get('errored', '-')!s:>7} {r.get('share', '-')!s:6} {r.get('seconds', '-')!s:>7} {tail}"
            )
        if rows:
            figures(rows, eco)
            for part in ("design", "measure"):
                figures([r for r in rows if r["split"] == part], f"{eco} {part}")
    print(f"{len(results)} rows ran; the figures are over them only.")


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus.tsv")
    parser.add_argument("--results", type=Path, default=HERE / "results.jsonl")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--work", type=Path, default=Path("/work/data/envs"))
    parser.add_argument("--part", nargs="+", default=["design", "measure"], choices=["design", "measure"])
    parser.add_argument("--at", nargs="+", default=["head", "old"], choices=["head", "old"])
    parser.add_argument("--ecosystem", nargs="+", default=list(ORDER), choices=ORDER)
    parser.add_argument("--limit", type=int, default=0, help="run at most N rows (0: all)")
    parser.add_argument("--build-timeout", type=float, default=Limits.build, help="seconds for build and setup")
    parser.add_argument("--test-timeout", type=float, default=Limits.tests, help="seconds for the test run")
    parser.add_argument("--table", action="store_true", help="only print the table of the results so far")
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    args = arguments(argv)
    if not args.table:
        pending = todo(corpus(args.corpus), args)
        for entry, at in pending[: args.limit or None]:
            print(f"{entry['ecosystem']} {entry['repo']} {at} ...", file=sys.stderr, flush=True)
            row = one(entry, at, args)
            if row is None:
                continue
            with args.results.open("a") as handle:
                handle.write(json.dumps(row) + "\n")
            print(
                f"  built={row.get('built')} passed={row.get('passed')}/{row.get('collected')} "
                f"{row.get('seconds')}s {row.get('cause', '')}",
                file=sys.stderr,
                flush=True,
            )
    table(load(args.results))


if __name__ == "__main__":
    main(sys.argv[1:])
