"""A copied repository keeps everything a user expects of it, in a repository rfsn created.

The copy's ``.git`` is rfsn's own, yet the base is exactly the user's tree (an uncommitted
change included), the history and tags are there (packed, shallow or SHA-256 alike), a
worktree's branch and a submodule's checkout come along, and nothing is written to the source.
"""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from rfsn.hostgit import git as rfsn_git
from rfsn.workspace import prepare
from tests.hostgit.hostile import dirty, git, project
from tests.hostgit.test_hostile_repositories import state


def test_the_copy_has_a_config_of_rfsn_and_the_base_is_the_dirty_tree(tmp_path: Path) -> None:
    repo = project(tmp_path / "src")
    git(repo, "config", "user.name", "someone")
    dirty(repo)
    ws = prepare(str(repo), tmp_path / "ws")
    assert "someone" not in (ws.path / ".git" / "config").read_text()
    assert rfsn_git(ws.path, "show", f"{ws.base_commit}:app.py").stdout == "VALUE = 2\n"
    assert rfsn_git(ws.path, "show", f"{ws.base_commit}:new.py").stdout == "NEW = 1\n"
    assert rfsn_git(ws.path, "rev-parse", "v1").stdout.strip() == git(repo, "rev-parse", "v1")
    assert ws.diff() == ""


def test_a_worktree_brings_its_branch_and_its_uncommitted_change(tmp_path: Path) -> None:
    main = project(tmp_path / "main")
    git(main, "worktree", "add", "-q", "-b", "side", str(tmp_path / "wt"))
    wt = tmp_path / "wt"
    (wt / "side.py").write_text("S = 1\n")
    git(wt, "add", "side.py")
    git(wt, "commit", "-qm", "side")
    dirty(wt)
    before = state(main), state(wt)
    ws = prepare(str(wt), tmp_path / "ws")
    log = rfsn_git(ws.path, "log", "--format=%s", "HEAD").stdout.splitlines()
    assert log[1:] == ["side", "one"] and (ws.path / "app.py").read_text() == "VALUE = 2\n"
    assert rfsn_git(ws.path, "symbolic-ref", "--short", "HEAD").stdout.strip() == "side"
    assert (state(main), state(wt)) == before


def test_a_superproject_keeps_its_submodule_at_the_recorded_commit(tmp_path: Path) -> None:
    sub = project(tmp_path / "sub")
    sup = project(tmp_path / "super")
    git(sup, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "lib")
    git(sup, "commit", "-qm", "add lib")
    (sup / "lib" / "app.py").write_text("VALUE = 9\n")  # a change inside the submodule's own tree
    recorded = git(sup, "rev-parse", "HEAD:lib")
    ws = prepare(str(sup), tmp_path / "ws")
    assert rfsn_git(ws.path / "lib", "rev-parse", "HEAD").stdout.strip() == recorded
    assert (ws.path / "lib" / "app.py").read_text() == "VALUE = 9\n"
    assert rfsn_git(ws.path, "ls-tree", "HEAD", "lib").stdout.split()[2] == recorded
    assert ws.diff() == ""


def test_a_symlinked_git_is_read_and_its_repository_gets_no_commit(tmp_path: Path) -> None:
    other = project(tmp_path / "other")
    repo = tmp_path / "src"
    repo.mkdir()
    (repo / "app.py").write_text("VALUE = 5\n")
    (repo / ".git").symlink_to(other / ".git")
    refs = git(other, "for-each-ref")
    ws = prepare(str(repo), tmp_path / "ws")
    assert rfsn_git(ws.path, "log", "--format=%s").stdout.splitlines()[1:] == ["one"]
    assert rfsn_git(ws.path, "show", "HEAD:app.py").stdout == "VALUE = 5\n"
    assert git(other, "for-each-ref") == refs and (ws.path / ".git").is_dir()


def test_packed_refs_shallow_history_and_sha256_are_copied(tmp_path: Path) -> None:
    packed = project(tmp_path / "packed")
    git(packed, "pack-refs", "--all")
    git(packed, "gc", "-q")
    assert prepare(str(packed), tmp_path / "a", ref="v1").base_commit == git(packed, "rev-parse", "v1")
    (packed / "app.py").write_text("VALUE = 2\n")
    git(packed, "commit", "-qam", "two")
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{packed}", "shallow")
    shallow = prepare(str(tmp_path / "shallow"), tmp_path / "b")
    assert shallow.base_commit == git(packed, "rev-parse", "HEAD")
    sha256 = tmp_path / "sha256"
    sha256.mkdir()
    git(sha256, "init", "-q", "--object-format=sha256")
    (sha256 / "f.txt").write_text("x\n")
    git(sha256, "add", "f.txt")
    git(sha256, "commit", "-qm", "one")
    assert len(prepare(str(sha256), tmp_path / "c").base_commit) == 64


def test_a_nested_git_naming_a_repository_elsewhere_brings_none_of_it_in(tmp_path: Path) -> None:
    secret = project(tmp_path / "secret")
    (secret / "key.txt").write_text("s3cret\n")
    git(secret, "add", "key.txt")
    git(secret, "commit", "-qm", "secret")
    repo = project(tmp_path / "src")
    (repo / "vendor" / "a").mkdir(parents=True)
    (repo / "vendor" / "a" / ".git").symlink_to(secret / ".git")
    (repo / "vendor" / "b").mkdir()
    (repo / "vendor" / "b" / ".git").write_text(f"gitdir: {secret / '.git'}\n")
    ws = prepare(str(repo), tmp_path / "ws")
    assert not (ws.path / "vendor" / "a" / ".git").exists() and not (ws.path / "vendor" / "b" / ".git").exists()
    found = rfsn_git(ws.path, "cat-file", "--batch-all-objects", "--batch-check").stdout
    assert git(secret, "rev-parse", "HEAD:key.txt") not in found


def test_a_device_node_a_named_pipe_and_a_socket_in_the_tree_are_left_out_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What git cannot hold is not copied: a device node for /dev/zero in an unpacked tree was
    read until the disk was full (a block device's would bring the device's bytes to the sandbox);
    a named pipe made the copy fail, a socket too."""
    repo = project(tmp_path / "src")
    special = ["pipe", "sock"] + (["null"] if os.geteuid() == 0 else [])
    os.mkfifo(repo / "pipe")
    monkeypatch.chdir(repo)  # a socket's path must be short
    server = socket.socket(socket.AF_UNIX)
    server.bind("sock")
    if os.geteuid() == 0:  # making a device node needs root; /dev/null's, so that a copy ends
        os.mknod(repo / "null", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    try:
        ws = prepare(str(repo), tmp_path / "ws")
    finally:
        server.close()
    assert [name for name in special if os.path.lexists(ws.path / name)] == []
    assert (ws.path / "app.py").read_text() == "VALUE = 1\n" and ws.diff() == ""


def test_a_bare_repository_is_its_head_checked_out_and_left_as_it_was(tmp_path: Path) -> None:
    """Audit 68, row F6: `rfsn test REPO.git` copied a bare repository's own files (HEAD, config,
    objects) as the project's tree and said no buildpack recognised it."""
    source = project(tmp_path / "src")
    git(tmp_path, "clone", "-q", "--bare", str(source), "bare.git")
    bare = tmp_path / "bare.git"
    before = state(bare)
    ws = prepare(str(bare), tmp_path / "ws")
    assert sorted(p.name for p in ws.path.iterdir()) == [".git", "app.py", "pyproject.toml"]
    assert ws.base_commit == git(source, "rev-parse", "HEAD") and ws.diff() == ""
    assert prepare(str(bare), tmp_path / "ws2", ref="v1").base_commit == git(source, "rev-parse", "v1")
    assert state(bare) == before
