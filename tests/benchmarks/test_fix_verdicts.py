"""Per-fix verdicts of the expressiveness measure (``expressiveness.py --bugs``, ``verdicts.py``):
a patch's hunks as zero-context edits, and which templates write each, on a real git repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.benchmarks.fixesmod import FIXES, load
from tests.paths import COMMIT_DATES, ROOT

BEFORE = "def area(w, h):\n    x = 1\n    y = 2\n    z = 3\n    return w + h\n\n\ndef name(x):\n    return x\n"
AFTER = BEFORE.replace("w + h", "w * h").replace("return x\n", "return x.strip().lower()\n")


verdicts = load("verdicts")


def _git(repo: Path, *args: str) -> str:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(repo), **COMMIT_DATES}
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True, text=True)
    return done.stdout


def _commit(repo: Path, files: dict[str, str]) -> str:
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "change")
    return _git(repo, "rev-parse", "HEAD").strip()


def test_each_hunk_of_a_context_diff_is_a_zero_context_edit_that_applies_alone() -> None:
    patch = (
        "diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n"
        "@@ -2,4 +2,4 @@ def area(w, h):\n     x = 1\n     y = 2\n     z = 3\n-    return w + h\n+    return w * h\n"
        "@@ -7,3 +7,4 @@\n \n def name(x):\n+    x = x or ''\n     return x\n"
    )
    first, second = verdicts.spans(patch)
    assert (first.path, first.header, second.header) == ("m.py", "@@ -5,1 +5,1 @@", "@@ -8,0 +8,1 @@")
    assert first.apply(BEFORE) == BEFORE.replace("w + h", "w * h")
    assert second.apply(BEFORE) == BEFORE.replace("    return x\n", "    x = x or ''\n    return x\n")
    assert verdicts.written([{"templates": ["arithmetic_operator"]}, {"templates": []}]) == "multi-hunk (yes, no)"


def test_the_bugs_option_names_the_templates_that_write_each_hunk(tmp_path: Path) -> None:
    repo = tmp_path / "repos" / "owner__name"
    repo.mkdir(parents=True)
    _git(repo, "init", "-q")
    base = _commit(repo, {"pkg/geo.py": BEFORE})
    fix = _commit(repo, {"pkg/geo.py": AFTER, "tests/test_geo.py": "def test_area():\n    assert 1\n"})
    patch = _git(repo, "diff", "-U1", base, fix, "--", "pkg/geo.py")  # two hunks
    test_patch = _git(repo, "diff", base, fix, "--", "tests")
    row = {"instance_id": "owner__name-1", "repo": "owner/name", "base_commit": base, "fix_commit": fix}
    bugs = tmp_path / "bugs.jsonl"
    bugs.write_text(json.dumps({**row, "patch": patch, "test_patch": test_patch}) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        str(FIXES / "expressiveness.py"),
        "--bugs",
        str(bugs),
        "--repos",
        str(tmp_path / "repos"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env, timeout=300)
    said = json.loads(done.stdout)
    assert said["instance_id"] == "owner__name-1" and said["written"] == "multi-hunk (yes, no)"
    first, second = said["hunks"]
    assert first["templates"] == ["arithmetic_operator"], first
    assert first["candidates"] > 0 and second["templates"] == [] and second["candidates"] > 0
