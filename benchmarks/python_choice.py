"""Which Python rfsn picks for every row of the corpora that pick one, host-side (no Docker).

Rows: the history corpus (each bug's ``base_commit``), the environment corpus's Python rows
(HEAD and the old commit, ``bench_environments.commit_of``), the devset's and the seeded
corpus's Python projects. Each commit is checked out from its fetched mirror (``--mirrors``)
or materialized project (``--devset``, ``--seeded``) under ``--work``, and
``pyversions.choose`` answers for two machines: ``stock`` (Debian's Pythons only) and
``archives`` (Debian's and archives of 2.7, 3.6-3.12, as the history runs had). One JSON line
per row; run it with two checkouts of rfsn on PYTHONPATH and ``--compare`` the outputs.

    python benchmarks/python_choice.py --out A.jsonl
    python benchmarks/python_choice.py --compare BEFORE.jsonl AFTER.jsonl
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ARCHIVED = {"2.7", "3.6", "3.7", "3.8", "3.10", "3.12"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout.strip()


def rows(args: argparse.Namespace) -> list[tuple[str, str, Path, str]]:
    """(corpus, row id, mirror or materialized repository, commit) of every row."""
    sys.path.insert(0, str(HERE))
    from bench_environments import commit_of  # type: ignore[import-not-found]

    out = []
    for line in (HERE / "history" / "corpus.jsonl").read_text().splitlines():
        bug = json.loads(line)
        out.append(
            (
                "history",
                bug["instance_id"],
                args.mirrors / bug["repo"].replace("/", "+", 1) / "repo",
                bug["base_commit"],
            )
        )
    with (HERE / "environments" / "corpus.tsv").open() as handle:
        for entry in csv.DictReader(handle, delimiter="\t"):
            mirror = args.mirrors / entry["repo"].replace("/", "+", 1) / "repo"
            if entry["ecosystem"] != "python" or not (mirror / "HEAD").exists():
                continue
            for at in ("head", "old"):
                commit = commit_of(mirror, at)
                if commit:
                    out.append(("environments", f"{entry['repo']}@{at}", mirror, commit))
    for corpus, where in (("devset", args.devset), ("seeded", args.seeded)):
        for line in (HERE / corpus / "instances.jsonl").read_text().splitlines():
            inst = json.loads(line)
            if inst.get("language", "python") == "python":
                out.append((corpus, inst["instance_id"], where / inst["repo"].split("/", 1)[1], inst["base_commit"]))
    return out


def checkout(source: Path, commit: str, work: Path) -> Path:
    tree = work / source.parent.name if source.name == "repo" else source
    if tree != source and not (tree / ".git").exists():
        subprocess.run(["git", "clone", "-q", "--shared", "-n", str(source), str(tree)], check=True)
    absent: list[str] = []
    for _ in range(200):  # a snapshot's largest files may be absent: check out all but those
        done = subprocess.run(
            ["git", "-C", str(tree), "checkout", "-q", "-f", "--detach", commit], capture_output=True, text=True
        )
        missing = re.search(r"invalid object \d+ \w+ for '(.*)'", done.stderr)
        if done.returncode == 0 or missing is None:
            break
        absent.append(f"!/{missing.group(1)}")
        git(tree, "sparse-checkout", "set", "--no-cone", "/*", *absent)
    if done.returncode:
        raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout, done.stderr)
    git(tree, "clean", "-qfdx")
    return tree


def choose(tree: Path) -> dict[str, str]:
    from rfsn.buildpacks.python import pydated, pyversions
    from rfsn.buildpacks.python.pyrecipe import DEBIAN_PYTHON
    from rfsn.errors import RfsnError

    day = pydated.as_of(tree, "commit")[0]
    out = {"day": str(day), "declared": " ".join(sorted(pyversions.declared(tree), key=pyversions._key))}
    for machine, have in (("stock", set(DEBIAN_PYTHON)), ("archives", {*DEBIAN_PYTHON, *ARCHIVED})):
        try:
            out[machine] = pyversions.choose(tree, day, have, DEBIAN_PYTHON, machine)[0]
        except RfsnError as exc:
            out[machine] = f"none ({str(exc)[:60]})"
    return out


def compare(before: Path, after: Path) -> None:
    old = {r["id"]: r for r in map(json.loads, before.read_text().splitlines())}
    new = [json.loads(line) for line in after.read_text().splitlines()]
    for machine in ("stock", "archives"):
        print(f"## {machine}")
        for corpus in dict.fromkeys(r["corpus"] for r in new):
            mine = [r for r in new if r["corpus"] == corpus]
            moves = collections.Counter(
                f"{old[r['id']][machine]} -> {r[machine]}" for r in mine if old[r["id"]][machine] != r[machine]
            )
            print(
                f"{corpus}: {len(mine)} rows, {sum(moves.values())} change"
                + "".join(f"; {n} {move}" for move, n in moves.most_common())
            )
        for r in new:
            if old[r["id"]][machine] != r[machine]:
                print(
                    f"  {r['corpus']:12} {r['id']:55} {r['day']} declared [{r['declared']}] "
                    f"{old[r['id']][machine]} -> {r[machine]}"
                )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--devset", type=Path, default=Path("/work/data/pynewest/devset"))
    parser.add_argument("--seeded", type=Path, default=Path("/work/data/pynewest/seeded"))
    parser.add_argument("--work", type=Path, default=Path("/work/data/pynewest/trees"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", type=Path, nargs=2)
    args = parser.parse_args(argv)
    if args.compare:
        compare(*args.compare)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    with args.out.open("w") as handle:
        for corpus, ident, source, commit in rows(args):
            if not (source / "HEAD").exists() and not (source / ".git").exists():
                print(f"skipped {ident}: no {source}", file=sys.stderr)
                continue
            try:
                tree = checkout(source, commit, args.work)
            except subprocess.CalledProcessError as exc:  # a snapshot without its largest files
                print(f"skipped {ident}: {exc.stderr.strip().splitlines()[-1][:200]}", file=sys.stderr)
                continue
            row = {"corpus": corpus, "id": ident, "commit": commit, **choose(tree)}
            handle.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
