"""Does the model's first prompt reach the code to fix? Issue-only, on real SWE-bench instances.

For every instance of the dataset whose repository is under ``--repos-dir`` (as ``owner__name``,
bare or not), the tree at ``base_commit`` is extracted, and the first request rfsn sends in
the issue-only setting (the reproduction request: the problem statement and what rfsn adds
to it, the instance's hints included, as `rfsn batch` gives them) is built exactly as a session
builds it. Per instance it reports:

- ``named``: every file the gold patch changes is named in the prompt: its path, or its name on
  the line of its directory in the map's list of other files (``pkg/sub/: a.py, b.py``);
- ``shown``: every hunk of the gold patch shows at least one of the lines it changes (or, for a
  hunk that only adds, the line before the addition) in the prompt;
- the prompt's size in characters.

With ``--tests-given`` it measures the patch request of the tests-given setting instead, as it is
before any test has run (no suspicious lines yet: what the failing tests' files and the problem
statement alone bring into view), on the tree with ``test_patch`` applied: ``any`` (at least one
gold hunk shows a changed line) and ``every`` hunk. The session's own localization adds to it.

An instance whose base commit cannot be extracted (objects missing from the snapshot) is
listed with the reason. Nothing runs in a sandbox and no model is asked: this measures what
rfsn puts in front of a model before it reads anything with its tools.

    python benchmarks/prompt_reach.py DATASET.json [DATASET.json ...] --repos-dir DIR [--work DIR] \
        [--instance-ids "ID ..."] [--json ROWS.jsonl]
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from rfsn.batch.infer import problem_text
from rfsn.models.swebench import Instance
from rfsn.planners.base import RepairContext
from rfsn.planners.code.sources import read_sources
from rfsn.planners.patch.strategies import model
from rfsn.planners.reproduce import issue

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@")


def gold_files(patch: str) -> list[str]:
    return re.findall(r"^diff --git a/(\S+) b/", patch, re.M)


def gold_lines(patch: str) -> list[list[str]]:
    """Per hunk: the base lines it changes (or the line before a pure addition), stripped."""
    hunks: list[list[str]] = []
    before = ""
    current: list[str] | None = None
    for line in patch.splitlines():
        if _HUNK.match(line):
            current = []
            hunks.append(current)
            before = ""
        elif current is None or line.startswith(("diff --git", "---", "+++")):
            continue
        elif line.startswith("-") and line[1:].strip():
            current.append(line[1:].strip())
        elif line.startswith("+") and not current and before:
            current.append(before)
        elif line.startswith(" ") and line.strip():
            before = line[1:].strip()
    return [h for h in hunks if h]


def named(path: str, prompt: str) -> bool:
    if path in prompt:
        return True
    folder, _, name = path.rpartition("/")
    head = f"{folder}/: " if folder else "./: "
    return any(name in line[len(head) :].split(", ") for line in prompt.splitlines() if line.startswith(head))


def extract(repo: Path, commit: str, dest: Path) -> str | None:
    """The tree at ``commit`` under ``dest``; the reason when it cannot be had."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    proc = subprocess.run(
        [
            "git",
            "--git-dir",
            str(repo if (repo / "objects").exists() else repo / ".git"),
            "archive",
            "--format=tar",
            commit,
        ],
        capture_output=True,
    )
    if proc.returncode != 0:
        return (proc.stderr.decode(errors="replace").strip().splitlines() or ["git archive failed"])[-1][:120]
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return None


def reach(instance: dict[str, Any], tree: Path) -> dict[str, Any]:
    sources = read_sources(tree, "python")
    tests = read_sources(tree, "python", tests=True)
    messages = issue.messages(problem_text(Instance.model_validate(instance)), sources, tests)
    prompt = "\n".join(m.content for m in messages)
    files = gold_files(instance["patch"])
    hunks = gold_lines(instance["patch"])
    return {
        "named": all(named(f, prompt) for f in files),
        "shown": bool(hunks) and all(any(line in prompt for line in h) for h in hunks),
        "in_sources": all(f in sources for f in files),
        "chars": len(prompt),
    }


def reach_given(instance: dict[str, Any], tree: Path) -> dict[str, Any]:
    """The patch request with the tests given, before any test ran (no suspicious lines): how
    many gold hunks the text alone (the failing tests' files, the problem) brings into view."""
    applied = subprocess.run(
        ["git", "apply", "-"], input=instance["test_patch"].encode(), cwd=tree, capture_output=True
    )
    if applied.returncode != 0:
        return {"error": "the test patch does not apply"}
    failing = instance["FAIL_TO_PASS"]
    failing = json.loads(failing) if isinstance(failing, str) else failing
    sources = read_sources(tree, "python")
    request = model.prompt(
        RepairContext(
            workspace=tree,
            language="python",
            failing=failing,
            passing=[],
            locations=[],
            problem=problem_text(Instance.model_validate(instance)),
            files=sources,
        )
    )
    hunks = gold_lines(instance["patch"])
    shown = sum(any(line in request for line in h) for h in hunks)
    return {
        "hunks": len(hunks),
        "hunks_shown": shown,
        "any": shown > 0,
        "every": bool(hunks) and shown == len(hunks),
        "chars": len(request),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--repos-dir", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("/tmp/rfsn-prompt-reach"))
    parser.add_argument("--json", type=Path, help="write every row here")
    parser.add_argument("--instance-ids", help="only these (space-separated)")
    parser.add_argument(
        "--tests-given", action="store_true", help="measure the patch request with the failing tests given instead"
    )
    args = parser.parse_args()
    wanted = set(args.instance_ids.split()) if args.instance_ids else None
    instances = [
        i
        for path in args.datasets
        for i in json.loads(path.read_text())
        if wanted is None or i["instance_id"] in wanted
    ]
    rows: list[dict[str, Any]] = []
    for instance in sorted(instances, key=lambda i: i["instance_id"]):
        repo = args.repos_dir / instance["repo"].replace("/", "__")
        if not repo.exists():
            continue
        tree = args.work / "tree"
        why = extract(repo, instance["base_commit"], tree)
        row: dict[str, Any] = {"instance_id": instance["instance_id"], "repo": instance["repo"]}
        row.update({"error": why} if why else (reach_given if args.tests_given else reach)(instance, tree))
        rows.append(row)
        print(json.dumps(row), flush=True)
    shutil.rmtree(args.work, ignore_errors=True)
    by_repo: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_repo[row["repo"]].append(row)
    columns = ("any", "every") if args.tests_given else ("named", "shown", "in_sources")
    print(
        f"\n{'repository':32} {'n':>4} {'error':>6} "
        + " ".join(f"{c:>10}" for c in columns)
        + f" {'chars (median)':>15}"
    )
    for name, group in [*sorted(by_repo.items()), ("all", rows)]:
        ok = [r for r in group if "error" not in r]
        chars = sorted(r["chars"] for r in ok)
        print(
            f"{name:32} {len(group):4d} {len(group) - len(ok):6d} "
            + " ".join(f"{sum(r[c] for r in ok):10d}" for c in columns)
            + f" {chars[len(chars) // 2] if chars else 0:15d}"
        )
    if args.json:
        args.json.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
