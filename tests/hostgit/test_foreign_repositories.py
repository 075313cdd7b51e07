"""Repositories rfsn reads but did not create: what git does there starts nothing of theirs.

A ``--repos-dir`` mirror (or a local path given as an instance's ``repo``) is cloned with
``--shared`` and its submodules looked up in place; the env build archives the workspace's tree
(``git archive`` applies smudge filters and ``export-subst``). Each is given a repository whose
config, hooks and the user's global config name a command creating a marker: none runs, the
source keeps every byte, and ``export-subst`` still expands.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from rfsn.batch.harness.repos import checkout
from rfsn.sandbox.sourcetree import source_tree
from rfsn.workspace import prepare
from tests.hostgit.hostile import evil, git, hook_script, project, quoted, with_filter
from tests.hostgit.test_hostile_repositories import state


def hostile_home(root: Path, marker: Path) -> Path:
    home = root / "home"
    home.mkdir()
    (home / "attributes").write_text("* filter=evil\n")
    (home / ".gitconfig").write_text(
        f"[core]\n\tattributesFile = {home / 'attributes'}\n"
        f'[filter "evil"]\n\tsmudge = {quoted(evil(marker, "-global"))}\n'
        f"\tclean = {quoted(evil(marker, '-global'))}\n"
    )
    return home


def hostile_mirror(root: Path, marker: Path, bare: bool) -> Path:
    """A repository whose tree names a filter for every file, and whose config defines it and
    names a program for each key that can; ``bare``: its ``--mirror`` clone, configured alike."""
    repo = project(root / "work")
    (repo / ".gitattributes").write_text("* filter=evil\n")
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-qm", "attributes")
    if bare:
        git(root, "clone", "-q", "--mirror", str(repo), "mirror.git")
        repo = root / "mirror.git"
    git(repo, "config", "filter.evil.clean", evil(marker, "-clean"))
    git(repo, "config", "filter.evil.smudge", evil(marker, "-smudge"))
    for key in (
        "core.fsmonitor",
        "core.sshCommand",
        "uploadpack.packObjectsHook",
        "core.alternateRefsCommand",
        "credential.helper",
        "core.pager",
    ):
        git(repo, "config", key, evil(marker, "-" + key))
    hook_script(
        (repo if bare else repo / ".git") / "hooks",
        marker,
        "pre-upload-pack",
        "post-checkout",
        "reference-transaction",
        "post-index-change",
    )
    return repo


@pytest.mark.parametrize("bare", [True, False], ids=["bare mirror", "working copy"])
def test_a_hostile_mirror_is_checked_out_without_running_its_commands(
    bare: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "marker"
    mirror = hostile_mirror(tmp_path, marker, bare)
    monkeypatch.setenv("HOME", str(hostile_home(tmp_path, marker)))
    before = state(mirror)
    head = git(mirror, "rev-parse", "HEAD")
    ws = checkout(str(mirror), tmp_path / "ws", head, tmp_path / "cache", repos_dir=tmp_path)
    (ws.path / "app.py").write_text("VALUE = 3\n")
    assert "+VALUE = 3" in ws.diff()
    assert sorted(p.name for p in tmp_path.glob("marker*")) == []
    assert state(mirror) == before


def test_the_env_build_s_archive_applies_no_filter_and_expands_export_subst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "marker"
    repo = project(tmp_path / "src")
    (repo / "version.txt").write_text("$Format:%H$\n")
    (repo / ".gitattributes").write_text("* filter=evil\nversion.txt export-subst\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "attributes")
    with_filter(repo, marker, "* filter=evil\nversion.txt export-subst\n")
    monkeypatch.setenv("HOME", str(hostile_home(tmp_path, marker)))
    ws = prepare(str(repo), tmp_path / "ws")
    with tarfile.open(fileobj=io.BytesIO(source_tree(ws.path, ws.base_commit))) as tar:
        member = tar.extractfile("src/version.txt")
        assert member is not None and member.read().decode().strip() == ws.base_commit
        assert tar.extractfile("src/app.py").read() == b"VALUE = 1\n"  # type: ignore[union-attr]
    assert sorted(p.name for p in tmp_path.glob("marker*")) == []
