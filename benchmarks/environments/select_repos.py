"""Write corpus.tsv, the environment benchmark's repositories, by the rule in README.md.

Python, JavaScript/TypeScript and Go come from the fixes corpus's candidates (branch ``fixes``,
benchmarks/fixes: each registry's most-used packages and their repositories, in rank order),
taking those its ``projects.tsv`` did not select; Rust from the registry packages of ripgrep's
Cargo.lock, Java from the Apache Commons rows of the workplace's Maven list (tables below).
The split is ``design`` when the first hex digit of sha256("owner/name") is below 8, else
``measure``: the fixes corpus's rule, so a repository lies on one side in both.

    git show fixes:benchmarks/fixes/candidates.tsv > /tmp/candidates.tsv
    git show fixes:benchmarks/fixes/projects.tsv > /tmp/projects.tsv
    python benchmarks/environments/select_repos.py /tmp/candidates.tsv /tmp/projects.tsv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "fixes"))
# one list of excluded repositories and one split rule for both corpora
from select_projects import EXCLUDED, split_of  # noqa: E402

#: fixes statuses that say the repository cannot be had here (refused by the fetch tool, or over 300 MiB)
UNFETCHABLE = ("not fetched", "over 300 MiB")
ECOSYSTEM = {"pypi": "python", "npm": "javascript", "go": "go"}
#: ripgrep's Cargo.lock (HEAD of 2026-11) registry packages, in the lock's order, and each one's repository
RUST = (
    ("aho-corasick", "BurntSushi/aho-corasick"),
    ("anyhow", "dtolnay/anyhow"),
    ("arbitrary", "rust-fuzz/arbitrary"),
    ("bstr", "BurntSushi/bstr"),
    ("cc", "rust-lang/cc-rs"),
    ("cfg-if", "rust-lang/cfg-if"),
    ("crossbeam-channel", "crossbeam-rs/crossbeam"),
    ("encoding_rs", "hsivonen/encoding_rs"),
    ("encoding_rs_io", "BurntSushi/encoding_rs_io"),
    ("fst", "BurntSushi/fst"),
    ("getrandom", "rust-random/getrandom"),
    ("glob", "rust-lang/glob"),
)
#: every org.apache.commons / commons-* row of maven-partial.tsv, in its order, and each one's repository
JAVA = (
    ("commons-cli", "apache/commons-cli"),
    ("commons-codec", "apache/commons-codec"),
    ("commons-io", "apache/commons-io"),
    ("commons-collections4", "apache/commons-collections"),
    ("commons-compress", "apache/commons-compress"),
    ("commons-csv", "apache/commons-csv"),
    ("commons-lang3", "apache/commons-lang"),
    ("commons-math3", "apache/commons-math"),
    ("commons-pool2", "apache/commons-pool"),
    ("commons-rng-bom", "apache/commons-rng"),
    ("commons-text", "apache/commons-text"),
)


def split(repo: str) -> str:
    """The fixes corpus's split, its ``test`` side named ``measure`` here."""
    return "design" if split_of(repo) == "design" else "measure"


def rows(candidates: Path, projects: Path) -> list[dict[str, str]]:
    status = {r["repo"]: r["status"] for r in csv.DictReader(projects.open(), delimiter="\t")}
    taken: set[str] = set()
    out: list[dict[str, str]] = []

    def add(ecosystem: str, package: str, rank: str, repo: str, source: str) -> None:
        if repo in taken or repo in EXCLUDED or status.get(repo, "") == "selected":
            return
        if status.get(repo, "").startswith(UNFETCHABLE):
            return
        taken.add(repo)
        out.append(
            {
                "ecosystem": ecosystem,
                "package": package,
                "rank": rank,
                "repo": repo,
                "split": split(repo),
                "source": source,
            }
        )

    for row in csv.DictReader(candidates.open(), delimiter="\t"):
        eco = ECOSYSTEM[row["registry"]]
        if eco == "python" and int(row["rank"]) > 166:
            continue  # the fixes corpus's extra Rust-built PyPI packages were chosen from knowledge
        add(eco, row["package"], row["rank"], row["repo"], f"{row['registry']} rank")
    for rank, (package, repo) in enumerate(RUST, 1):
        add("rust", package, str(rank), repo, "ripgrep Cargo.lock")
    for rank, (package, repo) in enumerate(JAVA, 1):
        add("java", package, str(rank), repo, "maven-partial commons")
    return out


def main(argv: list[str]) -> None:
    out = rows(Path(argv[0]), Path(argv[1]))
    with (HERE / "corpus.tsv").open("w", newline="") as handle:
        writer = csv.DictWriter(
            handle, ["ecosystem", "package", "rank", "repo", "split", "source"], delimiter="\t", lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(out)


if __name__ == "__main__":
    main(sys.argv[1:])
