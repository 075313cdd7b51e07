"""Mine single-hunk bug-fixing commits of the projects of projects.tsv into fixes.jsonl.gz.

A commit is a fix when it is no merge, its subject matches ``FIX`` and not ``CHORE``, and
its change to the project's own source in the project's language (not tests, docs, examples,
vendored or generated code) is one modified file with exactly one hunk at zero context, of at
most ``MAX_CHANGED`` changed lines; besides it, the commit may change only test files (recorded)
and documentation. A change that does nothing is excluded: in Python the module's syntax tree
(docstrings dropped) must differ and both sides must parse; in the other languages the changed
lines must differ once comments and whitespace are removed. Each project gives at most
``CAP`` fixes, the ones with the smallest sha256 of their commit. Nothing is run.

    python benchmarks/fixes/mine.py --repos /work/data/fixes-repos [--jobs 2] [--out benchmarks/fixes/fixes.jsonl.gz]
"""

from __future__ import annotations

import argparse
import ast
import csv
import gzip
import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from multiprocessing import Pool
from pathlib import Path
from typing import Any

from rfsn.buildpacks.testfiles import is_test_file

HERE = Path(__file__).parent
FIX = re.compile(
    r"\b(fix(es|ed|ing)?|bugs?|bugfix|issue|regression|crash(es|ed|ing)?|wrong(ly)?|incorrect(ly)?)\b", re.IGNORECASE
)
CHORE = re.compile(
    r"\b(typos?|spelling|lint\w*|flake8|pylint|ruff|mypy|eslint|clippy|rustfmt|gofmt|prettier|"
    r"format(ting)?|style|docs?|documentation|readme|changelog|ci|travis|appveyor|release|bump|"
    r"revert\w*|merge|deprecat\w*|warnings?|coverage|tests? only|build)\b",
    re.IGNORECASE,
)
EXTENSIONS = {
    "python": (".py",),
    "javascript": (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"),
    "go": (".go",),
    "rust": (".rs",),
}
DOCS = re.compile(
    r"(^|/)(docs?|doc_src|changelog\.d|changes|news)/|\.(rst|md|txt|adoc)$|"
    r"(^|/)(CHANGE|HISTORY|NEWS|AUTHORS|CONTRIBUTORS)",
    re.IGNORECASE,
)
#: not the project's own shipped code: vendored, generated, examples, benchmarks, build scripts
NOT_OWN = re.compile(
    r"(^|/)(vendor(ed)?|_vendor|third_party|node_modules|dist|build|examples?|benchmarks?|bench|"
    r"scripts|tools|fixtures|testdata|\.github)/|\.min\.js$|\.d\.ts$|(^|/)(setup|noxfile|"
    r"conftest|fabfile|tasks)\.py$|_pb2(_grpc)?\.py$|\.pb\.go$",
    re.IGNORECASE,
)
MAX_CHANGED = 10
CAP = 100
HEADER = "\x01"


def is_source(path: str, language: str) -> bool:
    return (
        path.endswith(EXTENSIONS[language])
        and not is_test_file(path)
        and not NOT_OWN.search(path)
        and not DOCS.search(path)
    )


def git_dir(repos: Path, repo: str) -> Path:
    """The git directory of ``owner/name`` under ``repos`` (``owner__name``, a clone or a bare mirror)."""
    path = repos / repo.replace("/", "__", 1)
    return path / ".git" if (path / ".git").is_dir() else path


def git(gdir: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(gdir), *args], capture_output=True, text=True, errors="replace", check=True
    ).stdout


def commits(gdir: Path) -> list[dict[str, Any]]:
    """Every non-merge commit whose message may say fix, with the files it changes (their
    status letters: a snapshot lacks files of 4 MiB and more, so no blob is read here)."""
    out = git(
        gdir,
        "log",
        "--no-merges",
        "-i",
        "-E",
        "--grep",
        "fix|bug|issue|regression|crash|wrong|incorrect",
        "--no-renames",
        "--name-status",
        f"--format={HEADER}%H %P%x00%aI%x00%s",
        "HEAD",
    )
    found = []
    for chunk in out.split(HEADER)[1:]:
        head, _, names = chunk.partition("\n")
        shas, date, subject = head.split("\x00", 2)
        sha, *parents = shas.split()
        files = dict(reversed(line.split("\t", 1)) for line in names.splitlines() if "\t" in line)
        found.append({"commit": sha, "parents": parents, "date": date, "subject": subject, "files": files})
    return found


def hunk_of(lines: list[str]) -> tuple[str, int] | None:
    """(the @@ line, the count of changed lines) of a file's zero-context diff with one hunk of a
    modified file, else None."""
    if any(line.startswith(("new file", "deleted file", "Binary files")) for line in lines):
        return None
    heads = [line for line in lines if line.startswith("@@")]
    if len(heads) != 1:
        return None
    changed = sum(1 for line in lines if line[:1] in "+-" and not line.startswith(("+++", "---")))
    return heads[0], changed


def code(source: str) -> str | None:
    """The module's syntax tree without docstrings, dumped; None when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


_COMMENT = re.compile(r"//.*$|/\*.*?\*/|^\s*\*.*$|\s+")


def changes_code(lines: list[str]) -> bool:
    """Pure, for the brace languages: whether a hunk's lines differ once comments and whitespace go."""
    minus = "".join(_COMMENT.sub("", line[1:]) for line in lines if line[:1] == "-" and not line.startswith("---"))
    plus = "".join(_COMMENT.sub("", line[1:]) for line in lines if line[:1] == "+" and not line.startswith("+++"))
    return minus != plus


def fix_of(gdir: Path, project: dict[str, str], cand: dict[str, Any]) -> dict[str, Any] | None:
    """The corpus row of a candidate commit, or None when it is no single-hunk fix by the rules."""
    language, subject = project["language"], cand["subject"]
    if len(cand["parents"]) != 1 or not FIX.search(subject) or CHORE.search(subject):
        return None
    files = cand["files"]
    source = [f for f in files if is_source(f, language)]
    tests = sorted(f for f in files if is_test_file(f) and f not in source)
    if len(source) != 1 or any(f not in source and f not in tests and not DOCS.search(f) for f in files):
        return None
    path, parent, sha = source[0], cand["parents"][0], cand["commit"]
    if files[path] != "M":
        return None
    lines = git(gdir, "diff", "--no-color", "--no-renames", "-U0", parent, sha, "--", path).splitlines()
    shape = hunk_of(lines)
    if shape is None or shape[1] > MAX_CHANGED:
        return None
    if language == "python":
        before, after = code(git(gdir, "show", f"{parent}:{path}")), code(git(gdir, "show", f"{sha}:{path}"))
        if before is None or after is None or before == after:
            return None
    elif not changes_code(lines):
        return None
    return {
        "project": project["repo"],
        "split": project["split"],
        "language": language,
        "commit": sha,
        "parent": parent,
        "date": cand["date"],
        "subject": subject,
        "file": path,
        "hunk_header": shape[0],
        "changed_lines": shape[1],
        "tests": tests,
        "hunk": git(gdir, "diff", "--no-color", "--no-renames", parent, sha, "--", path),
    }


def mine_project(args: tuple[Path, dict[str, str]]) -> list[dict[str, Any]]:
    """A project's fixes: at most CAP, those of the smallest sha256 of their commit."""
    repos, project = args
    gdir = git_dir(repos, project["repo"])
    rows = []
    for cand in commits(gdir):
        try:
            row = fix_of(gdir, project, cand)
        except subprocess.CalledProcessError:  # a blob the snapshot lacks (files of 4 MiB and more)
            continue
        if row is not None:
            rows.append(row)
    print(f"{project['repo']}: {len(rows)} fixes", file=sys.stderr, flush=True)
    rows.sort(key=lambda row: hashlib.sha256(row["commit"].encode()).hexdigest())
    return sorted(rows[:CAP], key=lambda row: (row["date"], row["commit"]))


def summary(rows: list[dict[str, Any]], projects: list[dict[str, str]]) -> str:
    """A markdown table: per language and split, the projects, those that gave fixes, the fixes."""
    chosen = Counter((p["language"], p["split"]) for p in projects)
    giving = Counter((lang, part) for lang, part, _ in {(r["language"], r["split"], r["project"]) for r in rows})
    fixes = Counter((r["language"], r["split"]) for r in rows)
    lines = ["| language | split | projects | projects with fixes | fixes |", "| --- | --- | --- | --- | --- |"]
    for key in sorted(chosen):
        lines.append(f"| {key[0]} | {key[1]} | {chosen[key]} | {giving[key]} | {fixes[key]} |")
    lines.append(f"| all | all | {sum(chosen.values())} | {sum(giving.values())} | {len(rows)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=Path, default=Path("/work/data/fixes-repos"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "fixes.jsonl.gz")
    args = parser.parse_args()
    with open(HERE / "projects.tsv", newline="") as fh:
        projects = [p for p in csv.DictReader(fh, delimiter="\t") if p["status"] == "selected"]
    with Pool(args.jobs) as pool:
        mined = pool.map(mine_project, [(args.repos, p) for p in projects], chunksize=1)
    rows = [row for found in mined for row in found]
    with gzip.open(args.out, "wt", compresslevel=9) as fh:
        for row in rows:
            fh.write(json.dumps(row, sort_keys=True) + "\n")
    print(summary(rows, projects))


if __name__ == "__main__":
    main()
