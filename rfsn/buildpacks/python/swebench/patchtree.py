"""The tree an env installs the project from when a prediction edits its metadata.

The harness installs the project again after applying a patch, with the network, so the
dependencies a patch declares are there when its tests run. Its tree at that point is the base
commit after the spec's ``pre_install`` (its sed edits of setup.py, setup.cfg, pyproject.toml),
then the patch: a patch taken against the bare base that repeats those edits makes them once.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from rfsn import hostgit
from rfsn.patches import touched_files
from rfsn.patches.apply import to_index

#: root-level files that may declare what installing the project pulls in
_METADATA_SUFFIXES = (".py", ".cfg", ".toml", ".txt", ".in")
#: the files the spec's metadata edits may change (``metadata.metadata_edits``)
EDITED = ("setup.py", "setup.cfg", "pyproject.toml")


def root_metadata(paths: Sequence[str]) -> list[str]:
    """Those of ``paths`` that are the project's root-level metadata files."""
    return [name for name in paths if "/" not in name and name.endswith(_METADATA_SUFFIXES)]


def patched_source(checkout: Path, commit: str, patch: str, edits: Sequence[str] = ()) -> str | None:
    """The tree of ``commit`` with ``edits`` made and ``patch`` applied (written to ``checkout``'s
    objects) when the patch edits root-level metadata, else None (or when it does not apply to
    ``commit``). Where both change a file, they are merged (``git merge-file``): a change both
    make is made once; where they differ, the patch's lines win."""
    if not root_metadata(touched_files(patch)):
        return None
    with tempfile.TemporaryDirectory(prefix="rfsn-index-") as tmp:
        index = Path(tmp, "index")
        env = {"GIT_INDEX_FILE": str(index)}

        def git(*args: str, stdin: str | None = None) -> str | None:
            done = hostgit.run(None, "-C", str(checkout), *args, input=stdin, env=env)
            return done.stdout if done.returncode == 0 else None

        if git("read-tree", commit) is None or not to_index(checkout, patch, index):
            return None
        patched = (git("write-tree") or "").strip()
        for name, text in _edited(checkout, commit, edits, Path(tmp, "edits")).items():
            merged = _merge(text, _show(checkout, commit, name) or "", _show(checkout, patched, name) or "", Path(tmp))
            blob = git("hash-object", "-w", "--stdin", stdin=merged) if merged is not None else None
            if blob is None or git("update-index", "--cacheinfo", f"100644,{blob.strip()},{name}") is None:
                return None
        tree = git("write-tree")
    return tree.strip() if tree else None


def _edited(checkout: Path, commit: str, edits: Sequence[str], where: Path) -> dict[str, str]:
    """The metadata files ``edits`` change at ``commit``, with their edited text."""
    if not edits:
        return {}
    where.mkdir()
    before = {name: text for name in EDITED if (text := _show(checkout, commit, name)) is not None}
    for name, text in before.items():
        (where / name).write_text(text, encoding="utf-8")
    for edit in edits:  # only sed on the metadata files (metadata.metadata_edits)
        subprocess.run(["bash", "-c", edit], cwd=where, capture_output=True, check=False, timeout=60)
    after = {name: (where / name).read_text(encoding="utf-8") for name in before}
    return {name: text for name, text in after.items() if text != before[name]}


def _merge(ours: str, base: str, theirs: str, tmp: Path) -> str | None:
    """``git merge-file``'s three-way merge of ``ours`` and ``theirs``, conflicts taken from theirs."""
    paths = []
    for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
        paths.append(str(tmp / name))
        Path(tmp / name).write_text(text, encoding="utf-8")
    done = hostgit.run(None, "merge-file", "-p", "--theirs", *paths)
    return done.stdout if 0 <= done.returncode < 128 else None


def _show(checkout: Path, commit: str, path: str) -> str | None:
    done = hostgit.run(None, "-C", str(checkout), "show", f"{commit}:{path}")
    return done.stdout if done.returncode == 0 else None
