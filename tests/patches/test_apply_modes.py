"""Every way rfsn applies a diff on disk (rfsn.patches.apply), on real repositories.

A tree that is not rfsn's own (the user's tree ``repair --apply`` writes, a workspace handed to
``rfsn gate check``) is reached through an empty git directory: ``git apply`` runs a clean filter
on each file it reads, so run in that tree's repository it would start a command its config names.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rfsn import hostgit
from rfsn.hostgit import git
from rfsn.patches.apply import check, to_foreign, to_index, to_worktree
from tests.hostgit.hostile import evil, project, with_filter

PATCH = "--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-VALUE = 1\n+VALUE = 3\n"
STALE = PATCH.replace("-VALUE = 1", "-VALUE = 7")


def _markers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("marker"))


def _hostile(tmp_path: Path) -> Path:
    """A user's repository whose config names a clean and smudge filter and a textconv for ``*.py``."""
    repo = project(tmp_path / "repo")
    with_filter(repo, tmp_path / "marker", "*.py filter=evil diff=evil\n")
    with (repo / ".git" / "config").open("a") as config:
        textconv = evil(tmp_path / "marker", "-textconv")
        config.write(f'[diff "evil"]\n\ttextconv = {textconv}\n[filter "evil"]\n\trequired = true\n')
    return repo


def test_repair_apply_s_patch_to_the_user_s_tree_runs_none_of_its_repository_s_filters(tmp_path: Path) -> None:
    """Audit 68: `rfsn repair DIR --apply` ran `git apply` in DIR, whose clean and smudge filters
    (with `.gitattributes` naming them) then ran on the host. The patch is applied all the same."""
    repo = _hostile(tmp_path)
    proc = to_foreign(repo, PATCH)
    assert proc.returncode == 0, proc.stderr
    assert (repo / "app.py").read_text() == "VALUE = 3\n"
    assert _markers(tmp_path) == []


def test_check_reads_only_and_tells_a_stale_patch(tmp_path: Path) -> None:
    repo = project(tmp_path / "repo")
    assert check(repo, PATCH).returncode == 0
    stale = check(repo, STALE)
    assert stale.returncode != 0 and b"app.py" in stale.stderr
    assert (repo / "app.py").read_text() == "VALUE = 1\n"
    assert git(repo, "status", "--porcelain").stdout == ""


def test_gate_check_of_a_workspace_with_a_filter_runs_none_of_it(tmp_path: Path) -> None:
    """`rfsn gate check` ran its `git apply --check` in the workspace's own repository: a clean
    filter its config names ran on the host for each file the patch touches."""
    repo = _hostile(tmp_path)
    line = {"workspace": str(repo), "phase": "patch", "proposal": {"intent": "edit", "patch": PATCH}}
    stale = {**line, "proposal": {"intent": "edit", "patch": STALE}}
    done = subprocess.run(
        [sys.executable, "-m", "rfsn", "gate", "check"],
        input=f"{json.dumps(line)}\n{json.dumps(stale)}\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    decisions = [json.loads(row) for row in done.stdout.splitlines()]
    assert [d["rule"] for d in decisions] == [None, "patch_does_not_apply"]
    assert _markers(tmp_path) == []
    assert (repo / "app.py").read_text() == "VALUE = 1\n"


def test_to_worktree_applies_in_rfsn_s_own_repository(tmp_path: Path) -> None:
    repo = project(tmp_path / "repo")
    assert to_worktree(repo, PATCH, "--whitespace=nowarn").returncode == 0
    assert (repo / "app.py").read_text() == "VALUE = 3\n"
    assert to_worktree(repo, PATCH).returncode != 0  # applied once: its old line is gone


def test_to_index_changes_the_index_and_not_the_work_tree(tmp_path: Path) -> None:
    repo = project(tmp_path / "repo")
    index = tmp_path / "index"
    env = {"GIT_INDEX_FILE": str(index)}

    hostgit.run(repo, "read-tree", "HEAD", env=env)
    assert to_index(repo, PATCH, index)
    tree = hostgit.run(repo, "write-tree", env=env).stdout.strip()
    assert git(repo, "show", f"{tree}:app.py").stdout == "VALUE = 3\n"
    assert (repo / "app.py").read_text() == "VALUE = 1\n"
    assert not to_index(repo, STALE, index)


def test_the_empty_git_directory_is_removed_at_exit_without_a_warning(tmp_path: Path) -> None:
    """The directory a foreign tree's diff goes through is gone when the process ends, removed by
    rfsn, not by the interpreter's finalizer (which warns: an error under ``-W error``)."""
    repo = project(tmp_path / "repo")
    script = (
        "from pathlib import Path; from rfsn.patches import apply\n"
        f"assert apply.check(Path({str(repo)!r}), {PATCH!r}).returncode == 0\n"
        "print(apply._empty_git_dir())\n"
    )
    proc = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert not Path(proc.stdout.strip()).exists()
