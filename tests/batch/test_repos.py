"""Repository resolution: local mirrors, paths, URLs cloned once into a shared cache."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rfsn.batch.harness.repos import checkout, resolve_source
from rfsn.errors import WorkspaceError
from tests.batch.test_patching import make_repo


@pytest.mark.parametrize("layout", ["owner__name", "owner/name", "name"])
def test_repos_dir_layouts(tmp_path: Path, layout: str) -> None:
    repo, _ = make_repo(tmp_path)
    mirrors = tmp_path / "mirrors"
    (mirrors / layout).parent.mkdir(parents=True, exist_ok=True)
    repo.rename(mirrors / layout)
    assert resolve_source("owner/name", mirrors) == str((mirrors / layout).resolve())


def test_a_bare_mirror_under_repos_dir_is_checked_out_at_the_commit(tmp_path: Path) -> None:
    """``git clone --mirror`` (what fetching a repository gives) has no ``.git``: HEAD at its root."""
    import subprocess

    repo, commit = make_repo(tmp_path)
    (repo / "calc.py").write_text("later\n")
    mirrors = tmp_path / "mirrors"
    mirrors.mkdir()
    subprocess.run(["git", "clone", "-q", "--mirror", str(repo), str(mirrors / "owner__name")], check=True)
    source = resolve_source("owner/name", mirrors)
    assert source == str((mirrors / "owner__name").resolve())
    ws = checkout(source, tmp_path / "ws", commit, tmp_path / "cache")
    assert ws.base_commit == commit
    assert (ws.path / "calc.py").read_text().startswith("line1")
    assert not (tmp_path / "cache").exists()  # a local mirror is cloned from directly, never cached
    with pytest.raises(WorkspaceError, match="reference is not a tree"):
        checkout(source, tmp_path / "ws2", "0" * 40, tmp_path / "cache")


def test_unknown_repo_falls_back_to_github(tmp_path: Path) -> None:
    assert resolve_source("owner/name", tmp_path) == "https://github.com/owner/name"
    assert resolve_source("file:///x/y", None) == "file:///x/y"


def test_url_is_cloned_once_then_checked_out_at_the_commit(tmp_path: Path) -> None:
    repo, commit = make_repo(tmp_path)
    (repo / "calc.py").write_text("later\n")
    url = repo.resolve().as_uri()
    cache = tmp_path / "cache"
    first = checkout(url, tmp_path / "a", commit, cache)
    second = checkout(url, tmp_path / "b", commit, cache)
    assert first.base_commit == second.base_commit == commit
    assert len(list(cache.glob("*.git"))) == 1
    assert (second.path / "calc.py").read_text().startswith("line1")
    with pytest.raises(WorkspaceError, match="reference is not a tree"):
        checkout(url, tmp_path / "c", "0" * 40, cache)


def test_a_plain_directory_without_base_commit_is_taken_as_it_is(tmp_path: Path) -> None:
    """examples/instances.jsonl names a folder inside another repository, with no commit."""
    plain = tmp_path / "outer" / "project"
    plain.mkdir(parents=True)
    (plain / "m.py").write_text("X = 1\n")
    ws = checkout(str(plain), tmp_path / "ws", "", tmp_path / "cache")
    assert (ws.path / "m.py").read_text() == "X = 1\n"
    assert ws.diff() == ""
    with pytest.raises(WorkspaceError, match="not a git repository"):
        checkout(str(plain), tmp_path / "ws2", "abc123", tmp_path / "cache")


def test_a_commit_whose_objects_are_missing_says_so(tmp_path: Path) -> None:
    """A snapshot may hold a commit but not its largest blobs: the error names git's own
    reason, never 'unknown commit'."""
    repo, commit = make_repo(tmp_path)
    blob = subprocess.run(["git", "-C", str(repo), "rev-parse", f"{commit}:calc.py"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    with pytest.raises(WorkspaceError, match=f"cannot check out '{commit}'.*{blob}"):
        checkout(str(repo), tmp_path / "ws", commit, tmp_path / "cache")
