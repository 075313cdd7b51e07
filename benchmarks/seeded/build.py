#!/usr/bin/env python3
"""Regenerate ``projects/`` and ``instances.jsonl`` from ``bugs.py`` and check every instance.

    python benchmarks/seeded/build.py [--python PYTHON]

For each bug: the buggy tree is written under ``projects/<name>``, materialized
into a deterministic git repository (``materialize.py``), and the three diffs
(``test_patch``: the revealing tests, ``patch``: the fix, ``hidden_patch``:
held-out tests) are produced by real ``git diff`` runs. The instance is checked
with pytest: FAIL_TO_PASS fail and PASS_TO_PASS pass at the base commit with the
test patch, and everything (HIDDEN too) passes once the fix is applied.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bugs import BUGS, Bug  # noqa: E402
from materialize import devset, materialize_project  # noqa: E402

CONFTEST = "# Puts the project root on sys.path for the tests.\n"


def test_ids(path: str, source: str) -> list[str]:
    tree = ast.parse(source)
    return [f"{path}::{n.name}" for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]


def write_tree(bug: Bug, dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "tests").mkdir(parents=True)
    module = bug.module.lstrip("\n")
    assert module.count(bug.fixed) == 1, bug.name
    (dest / f"{bug.name}.py").write_text(module.replace(bug.fixed, bug.buggy))
    (dest / "conftest.py").write_text(CONFTEST)
    (dest / "requirements-dev.txt").write_text("pytest>=7\n")
    (dest / "tests" / f"test_{bug.name}.py").write_text(bug.tests)


def diff_after(repo: Path, path: str, text: str) -> str:
    (repo / path).write_text(text)
    devset.git(repo, "add", "--all", ".")
    out = devset.git(repo, "diff", "--cached", "HEAD")
    devset.git(repo, "reset", "-q", "--hard", "HEAD")
    return out


def pytest_status(python: str, repo: Path) -> dict[str, bool]:
    proc = subprocess.run(
        [python, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "-q"], cwd=repo, capture_output=True, text=True
    )
    out = {}
    for line in proc.stdout.splitlines():
        for word, ok in (("PASSED ", True), ("FAILED ", False), ("ERROR ", False)):
            if line.startswith(word):
                out[line[len(word) :].split(" - ")[0].strip()] = ok
    return out


def build(bug: Bug, tmp: Path, python: str) -> dict:
    write_tree(bug, HERE / "projects" / bug.name)
    repo = tmp / bug.name
    base = materialize_project(HERE / "projects" / bug.name, repo)
    issue_path, hidden_path = f"tests/test_{bug.name}_issue.py", f"tests/test_{bug.name}_hidden.py"
    test_patch = diff_after(repo, issue_path, bug.issue)
    patch = diff_after(repo, f"{bug.name}.py", bug.module.lstrip("\n"))
    hidden_patch = diff_after(repo, hidden_path, bug.hidden)
    row = {
        "instance_id": f"seeded__{bug.name}-1",
        "repo": f"seeded/{bug.name}",
        "base_commit": base,
        "problem_statement": bug.statement + "\n",
        "hints_text": "",
        "created_at": "2026-11-22T00:00:00Z",
        "version": "1.0",
        "language": "python",
        "kind": bug.kind,
        "patch": patch,
        "test_patch": test_patch,
        "hidden_patch": hidden_patch,
        "FAIL_TO_PASS": test_ids(issue_path, bug.issue),
        "PASS_TO_PASS": test_ids(f"tests/test_{bug.name}.py", bug.tests),
        "HIDDEN": test_ids(hidden_path, bug.hidden),
    }
    for diff in (test_patch, hidden_patch):
        devset.git(repo, "apply", "-", input_text=diff)
    before = pytest_status(python, repo)
    devset.git(repo, "apply", "-", input_text=patch)
    after = pytest_status(python, repo)
    assert not any(before.get(t, False) for t in row["FAIL_TO_PASS"]), (bug.name, before)
    assert all(before.get(t) for t in row["PASS_TO_PASS"]), (bug.name, before)
    assert all(after.get(t) for t in row["FAIL_TO_PASS"] + row["PASS_TO_PASS"] + row["HIDDEN"]), (bug.name, after)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="an interpreter with pytest installed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [build(bug, Path(tmp), args.python) for bug in BUGS]
    with open(HERE / "instances.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(row) + "\n" for row in rows)
    print(f"{len(rows)} instances written and checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
