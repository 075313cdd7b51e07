"""An instance's outputs carried from a node that shares nothing with the driver.

A task that runs elsewhere writes its outputs under a directory of its own node, and
returns them packed (``pack``: a gzipped tar, each file at most ``FILE_LIMIT`` bytes, all of
them at most ``TOTAL_LIMIT``, the largest cut first) with its result. The driver unpacks them
(``unpack``) into the directory the task's outputs
belong in, replacing it whole (two renames): a reader sees the earlier attempt's outputs or
this one's, never a mix of the two nor a half-written file, and a task that never returned
sends nothing.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

from rfsn.errors import OutputError

#: bytes of one output file a task returns: a longer one keeps its end (where a log says why)
FILE_LIMIT = 32 * 1024 * 1024
#: bytes of all the output files a task returns, cut markers included
TOTAL_LIMIT = 128 * 1024 * 1024
_CUT = "[rfsn: the first {} bytes of this file were cut: a task returns at most {} bytes of it]\n"
_CUT_BYTES = len(_CUT) + 40  # the marker with its two numbers


def pack(root: Path, limit: int = FILE_LIMIT, total: int = TOTAL_LIMIT) -> bytes:
    """The files under ``root`` (an empty bundle when it does not exist), compressed."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        if root.is_dir():
            tar.add(root, arcname=".", recursive=False)
            paths = [p for p in sorted(root.rglob("*")) if p.is_dir() or p.is_file()]
            cap = _cap([p.stat().st_size for p in paths if p.is_file() and not p.is_symlink()], total, limit)
            for path in paths:
                _add(tar, path, path.relative_to(root).as_posix(), cap)
    return buffer.getvalue()


def _cap(sizes: list[int], total: int, limit: int) -> int:
    """The bytes each file keeps (at most ``limit``) so that all of them, a cut one with its
    marker, add up to at most ``total``: the smaller files whole, the largest cut alike."""
    left = total
    for done, size in enumerate(sorted(sizes)):
        rest = len(sizes) - done
        share = min(limit, max(0, (left - rest * _CUT_BYTES) // rest))
        if size > share:
            return share
        left -= size
    return limit


def _add(tar: tarfile.TarFile, path: Path, name: str, limit: int) -> None:
    """``path`` as ``name``; a regular file over ``limit`` bytes as its end, saying so."""
    if path.is_symlink() or not (path.is_file() or path.is_dir()):
        return  # a link or a device is nothing a driver reads
    info = tar.gettarinfo(str(path), arcname=name)
    if path.is_dir():
        tar.addfile(info)
        return
    with path.open("rb") as fh:
        if info.size <= limit:
            tar.addfile(info, fh)
            return
        fh.seek(info.size - limit)
        tail = fh.read(limit)
    data = _CUT.format(info.size - limit, limit).encode() + tail
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def unpack(data: bytes, dest: Path) -> None:
    """Replace the directory ``dest`` with the bundle's files; OutputError if it cannot.
    Nothing in the bundle lands outside ``dest`` (tarfile's ``data`` filter)."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".new"))
    except OSError as exc:
        raise OutputError(f"cannot write {dest}: {exc.strerror or exc}") from exc
    old = staging.with_suffix(".old")
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            tar.extractall(staging, members=_plain(tar))
        if dest.exists():
            os.rename(dest, old)
        os.rename(staging, dest)
    except (OSError, tarfile.TarError) as exc:
        if old.exists() and not dest.exists():
            os.rename(old, dest)
        raise OutputError(f"cannot write {dest}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def _plain(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """The bundle's members, each a file or directory inside it (what ``pack`` writes; the
    ``data`` filter's rule, which a Python before 3.11.4 lacks); TarError for any other."""
    members = tar.getmembers()
    for member in members:
        parts = Path(member.name).parts
        if not (member.isfile() or member.isdir()) or member.name.startswith("/") or ".." in parts:
            raise tarfile.TarError(f"a bundle entry that is not a plain file in it: {member.name!r}")
        member.mode &= 0o755
    return members
