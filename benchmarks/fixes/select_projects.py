"""Choose the fixes corpus's projects from candidates.tsv by the rule in README.md, and split them.

Each candidate (a registry's package and its upstream repository) gets a status: ``selected``
or why not (in benchmarks/ or SWE-bench already, a repository already chosen, not fetched,
over 300 MiB, led by a language other than Python, JavaScript/TypeScript, Go or Rust, under 200
non-merge commits, or past its language's quota). The language is the one with most non-test
source files at the snapshot's HEAD (C, C++, Java and the like count as "other"). The split
is ``design`` when the first hex digit of sha256("owner/name") is below 8, else ``test``:
fixed before anything is mined.

    python benchmarks/fixes/select_projects.py --mirrors /work/.mirror \\
        --failures /work/data/fixes-repos/fetch-failures.tsv --out benchmarks/fixes/projects.tsv
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import subprocess
from collections import Counter
from pathlib import Path

from rfsn.buildpacks.testfiles import is_test_file

HERE = Path(__file__).parent
#: projects of the repository's other benchmarks (history, real-projects) and SWE-bench's
EXCLUDED = frozenset(
    {
        "alecthomas/voluptuous",
        "andialbrecht/sqlparse",
        "arrow-py/arrow",
        "astanin/python-tabulate",
        "cpburnz/python-pathspec",
        "dateutil/dateutil",
        "gweis/isodate",
        "jazzband/prettytable",
        "keleshev/schema",
        "mahmoud/boltons",
        "marshmallow-code/marshmallow",
        "martinblech/xmltodict",
        "more-itertools/more-itertools",
        "pypa/packaging",
        "pyparsing/pyparsing",
        "python-humanize/humanize",
        "python-hyper/h11",
        "Python-Markdown/markdown",
        "python-semver/python-semver",
        "pytoolz/toolz",
        "sdispater/tomlkit",
        "SethMMorton/natsort",
        "tkem/cachetools",
        "un33k/python-slugify",
        "pytest-dev/iniconfig",
        "jshttp/mime-types",
        "fastify/fast-content-type-parse",
        "dustin/go-humanize",
        "spf13/pflag",
        "lib/pq",
        "robfig/cron",
        "psf/requests",
        "moment/luxon",
        "astropy/astropy",
        "django/django",
        "matplotlib/matplotlib",
        "mwaskom/seaborn",
        "pallets/flask",
        "pydata/xarray",
        "pylint-dev/pylint",
        "pytest-dev/pytest",
        "scikit-learn/scikit-learn",
        "sphinx-doc/sphinx",
        "sympy/sympy",
    }
)
LANGUAGES = {
    "py": "python",
    "js": "javascript",
    "mjs": "javascript",
    "cjs": "javascript",
    "ts": "javascript",
    "mts": "javascript",
    "cts": "javascript",
    "go": "go",
    "rs": "rust",
    **dict.fromkeys(("c", "h", "cc", "cpp", "hpp", "cxx", "java", "kt", "cs", "rb", "php", "m", "swift"), "other"),
}
QUOTA = {"python": 75, "javascript": 25, "go": 12, "rust": 12, "other": 0}
MAX_MIB = 300
MIN_COMMITS = 200


def git_dir(mirrors: Path, repo: str) -> Path | None:
    base = mirrors / repo.replace("/", "+", 1) / "repo"
    for path in (base / ".git", base):
        if (path / "HEAD").exists():
            return path
    return None


def language(gdir: Path) -> str | None:
    """The language with most non-test source files at HEAD (TypeScript counts as JavaScript)."""
    names = subprocess.run(
        ["git", "--git-dir", str(gdir), "ls-tree", "-r", "--name-only", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    counts = Counter(
        LANGUAGES[n.rsplit(".", 1)[-1]]
        for n in names
        if "." in n and n.rsplit(".", 1)[-1] in LANGUAGES and not is_test_file(n) and not n.endswith(".d.ts")
    )
    return counts.most_common(1)[0][0] if counts else None


def commits(gdir: Path) -> int:
    return int(
        subprocess.run(
            ["git", "--git-dir", str(gdir), "rev-list", "--count", "--no-merges", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )


def mib(gdir: Path) -> float:
    return sum(p.stat().st_size for p in gdir.rglob("*") if p.is_file()) / 2**20


def split_of(repo: str) -> str:
    return "design" if int(hashlib.sha256(repo.encode()).hexdigest()[0], 16) < 8 else "test"


def choose(candidates: list[dict[str, str]], mirrors: Path, failures: dict[str, str]) -> list[dict[str, str]]:
    seen: set[str] = set()
    taken: Counter[str] = Counter()
    rows = []
    for cand in candidates:
        repo = cand["repo"]
        row = {**cand, "language": "", "mib": "", "split": split_of(repo), "status": "selected", "head": ""}
        gdir = git_dir(mirrors, repo)
        if repo in EXCLUDED:
            row["status"] = "excluded: in benchmarks/ or SWE-bench already"
        elif repo in seen:
            row["status"] = "duplicate: repository already chosen for another package"
        elif repo in failures:
            row["status"] = f"not fetched: {failures[repo]}"
        elif gdir is None:
            row["status"] = "not fetched: no git directory"
        else:
            size, lang = mib(gdir), language(gdir)
            row["head"] = subprocess.run(
                ["git", "--git-dir", str(gdir), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
            ).stdout.strip()
            row["mib"], row["language"] = f"{size:.0f}", lang or ""
            if size > MAX_MIB:
                row["status"] = f"over {MAX_MIB} MiB"
            elif lang is None or lang == "other":
                row["status"] = "no source in Python, JavaScript/TypeScript, Go or Rust leads"
            elif commits(gdir) < MIN_COMMITS:
                row["status"] = f"under {MIN_COMMITS} non-merge commits"
            elif taken[lang] >= QUOTA[lang]:
                row["status"] = f"past the {lang} quota of {QUOTA[lang]}"
            else:
                taken[lang] += 1
        seen.add(repo)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--failures", type=Path, default=Path("/work/data/fixes-repos/fetch-failures.tsv"))
    parser.add_argument("--out", type=Path, default=HERE / "projects.tsv")
    args = parser.parse_args()
    with open(HERE / "candidates.tsv", newline="") as fh:
        candidates = list(csv.DictReader(fh, delimiter="\t"))
    failures = dict(line.split("\t", 1) for line in args.failures.read_text().splitlines() if line)
    rows = choose(candidates, args.mirrors, failures)
    with open(args.out, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    chosen = Counter((r["language"], r["split"]) for r in rows if r["status"] == "selected")
    for (lang, part), n in sorted(chosen.items()):
        print(f"{lang:<11} {part:<6} {n}")


if __name__ == "__main__":
    main()
