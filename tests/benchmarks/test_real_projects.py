"""benchmarks/bench_real_projects.py: a patch is correct when it puts the seeded file back, and
``seed_alone`` when it changes nothing else (a fix of another group rides along otherwise)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_real_projects import Seed, prepare, reverts_seed


def _diff(repo: Path, edits: dict[str, tuple[str, str]]) -> str:
    for rel, (old, new) in edits.items():
        (repo / rel).write_text((repo / rel).read_text().replace(old, new))
    patch = subprocess.run(["git", "diff"], cwd=repo, capture_output=True, text=True, check=True).stdout
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo, check=True)
    return patch


def test_a_patch_reverting_the_seed_is_correct_and_alone_only_when_it_changes_nothing_else(tmp_path: Path) -> None:
    source = tmp_path / "mirrors" / "o+p" / "repo"
    source.mkdir(parents=True)
    (source / "a.py").write_text("def f(x):\n    return x + 1\n")
    (source / "b.py").write_text("def g():\n    raise ValueError\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q"], cwd=source, check=True)
    subprocess.run([*git, "add", "-A"], cwd=source, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=source, check=True)
    seed = Seed("p", "o+p", "a.py", "return x + 1", "return x - 1", "operator")
    repo = prepare(seed, tmp_path / "mirrors", tmp_path / "work", 0)
    assert repo is not None
    revert = {"a.py": ("x - 1", "x + 1")}
    assert reverts_seed(repo, seed, _diff(repo, revert)) == (True, True)
    assert reverts_seed(repo, seed, _diff(repo, {**revert, "b.py": ("raise ValueError", "pass")})) == (True, False)
    assert reverts_seed(repo, seed, _diff(repo, {"b.py": ("raise ValueError", "pass")})) == (False, False)
    assert reverts_seed(repo, seed, "") == (False, False)
