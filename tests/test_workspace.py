"""Workspace: clones and copies at a ref, the user's tree untouched, diffs without artefacts."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from rfsn.errors import WorkspaceError
from rfsn.workspace import is_url, prepare

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@t",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@t",
}


def run_git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A repo with two commits on main, a tag v1 on the first and a branch 'feature'."""
    repo = tmp_path / "origin"
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "main")
    (repo / "app.py").write_text("VALUE = 1\n")
    run_git(repo, "add", ".")
    run_git(repo, "commit", "-qm", "one")
    run_git(repo, "tag", "v1")
    (repo / "app.py").write_text("VALUE = 2\n")
    run_git(repo, "commit", "-qam", "two")
    run_git(repo, "checkout", "-q", "-b", "feature")
    (repo / "feature.py").write_text("F = 1\n")
    run_git(repo, "add", ".")
    run_git(repo, "commit", "-qm", "feature")
    run_git(repo, "checkout", "-q", "main")
    return repo


def snapshot(tree: Path) -> dict[str, bytes]:
    return {str(p.relative_to(tree)): p.read_bytes() for p in sorted(tree.rglob("*")) if p.is_file()}


def test_is_url() -> None:
    assert is_url("file:///x.git") and is_url("https://h/x") and is_url("git@github.com:a/b.git")
    assert not is_url("/abs/path") and not is_url("rel/path")


def test_clone_file_url_at_a_tag(origin: Path, tmp_path: Path) -> None:
    ws = prepare(f"file://{origin}", tmp_path / "ws", ref="v1")
    assert (ws.path / "app.py").read_text() == "VALUE = 1\n"
    assert ws.base_commit == run_git(origin, "rev-parse", "v1")


def test_clone_file_url_at_a_branch_and_at_a_commit(origin: Path, tmp_path: Path) -> None:
    branch = prepare(f"file://{origin}", tmp_path / "b", ref="feature")
    assert (branch.path / "feature.py").is_file()
    first = run_git(origin, "rev-list", "--max-parents=0", "HEAD")
    commit = prepare(f"file://{origin}", tmp_path / "c", ref=first)
    assert commit.base_commit == first
    assert not (commit.path / "feature.py").exists()


def test_copy_takes_uncommitted_changes_as_the_base(origin: Path, tmp_path: Path) -> None:
    (origin / "app.py").write_text("VALUE = 3\n")
    (origin / "untracked.py").write_text("U = 1\n")
    status_before = run_git(origin, "status", "--porcelain")  # refreshes the index first
    head_before = run_git(origin, "rev-parse", "HEAD")
    before = snapshot(origin)
    ws = prepare(str(origin), tmp_path / "ws")
    assert (ws.path / "app.py").read_text() == "VALUE = 3\n"
    assert ws.diff() == ""  # the user's state is the base
    (ws.path / "app.py").write_text("VALUE = 4\n")
    ws.reset()
    assert (ws.path / "app.py").read_text() == "VALUE = 3\n"
    # the user's tree is never modified: files, index, HEAD
    assert snapshot(origin) == before
    assert run_git(origin, "status", "--porcelain") == status_before
    assert run_git(origin, "rev-parse", "HEAD") == head_before


def test_rfsn_commits_are_the_same_in_every_run(origin: Path, tmp_path: Path) -> None:
    """The same dirty tree, a plain directory and a committed patch give the same commits in two
    runs a second apart: a setup snapshot keyed by the commit is made once, not on every node and
    in every run (#47's second node made its own snapshot of a devset instance each time)."""
    (origin / "app.py").write_text("VALUE = 3\n")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "m.py").write_text("x = 1\n")
    heads = []
    for n in range(2):
        dirty, bare = prepare(str(origin), tmp_path / f"d{n}"), prepare(str(plain), tmp_path / f"p{n}")
        (dirty.path / "new.py").write_text("N = 1\n")
        heads.append((dirty.base_commit, bare.base_commit, dirty.commit("rfsn: test patch")))
        time.sleep(1.1)
    assert heads[0] == heads[1]
    assert run_git(tmp_path / "d0", "log", "-1", "--format=%cI", "HEAD~1") == run_git(
        origin, "log", "-1", "--format=%cI", "HEAD"
    )  # dated as the user's commit


def test_copy_of_a_worktree_leaves_the_worktree_alone(origin: Path, tmp_path: Path) -> None:
    """A worktree's .git is a file pointing into the main repo; committing there would move its HEAD."""
    wt = tmp_path / "wt"
    run_git(origin, "worktree", "add", "-q", str(wt), "feature")
    (wt / "dirty.py").write_text("D = 1\n")
    head = run_git(wt, "rev-parse", "HEAD")
    ws = prepare(str(wt), tmp_path / "ws")
    assert (ws.path / ".git").is_dir()
    assert (ws.path / "dirty.py").is_file() and ws.diff() == ""
    assert run_git(wt, "rev-parse", "HEAD") == head
    assert run_git(wt, "status", "--porcelain") == "?? dirty.py"
    at_tag = prepare(str(wt), tmp_path / "ws2", ref="v1")
    assert (at_tag.path / "app.py").read_text() == "VALUE = 1\n"


def test_copy_of_a_plain_directory(tmp_path: Path) -> None:
    src = tmp_path / "plain"
    src.mkdir()
    (src / "m.py").write_text("x = 1\n")
    ws = prepare(str(src), tmp_path / "ws")
    assert ws.diff() == ""
    assert not (src / ".git").exists()


@pytest.mark.parametrize("ref", ["no-such-branch", "0123456789abcdef0123456789abcdef01234567"])
def test_unknown_ref(origin: Path, tmp_path: Path, ref: str) -> None:
    with pytest.raises(WorkspaceError, match="unknown ref") as info:
        prepare(f"file://{origin}", tmp_path / "ws", ref=ref)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "target, fragment",
    [
        ("/nonexistent/path/xyz", "no such directory"),
        ("file:///nonexistent.git", "does not appear to be a git repository"),
        ("https://127.0.0.1:9/x.git", "127.0.0.1"),
    ],
)
def test_bad_targets_give_one_line(tmp_path: Path, target: str, fragment: str) -> None:
    started = time.monotonic()
    with pytest.raises(WorkspaceError) as info:
        prepare(target, tmp_path / "ws", timeout=30)
    message = str(info.value)
    assert fragment in message and "\n" not in message
    assert "git -c" not in message  # names the git subcommand, not an option
    assert time.monotonic() - started < 15


def test_non_git_directory_url(tmp_path: Path) -> None:
    (tmp_path / "notgit").mkdir()
    with pytest.raises(WorkspaceError, match="git clone failed"):
        prepare(f"file://{tmp_path / 'notgit'}", tmp_path / "ws")


def test_copy_into_itself_is_refused(origin: Path) -> None:
    with pytest.raises(WorkspaceError, match="inside itself"):
        prepare(str(origin), origin / "sub" / "ws")
    with pytest.raises(WorkspaceError):
        prepare(str(origin), origin)
    assert not (origin / "sub").exists()


def test_existing_destination_is_refused(origin: Path, tmp_path: Path) -> None:
    (tmp_path / "ws").mkdir()
    with pytest.raises(WorkspaceError, match="already exists"):
        prepare(str(origin), tmp_path / "ws")


def test_diff_has_new_files_and_no_artefacts(origin: Path, tmp_path: Path) -> None:
    ws = prepare(str(origin), tmp_path / "ws")
    (ws.path / "app.py").write_text("VALUE = 5\n")
    (ws.path / "pkg").mkdir()
    (ws.path / "pkg" / "new_module.py").write_text("NEW = True\n")
    for artefact in (
        "__pycache__/app.cpython-311.pyc",
        "pkg/__pycache__/x.pyc",
        "demo.egg-info/PKG-INFO",
        "src/demo.egg-info/SOURCES.txt",
        ".pytest_cache/v/x",
        ".coverage",
    ):
        (ws.path / artefact).parent.mkdir(parents=True, exist_ok=True)
        (ws.path / artefact).write_text("junk")
    diff = ws.diff()
    assert "b/pkg/new_module.py" in diff and "+NEW = True" in diff
    assert "+VALUE = 5" in diff
    for junk in ("__pycache__", "egg-info", ".pytest_cache", ".coverage"):
        assert junk not in diff
    # the diff applies to a fresh copy at the same base
    fresh = prepare(f"file://{origin}", tmp_path / "fresh")
    fresh.apply(diff)
    assert (fresh.path / "pkg" / "new_module.py").read_text() == "NEW = True\n"


def test_apply_rejects_a_bad_patch(origin: Path, tmp_path: Path) -> None:
    ws = prepare(str(origin), tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="does not apply"):
        ws.apply("--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-NOPE\n+X\n")


def test_discard_new_removes_only_files_the_base_does_not_have(origin: Path, tmp_path: Path) -> None:
    """A reproduction test is dropped before the patch is taken; a base file never is."""
    ws = prepare(str(origin), tmp_path / "ws")
    (ws.path / "tests").mkdir()
    (ws.path / "tests" / "test_issue.py").write_text("def test_issue():\n    assert False\n")
    (ws.path / "app.py").write_text("VALUE = 5\n")
    assert "tests/test_issue.py" in ws.diff()  # now known to git's index (intent to add)
    ws.discard_new(["tests/test_issue.py", "app.py", "../outside.py"])
    assert not (ws.path / "tests" / "test_issue.py").exists()
    assert (ws.path / "app.py").read_text() == "VALUE = 5\n"
    diff = ws.diff()
    assert "test_issue" not in diff and "+VALUE = 5" in diff
