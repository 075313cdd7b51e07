"""A new repository holding one commit's history and nothing newer.

What a batch session sees of its project's git: the objects reachable from ``base_commit``
that the source holds (a fetched mirror may lack an old large file's), packed from the source's
objects into a repository rfsn initialises (one ``pack-objects`` run there, reusing the source's
deltas: no index-pack, no upload-pack), the tags whose commits are in that history (as plain
tags at those commits; a tag object is no part of the history), and HEAD detached at the
commit. No remote, no other ref, no reflog of the source, no object of the future, reachable or
not, and no alternates: nothing is borrowed from the source, so git in the copy never reads it
again nor freshens its objects' times. The source is only read.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from rfsn.errors import WorkspaceError
from rfsn.hostgit import git


def copy_history(source: Path, dest: Path, commit: str, timeout: float, borrow: tuple[Path, str] | None = None) -> str:
    """Initialise ``dest`` (which must not exist) as a repository of ``commit``'s history taken
    from the repository ``source``, with its working tree at the commit; returns its full id.
    ``borrow`` (a repository and a commit of it): for a host-only copy, the history of that
    commit is read from that repository's objects (an alternates entry kept), not packed again."""
    full = _commit_id(source, commit)
    dest.parent.mkdir(parents=True, exist_ok=True)
    git(dest.parent, "init", "-q", "--template=", "--", str(dest))
    git_dir = dest / ".git"
    _borrowed_pack(source, git_dir, full, timeout, borrow)
    _tags(source, dest)
    done = git(dest, "checkout", "-q", "--force", "--detach", full, check=False, timeout=timeout)
    if done.returncode != 0:
        said = next((line.strip() for line in done.stderr.splitlines() if line.strip()), "")
        raise WorkspaceError(f"{source}: cannot check out {commit!r}: {said}")
    return full


def _borrowed_pack(source: Path, git_dir: Path, commit: str, timeout: float, borrow: tuple[Path, str] | None) -> None:
    """Pack the history of ``commit`` into ``git_dir``, reading the source's objects through an
    alternates entry that lives only while the pack is written: git runs in the new repository
    (its temporary files are there), reads the source and writes nothing to it."""
    common = _common_dir(source)
    kept = f"{_common_dir(borrow[0]) / 'objects'}\n" if borrow else ""
    info = git_dir / "objects" / "info"
    (git_dir / "objects" / "pack").mkdir(parents=True, exist_ok=True)
    info.mkdir(parents=True, exist_ok=True)
    (info / "alternates").write_text(f"{common / 'objects'}\n{kept}", encoding="utf-8")
    if (common / "shallow").is_file():  # a shallow source's history stops at its boundary
        shutil.copyfile(common / "shallow", git_dir / "shallow")
    wanted = f"{commit}\n" + (f"^{borrow[1]}\n" if borrow else "")
    try:
        packed = git(
            git_dir,
            f"--git-dir={git_dir}",
            "pack-objects",
            "-q",
            "--revs",
            "--missing=allow-any",  # an old object the source lacks (a mirror without its large files)
            "--delta-base-offset",
            str(git_dir / "objects" / "pack" / "pack"),
            input_text=wanted,
            timeout=timeout,
            check=False,
        )
    finally:
        if kept:
            (info / "alternates").write_text(kept, encoding="utf-8")
        else:
            (info / "alternates").unlink()
    if packed.returncode != 0:
        said = next((line.strip() for line in packed.stderr.splitlines() if line.strip()), "")
        raise WorkspaceError(f"{source}: cannot check out {commit!r}: {said}")
    _shallow(git_dir)


def _common_dir(repo: Path) -> Path:
    return Path(git(repo, "rev-parse", "--path-format=absolute", "--git-common-dir").stdout.strip())


def _commit_id(source: Path, commit: str) -> str:
    """The full id of ``commit`` (a name or an id; HEAD when empty) in ``source``."""
    ref = commit or "HEAD"
    found = git(source, "rev-parse", "-q", "--verify", "--end-of-options", f"{ref}^{{commit}}", check=False)
    if found.returncode != 0 or not found.stdout.strip():  # as git checkout says it
        raise WorkspaceError(f"{source}: cannot check out {ref!r}: fatal: reference is not a tree: {ref}")
    return found.stdout.strip()


def _tags(source: Path, dest: Path) -> None:
    """The source's tags whose commits the copy holds (so are in its history), as plain tags at
    those commits (what ``git describe --tags`` and version-from-tag builds read)."""
    fields = "%(refname) %(objecttype) %(objectname) %(*objecttype) %(*objectname)"
    listed = git(source, "for-each-ref", f"--format={fields}", "refs/tags/").stdout
    tags = {}
    for line in listed.splitlines():
        name, kind, target, peeled_kind, peeled = (line.split(" ") + [""] * 4)[:5]
        if kind == "commit" or peeled_kind == "commit":  # a tag of a tag, or of a tree, is left out
            tags[name] = peeled if peeled_kind else target
    if not tags:
        return
    ids = sorted(set(tags.values()))
    held = git(
        dest, "cat-file", "--batch-check=%(objectname) %(objecttype)", input_text="".join(f"{i}\n" for i in ids)
    ).stdout.split("\n")
    present = {line.split(" ")[0] for line in held if line.endswith(" commit")}
    updates = "".join(f"create {name} {commit}\n" for name, commit in tags.items() if commit in present)
    if updates:
        git(dest, "update-ref", "--no-deref", "--stdin", input_text=updates)


def _shallow(git_dir: Path) -> None:
    """A shallow source's boundary, kept for the boundary commits the copy holds."""
    shallow = git_dir / "shallow"
    if not shallow.is_file():
        return
    ids = shallow.read_text(encoding="ascii", errors="replace").split()
    kept = [
        i
        for i in ids
        if git(git_dir, f"--git-dir={git_dir}", "cat-file", "-e", f"{i}^{{commit}}", check=False).returncode == 0
    ]
    shallow.write_text("".join(f"{i}\n" for i in kept), encoding="ascii")
    if not kept:
        shallow.unlink()
