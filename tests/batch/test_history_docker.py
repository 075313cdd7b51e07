"""Inside the sandbox of a real batch instance, git sees its base commit's history and nothing newer.

The issue-68 audit: a batch instance whose repository goes on past ``base_commit`` (the fix
committed after it), run with ``--oracle-tests``, gave the session a ``--shared`` clone of the
whole repository, where ``git log --all`` showed the fix.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.batch.test_patching import git
from tests.sandbox.projects import make_project

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.usefixtures("docker_client", "no_leaked_sandboxes")]
ROOT = Path(__file__).resolve().parents[2]

#: the oracle test: what git shows inside the sandbox, printed by a test that fails on purpose
PROBE = """import subprocess


def run(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True).stdout


def test_history():
    seen = run("log", "--all", "--format=%H") + run("cat-file", "--batch-all-objects", "--batch-check")
    assert False, "SEEN " + " ".join(seen.split())
"""


def _repository(root: Path) -> tuple[Path, str, set[str]]:
    """A project whose base commit is followed by its fix (the probe and the code, in one
    commit) and a tag of it. Returns it, the base, and the ids git holds of the future (not
    those of the base's tree with the probe added, which the session is given)."""
    repo = make_project(
        root / "calc",
        {
            "calc.py": "def double(x):\n    return x + x\n",
            "tests/test_calc.py": "from calc import double\n\n\ndef test_double():\n    assert double(2) == 4\n",
        },
    )
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "calc.py").write_text("def double(x):\n    return 2 * x  # the fix\n")
    (repo / "tests" / "test_history.py").write_text(PROBE)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the fix")
    git(repo, "tag", "v2")
    everything = set(git(repo, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)").split())
    oracle = root / "oracle"  # the session is given the base with the probe: those objects are no future
    git(root, "clone", "-q", str(repo), str(oracle))
    git(oracle, "checkout", "-q", base)
    git(oracle, "checkout", "-q", "HEAD@{1}", "--", "tests/test_history.py")
    given = git(oracle, "write-tree").strip()
    return (
        repo,
        base,
        everything
        - set(git(repo, "rev-list", "--objects", base).split())
        - set(git(oracle, "ls-tree", "-r", "-t", "--object-only", given).split())
        - {given},
    )


def test_git_in_a_batch_instances_sandbox_sees_no_commit_or_object_after_its_base_issue_68(tmp_path: Path) -> None:
    repo, base, future = _repository(tmp_path)
    assert git(repo, "rev-parse", "HEAD").strip() in future
    test_patch = git(repo, "diff", base, "HEAD", "--", "tests/test_history.py")
    example = json.loads((ROOT / "examples" / "instances.jsonl").read_text().splitlines()[0])
    instance = {
        **example,
        "instance_id": "calc-1",
        "repo": str(repo),
        "base_commit": base,
        "test_patch": test_patch,
        "patch": "",
        "FAIL_TO_PASS": ["tests/test_history.py::test_history"],
        "PASS_TO_PASS": ["tests/test_calc.py::test_double"],
    }
    instances = tmp_path / "instances.jsonl"
    instances.write_text(json.dumps(instance) + "\n")
    out = tmp_path / "run"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rfsn",
            "batch",
            str(instances),
            "--out",
            str(out),
            "--oracle-tests",
            "--timeout",
            "120",
        ],
        env={**os.environ, "RFSN_HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    logs = [
        json.loads(line)["outcome"]["report"]["log"]
        for path in out.glob("calc-1/*/trajectory.jsonl")
        for line in path.read_text().splitlines()
        if (json.loads(line).get("outcome") or {}).get("report")
    ]
    seen = {
        token
        for log in logs
        for line in log.splitlines()
        if "SEEN " in line
        for token in re.findall(r"\b[0-9a-f]{40}\b", line)
    }
    assert base in seen, logs[-1:]  # the probe ran, and printed what git holds
    assert not seen & future, seen & future
