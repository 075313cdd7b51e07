"""Seeded bugs in real projects fetched under a data directory, repaired with their own suites.

Seeds are data (below): project, mirror, file, original line, seeded line, class. Each
seed is applied to a fresh clone of the project's mirror (``--mirrors DIR``, laid out as
``owner+name/repo`` the way the search tool's ``fetch`` leaves them); a project whose
mirror is missing is skipped with one line. Per seed it prints: fixed, correct (the patch
puts the seeded file back as it was, to the byte), seed_alone (and changes nothing else),
seconds, candidates (steps) and the screening rate: candidates a second over the whole patch
phase, and over its screening loop alone (without the making of candidates and the cold
whole-suite runs that decide plausibility).

Also the faulty line's rank in the session's first localization (``fault_rank``), and in
each group's (``group_fault_ranks``).

    python benchmarks/bench_real_projects.py [--only PROJECT ...] [--seeds N ...] [--mirrors DIR] \
        [--work DIR] [--steps N]

The seeds were written down before rfsn was run on any of them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple


class Seed(NamedTuple):
    project: str
    mirror: str
    file: str
    original: str
    seeded: str
    kind: str
    commit: str = ""  # the project's commit the seed applies to; "" for the mirror's in HEADS
    python: str = ""  # --python X.Y, for a commit whose declared Pythons the machine lacks
    as_of: str = ""  # --as-of, for a commit whose packages of its day no longer install here


#: the commit of each mirror a seed with no commit of its own applies to: the HEADs fetched on
#: 2026-11-28 (a fetch brings the newest snapshot, and mime-types' had moved since 2026-11-24)
HEADS = {
    "pytest-dev+iniconfig": "71901257f6cbf660e77b1077e00f11a0f440be1e",
    "tkem+cachetools": "28d4506f2a49d781ffbcecb095fa7aba5bb80aff",
    "pytoolz+toolz": "568c2b8393973cd172a466546c9d95779c452438",
    "astanin+python-tabulate": "268615a5c27dc40e5c22454c07b44d5c50410da0",
    "python-humanize+humanize": "c3a124cdeb272d7f63bc0aa66f79c6fbafd2fc6d",
    "jshttp+mime-types": "3a1187ee21388efe46b916d4991589d595bcb26c",
    "fastify+fast-content-type-parse": "9749c78c66db7230361ff587ce8f401a079250f0",
    "dustin+go-humanize": "4d1d9082551ec085912e7d2253a33ae547fca000",
    "spf13+pflag": "5fdac2d16c16d60605cb8baa887e8c5c38ef623f",
}

SEEDS: tuple[Seed, ...] = (
    Seed(
        "iniconfig",
        "pytest-dev+iniconfig",
        "src/iniconfig/__init__.py",
        "return None if lineno is None else lineno + 1",
        "return None if lineno is None else lineno - 1",
        "operator",
    ),
    Seed(
        "iniconfig",
        "pytest-dev+iniconfig",
        "src/iniconfig/__init__.py",
        "if name in self.sections[section]:",
        "if name not in self.sections[section]:",
        "condition negation",
    ),
    Seed(
        "cachetools",
        "tkem+cachetools",
        "src/cachetools/__init__.py",
        "if size > maxsize:",
        "if size >= maxsize:",
        "off-by-one",
    ),
    Seed(
        "cachetools",
        "tkem+cachetools",
        "src/cachetools/__init__.py",
        "self.__currsize -= size",
        "self.__currsize += size",
        "operator",
    ),
    Seed("toolz", "pytoolz+toolz", "toolz/itertoolz.py", "    if N < 2:", "    if N <= 2:", "off-by-one"),
    Seed(
        "toolz",
        "pytoolz+toolz",
        "toolz/itertoolz.py",
        "return len(seq) == len(set(seq))",
        "return len(seq) != len(set(seq))",
        "operator",
    ),
    Seed(
        "tabulate",
        "astanin+python-tabulate",
        "tabulate/__init__.py",
        "return len(string) - pos - 1",
        "return len(string) - pos + 1",
        "off-by-one",
    ),
    Seed(
        "humanize",
        "python-humanize+humanize",
        "src/humanize/number.py",
        "digit = 0 if value % 100 in (11, 12, 13)",
        "digit = 0 if value % 100 not in (11, 12, 13)",
        "condition negation",
    ),
    # JavaScript: mocha, and node --test; Go modules without dependencies (written 2026-11-23,
    # before rfsn ran on any of them)
    Seed(
        "mime-types",
        "jshttp+mime-types",
        "index.js",
        "if (mime.indexOf('charset') === -1) {",
        "if (mime.indexOf('charset') !== -1) {",
        "condition negation",
    ),
    Seed("mime-types", "jshttp+mime-types", "index.js", "return exts[0]", "return exts[1]", "off-by-one"),
    Seed(
        "fast-content-type-parse",
        "fastify+fast-content-type-parse",
        "index.js",
        "if (match.index !== index) {\n      throw",
        "if (match.index === index) {\n      throw",
        "condition negation",
    ),
    Seed(
        "go-humanize", "dustin+go-humanize", "ordinals.go", "if x%100 != 12 {", "if x%100 == 12 {", "condition negation"
    ),
    Seed("go-humanize", "dustin+go-humanize", "bytes.go", "if s < 10 {", "if s <= 10 {", "off-by-one"),
    Seed("pflag", "spf13+pflag", "count.go", "*i = *i + 1", "*i = *i - 1", "operator"),
    # The other classes the issue names: wrong variable, wrong attribute, missing call argument
    # (written 2026-11-24, before rfsn ran on any of them)
    Seed(
        "iniconfig",
        "pytest-dev+iniconfig",
        "src/iniconfig/__init__.py",
        "return self.config.lineof(self.name, name)",
        "return self.config.lineof(name, name)",
        "wrong variable",
    ),
    Seed(
        "iniconfig",
        "pytest-dev+iniconfig",
        "src/iniconfig/__init__.py",
        "return self.config.get(self.name, key, convert=convert, default=default)",
        "return self.config.get(self.name, key, convert=convert)",
        "missing call argument",
    ),
    Seed(
        "cachetools",
        "tkem+cachetools",
        "src/cachetools/__init__.py",
        "maxsize = self.__maxsize",
        "maxsize = self.__currsize",
        "wrong attribute",
    ),
    Seed(
        "cachetools",
        "tkem+cachetools",
        "src/cachetools/__init__.py",
        "self.__currsize += diffsize",
        "self.__currsize += size",
        "wrong variable",
    ),
    Seed(
        "toolz",
        "pytoolz+toolz",
        "toolz/itertoolz.py",
        "return tuple(_get(i, seq, default) for i in ind)",
        "return tuple(_get(i, seq) for i in ind)",
        "missing call argument",
    ),
    Seed(
        "humanize",
        "python-humanize+humanize",
        "src/humanize/number.py",
        "denominator = frac.denominator",
        "denominator = frac.numerator",
        "wrong attribute",
    ),
    Seed(
        "mime-types",
        "jshttp+mime-types",
        "index.js",
        "var exts = match && exports.extensions[match[1].toLowerCase()]",
        "var exts = match && exports.types[match[1].toLowerCase()]",
        "wrong attribute",
    ),
    Seed(
        "mime-types",
        "jshttp+mime-types",
        "index.js",
        "var charset = exports.charset(mime)",
        "var charset = exports.charset(str)",
        "wrong variable",
    ),
    Seed(
        "fast-content-type-parse",
        "fastify+fast-content-type-parse",
        "index.js",
        "throw new TypeError('invalid media type')\n  }\n\n  const result = {\n    type: type.toLowerCase(),",
        "throw new TypeError('invalid media type')\n  }\n\n  const result = {\n    type: header.toLowerCase(),",
        "wrong variable",
    ),
    Seed(
        "go-humanize",
        "dustin+go-humanize",
        "comma.go",
        "output[j] = byte(v) + 48",
        "output[j] = byte(count) + 48",
        "wrong variable",
    ),
    Seed("pflag", "spf13+pflag", "count.go", 'flag.NoOptDefVal = "+1"', 'flag.DefValue = "+1"', "wrong attribute"),
    # Suites that are not clean at the chosen commit (issue #49): pre-existing failures of
    # several kinds, known from the history corpus's runs and from `rfsn test` of the
    # unseeded commit (written 2026-11-26, before rfsn repair ran on any of them)
    Seed(
        "natsort",
        "SethMMorton+natsort",
        "natsort/utils.py",  # locale.Error: a locale the system lacks
        "if (dumb and not lowfirst) or (lowfirst and not dumb):",
        "if (dumb and not lowfirst) or (lowfirst and dumb):",
        "condition negation",
        "4352d7b7b029a2636f8b5a68ebdb9ad86fbd860a",
    ),  # 0e7533d: codecov no longer installs
    Seed(
        "tomlkit",
        "sdispater+tomlkit",
        "tomlkit/_utils.py",  # test data in an unfetched git submodule
        'if sign == "-":',
        'if sign != "-":',
        "condition negation",
        "fefb29f7471ad3df3df79b4821d5edef57892e3d",
    ),
    Seed(
        "pyparsing",
        "pyparsing+pyparsing",
        "pyparsing/util.py",  # dir() of an exception: Python-version
        'return strg.count("\\n", 0, loc) + 1',
        'return strg.count("\\n", 0, loc) - 1',
        "operator",
        "a49e56932a851f63859adf8735dcdd993e16657c",
        "3.11",
    ),
    Seed(
        "pyparsing",
        "pyparsing+pyparsing",
        "pyparsing/util.py",  # a49e569's environment does not build
        'return strg.count("\\n", 0, loc) + 1',
        'return strg.count("\\n", 0, loc) - 1',
        "operator",
        "bcb8242230fc7e0e9c416856d2aa6d9aba7e7e87",
        "3.11",
        "today",
    ),
    Seed(
        "humanize",
        "python-humanize+humanize",
        "src/humanize/filesize.py",  # metric(): a format of this Python
        "if abs_bytes < base and not gnu:",
        "if abs_bytes <= base and not gnu:",
        "off-by-one",
        "5cb0323fa93ea9b70da385f521da8df70861963a",
    ),
    Seed(
        "dateutil",
        "dateutil+dateutil",
        "dateutil/relativedelta.py",  # float rounding: Python-version
        "            if month > 12:",
        "            if month >= 12:",
        "off-by-one",
        "7913760140e41abf91274171a53d757d8befb404",
        "3.11",
        "today",
    ),
    Seed(
        "semver",
        "python-semver+python-semver",
        "semver.py",  # argparse's messages: Python-version
        "    if not rc1:",
        "    if rc1:",
        "condition negation",
        "f2c23f63822077fde271fd8e876d608b8d69189f",
        "3.11",
    ),
    Seed(
        "marshmallow",
        "marshmallow-code+marshmallow",
        "src/marshmallow/utils.py",  # a pluck test
        "return is_iterable_but_not_string(obj) and not isinstance(obj, Mapping)",
        "return is_iterable_but_not_string(obj) and isinstance(obj, Mapping)",
        "condition negation",
        "8e4e746f46256f4e6ae5b2bb099e6927119c0f5b",
        "3.11",
    ),
    Seed(
        "pq",
        "lib+pq",
        "conn.go",  # tests that need a PostgreSQL server; v1.10.9 (HEAD needs Go 1.21)
        "if strings.Contains(literal, `\\`) {",
        "if !strings.Contains(literal, `\\`) {",
        "condition negation",
        "2a217b94f5ccd3de31aec4152a541b9ff64bed05",
    ),
    Seed(
        "cron",
        "robfig+cron",
        "spec.go",  # timing tests that fail under load (flaky)
        "if s.Dom&starBit > 0 || s.Dow&starBit > 0 {",
        "if s.Dom&starBit > 0 && s.Dow&starBit > 0 {",
        "operator",
        "bc59245fe10efaed9d51b56900192527ed733435",
    ),
    Seed(
        "requests",
        "psf+requests",
        "src/requests/utils.py",  # tests that need the network
        "return (ipaddr & netmask) == (network & netmask)",
        "return (ipaddr & netmask) != (network & netmask)",
        "operator",
        "1f6589ec3a1ee910f9a65cc3ceac60b26677bc0e",
    ),
    Seed(
        "schema",
        "keleshev+schema",
        "schema/__init__.py",  # a test that shells out to mypy
        "    if isinstance(s, Literal):\n        return COMPARABLE",
        "    if not isinstance(s, Literal):\n        return COMPARABLE",
        "condition negation",
        "310a1239b62f500284ce3bd91b7dabf70467f23e",
    ),
    Seed(
        "luxon",
        "moment+luxon",
        "src/impl/util.js",  # jest; its tests expect TZ=America/New_York
        "return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);",
        "return year % 4 === 0 && (year % 100 === 0 || year % 400 === 0);",
        "condition negation",
        "b6b9d03709085008287ed7f4ce5067f0f4be53f2",
    ),
    Seed(
        "cron",
        "robfig+cron",
        "parser.go",
        "\tif end > r.max {",
        "\tif end >= r.max {",
        "off-by-one",
        "bc59245fe10efaed9d51b56900192527ed733435",
    ),
)


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def prepare(seed: Seed, mirrors: Path, work: Path, index: int) -> Path | None:
    """A fresh clone with the seed committed, or None when the mirror is missing."""
    source = mirrors / seed.mirror / "repo"
    if not source.exists():
        return None
    repo = work / f"{seed.project}-{index}"
    shutil.rmtree(repo, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", str(source), str(repo)], check=True)
    if seed.commit or seed.mirror in HEADS:
        _git(repo, "checkout", "-q", seed.commit or HEADS[seed.mirror])
    target = repo / seed.file
    text = target.read_text(encoding="utf-8")
    if text.count(seed.original) != 1:
        raise SystemExit(f"{seed.project}: the seed's original occurs {text.count(seed.original)} times in {seed.file}")
    target.write_text(text.replace(seed.original, seed.seeded), encoding="utf-8")
    # the seed keeps its parent's date: rfsn resolves the environment as of the commit's date
    date = {"GIT_AUTHOR_DATE": _git(repo, "log", "-1", "--format=%cI").strip()}
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-am", "seed"],
        cwd=repo,
        check=True,
        capture_output=True,
        env={**os.environ, **date, "GIT_COMMITTER_DATE": date["GIT_AUTHOR_DATE"]},
    )
    return repo


def patch_phase(run: Path) -> dict[str, float] | None:
    """Where the session's patch phase spent its time, from its events: ``seconds`` in all,
    ``making`` (before the first candidate was proposed), ``whole_suite`` (the cold whole-suite
    runs that decide plausibility) and ``screening`` (the rest: each candidate's edit, its
    screening runs and its revert)."""
    from datetime import datetime

    events = (
        [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]
        if (run / "events.jsonl").exists()
        else []
    )
    start = end = first = None
    whole = 0.0
    for event in events:
        name, at = event.get("event"), datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
        if start is None:
            start = at if name == "planner.phase" and event.get("phase") == "patch" else None
        elif name == "session.end" or (name == "planner.phase" and event.get("phase") != "patch"):
            end = at
            break
        elif name == "controller.proposal" and event.get("intent") == "edit" and first is None:
            first = at
        elif name == "tests.ran" and not event.get("selected"):
            whole += float(event.get("duration") or 0)
    if start is None or end is None:
        return None
    seconds = (end - start).total_seconds()
    making = ((first or end) - start).total_seconds()
    return {"seconds": seconds, "making": making, "whole_suite": whole, "screening": max(seconds - making - whole, 0.0)}


def warm_fallbacks(run: Path) -> dict[str, int]:
    """Why screening runs did not go through the preloaded server, by count, from the events."""
    counts: dict[str, int] = {}
    for line in (run / "events.jsonl").read_text().splitlines() if (run / "events.jsonl").exists() else []:
        event = json.loads(line)
        name = event.get("event", "")
        if name in ("warm.not_swappable", "warm.cold"):
            why = str(event.get("reason", ""))
        elif name in ("warm.unavailable", "warm.failed"):
            why = f"{name}: {event.get('servers') or event.get('server')}"
        else:
            continue
        counts[why] = counts.get(why, 0) + 1
    return counts


def fault_ranks(run: Path, repo: Path, seed: Seed) -> list[int | None]:
    """The best place a line of the seeded text took in each of the session's localizations,
    in order (one per target group tried; the first is every target together where there are
    several: ``planner.localized``'s ``ranked``, its first 100), counted from 1; None when
    outside them."""
    text = _git(repo, "show", f"HEAD~1:{seed.file}")  # where the original is, once
    first = text[: text.index(seed.original)].count("\n") + 1
    lines = {f"{seed.file}:{n}" for n in range(first, first + seed.seeded.count("\n") + 1)}
    events = (
        [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]
        if (run / "events.jsonl").exists()
        else []
    )
    return [
        min((i + 1 for i, where in enumerate(e.get("ranked") or []) if where in lines), default=None)
        for e in events
        if e.get("event") == "planner.localized"
    ]


def reverts_seed(repo: Path, seed: Seed, patch: str) -> tuple[bool, bool]:
    """Whether the patch puts the seeded file back as it was before the seed, to the byte, and
    whether it changes nothing else (the whole tree as before the seed)."""
    if not patch.strip():
        return False, False
    applied = subprocess.run(["git", "apply", "-"], cwd=repo, input=patch, text=True, capture_output=True)
    try:
        if applied.returncode != 0:
            return False, False
        reverted = (repo / seed.file).read_text(encoding="utf-8") == _git(repo, "show", f"HEAD~1:{seed.file}")
        alone = subprocess.run(["git", "diff", "--quiet", "HEAD~1"], cwd=repo).returncode == 0
        return reverted, reverted and alone
    finally:
        _git(repo, "checkout", "-q", "--", ".")


def repair(seed: Seed, repo: Path, timeout: int, steps: int | None = None) -> dict[str, object]:
    out = repo.with_name(repo.name + "-out")
    shutil.rmtree(out, ignore_errors=True)
    start = time.monotonic()
    limit = ["--max-steps", str(steps)] if steps else []
    limit += ["--python", seed.python] if seed.python else []
    limit += ["--as-of", seed.as_of] if seed.as_of else []
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rfsn",
            "repair",
            f"file://{repo}",
            "--out",
            str(out),
            "--timeout",
            str(timeout),
            *limit,
        ],
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - start
    results = sorted(out.glob("*/result.json"), key=lambda p: p.stat().st_mtime)
    row: dict[str, object] = {"project": seed.project, "kind": seed.kind, "seconds": round(seconds, 1)}
    if not results:
        return {**row, "fixed": False, "status": f"no result (exit {proc.returncode}): {proc.stderr[-200:]}"}
    result = json.loads(results[-1].read_text())
    patch_file = results[-1].parent / "patch.diff"
    patch = patch_file.read_text() if patch_file.exists() else ""
    tried = result.get("candidates_tried") or 0
    phase = patch_phase(results[-1].parent)
    return {
        **row,
        "status": result["status"],
        "fixed": result["status"] == "fixed",
        "fault_rank": (ranks := fault_ranks(results[-1].parent, repo, seed) or [None])[0],
        "group_fault_ranks": ranks,
        # candidates a second over the whole patch phase, and over its screening loop alone
        "patch_rate": round(tried / phase["seconds"], 2) if phase and phase["seconds"] and tried else None,
        "screen_rate": round(tried / phase["screening"], 2) if phase and phase["screening"] and tried else None,
        "patch_phase": {k: round(v, 2) for k, v in phase.items()} if phase else None,
        "correct": (both := reverts_seed(repo, seed, patch))[0],
        "seed_alone": both[1],
        "candidates": tried,
        "steps": result.get("steps") or 0,
        "failing_before": len(result.get("failing_before") or []),
        "rate": round(tried / seconds, 2) if seconds else None,
        "warm_fallbacks": warm_fallbacks(results[-1].parent),
        # per target group tried: how it ended, candidates screened, passed over, seconds
        "groups": [
            [g.get("outcome"), g.get("candidates"), g.get("skipped", 0), g.get("seconds")]
            for g in result.get("groups") or []
            if g.get("kind") == "target"
        ],
        "why": "" if result["status"] == "fixed" else result.get("message", "")[:160],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument(
        "--seeds",
        nargs="*",
        type=int,
        default=None,
        help="only the seeds at these places of SEEDS, counted from 0 (a project's one seed)",
    )
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--work", type=Path, default=Path("/work/data/bench_real"))
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument(
        "--steps",
        type=int,
        default=None,
        help="proposals each session may make (3: up to the first candidate, for the rank alone)",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for index, seed in enumerate(SEEDS):
        if (args.only and seed.project not in args.only) or (args.seeds is not None and index not in args.seeds):
            continue
        repo = prepare(seed, args.mirrors, args.work, index)
        if repo is None:
            print(json.dumps({"project": seed.project, "skipped": f"no mirror {seed.mirror}"}), flush=True)
            continue
        rows.append({"seed": index, **repair(seed, repo, args.timeout, args.steps)})
        print(json.dumps(rows[-1]), flush=True)
    fixed = [r for r in rows if r.get("fixed")]
    if rows:
        ranks = [v for r in rows if isinstance(v := r.get("fault_rank"), int)]
        print(
            json.dumps(
                {
                    "seeds": len(rows),
                    "fixed": len(fixed),
                    "correct": sum(bool(r.get("correct")) for r in rows),
                    "seed_alone": sum(bool(r.get("seed_alone")) for r in rows),
                    "median_fault_rank": statistics.median(ranks) if ranks else None,
                    "median_seconds_fixed": (statistics.median(float(r["seconds"]) for r in fixed) if fixed else None),
                }
            )
        )


if __name__ == "__main__":
    main()
