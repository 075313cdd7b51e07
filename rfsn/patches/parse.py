"""A small, strict unified-diff parser (stdlib only).

Strictness is the point: the gate must see exactly the files that ``git apply``
will touch, so anything ambiguous (preamble text, quoted names, copies, two
sections for one file, hunk counts that do not add up) is a ``DiffError``
rather than a guess. ``touched_files`` is the lenient reader of file headers alone.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from rfsn.errors import BinaryDiffError, DiffError

DEV_NULL = "/dev/null"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(?: .*)?$")
_EXTENDED = (
    "index ",
    "new file mode ",
    "deleted file mode ",
    "old mode ",
    "new mode ",
    "similarity index ",
    "dissimilarity index ",
    "rename from ",
    "rename to ",
)
#: the line after a hunk line whose file ends without a newline
NO_NEWLINE = "\\ No newline at end of file"


@dataclass
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    lines: list[tuple[str, str]] = field(default_factory=list)  # (op, text without newline)
    old_eof_no_newline: bool = False
    new_eof_no_newline: bool = False

    @property
    def added(self) -> list[str]:
        return [text for op, text in self.lines if op == "+"]

    @property
    def removed(self) -> list[str]:
        return [text for op, text in self.lines if op == "-"]


@dataclass
class FilePatch:
    old_path: str | None  # None for a new file
    new_path: str | None  # None for a deleted file
    hunks: list[Hunk] = field(default_factory=list)
    new_mode: str | None = None  # mode of a new file
    mode_change: tuple[str, str] | None = None
    renamed: bool = False

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    @property
    def paths(self) -> list[str]:
        return sorted({p for p in (self.old_path, self.new_path) if p is not None})

    @property
    def is_new(self) -> bool:
        return self.old_path is None

    @property
    def is_deleted(self) -> bool:
        return self.new_path is None

    @property
    def added(self) -> list[str]:
        return [line for h in self.hunks for line in h.added]

    @property
    def removed(self) -> list[str]:
        return [line for h in self.hunks for line in h.removed]


def strip_prefix(raw: str, prefix: str) -> str | None:
    name = raw.split("\t", 1)[0].rstrip("\r")
    if name == DEV_NULL:
        return None
    if name.startswith('"'):
        raise DiffError(f"quoted file names are not accepted: {name!r}")
    if not name.startswith(prefix):
        raise DiffError(f"file name {name!r} must start with {prefix!r} (git diff form)")
    name = name[len(prefix) :]
    if not name:
        raise DiffError("empty file name in diff header")
    return name


def _parse_hunk(lines: list[str], i: int, header: str) -> tuple[Hunk, int]:
    m = _HUNK.match(header)
    if not m:
        raise DiffError(f"bad hunk header: {header[:80]!r}")
    hunk = Hunk(int(m[1]), int(m[2] or 1), int(m[3]), int(m[4] or 1))
    old_left, new_left = hunk.old_count, hunk.new_count
    last_op = ""
    while i < len(lines) and (old_left > 0 or new_left > 0 or lines[i] == NO_NEWLINE):
        line = lines[i]
        if line == NO_NEWLINE:
            if last_op in (" ", "-"):
                hunk.old_eof_no_newline = True
            if last_op in (" ", "+"):
                hunk.new_eof_no_newline = True
            if not last_op:
                raise DiffError("'No newline' marker outside a hunk line")
            i += 1
            continue
        op, text = (line[:1], line[1:]) if line else (" ", "")
        if op not in (" ", "-", "+"):
            raise DiffError(f"hunk at line {hunk.old_start} is shorter than its header says")
        if op in (" ", "-"):
            old_left -= 1
        if op in (" ", "+"):
            new_left -= 1
        if old_left < 0 or new_left < 0:
            raise DiffError(f"hunk at line {hunk.old_start} is longer than its header says")
        hunk.lines.append((op, text))
        last_op = op
        i += 1
    if old_left or new_left:
        raise DiffError(f"hunk at line {hunk.old_start} is truncated")
    return hunk, i


def _git_header_paths(header: str, fp: FilePatch) -> None:
    """Check that ``diff --git a/X b/Y`` names the same files as the rest of the section."""
    old = fp.old_path if fp.old_path is not None else fp.new_path
    new = fp.new_path if fp.new_path is not None else fp.old_path
    if header != f"diff --git a/{old} b/{new}":
        raise DiffError(f"'diff --git' header does not match the file names: {header[:120]!r}")


def _split_same_name(header: str) -> str:
    rest = header[len("diff --git ") :]
    half = (len(rest) - 1) // 2
    a, b = rest[:half], rest[half + 1 :]
    if not (a.startswith("a/") and b.startswith("b/") and a[2:] == b[2:]):
        raise DiffError(f"cannot read file names from {header[:120]!r}")
    return a[2:]


def parse_patch(text: str) -> list[FilePatch]:
    """Parse a unified diff into per-file patches; raise DiffError when ambiguous."""
    if "\x00" in text:
        raise BinaryDiffError("patch contains NUL bytes")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    files: list[FilePatch] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        fp, i = _section(lines, i)
        files.append(fp)
    if not files:
        raise DiffError("empty patch")
    seen: set[str] = set()
    for fp in files:
        for p in fp.paths:
            if p in seen:
                raise DiffError(f"{p!r} appears in more than one file section")
            seen.add(p)
    return files


def _section(lines: list[str], i: int) -> tuple[FilePatch, int]:
    """The file section starting at line ``i`` (``diff --git`` or ``---``), and the line after it."""
    git_header = None
    if lines[i].startswith("diff --git "):
        git_header, i = lines[i], i + 1
    elif not lines[i].startswith("--- "):
        raise DiffError(f"unexpected line outside a file section: {lines[i][:80]!r}")
    fp = FilePatch(old_path="", new_path="")
    rename_from, rename_to, i = _extended(lines, i, fp)
    if git_header is None and i > 0 and lines[i - 1].startswith(_EXTENDED):
        raise DiffError("extended header lines need a 'diff --git' line")
    if i < len(lines) and (lines[i].startswith("GIT binary patch") or lines[i].startswith("Binary files ")):
        raise BinaryDiffError("binary patches are not accepted")
    if i < len(lines) and lines[i].startswith(("copy from ", "copy to ")):
        raise DiffError("copies are not accepted; write the new file out in full")
    if i < len(lines) and lines[i].startswith("--- "):
        i = _hunks(lines, i, fp)
    elif git_header is None:
        raise DiffError("file section without names")
    elif rename_from is not None and rename_to is not None:
        fp.old_path, fp.new_path = rename_from, rename_to
    else:
        fp.old_path = fp.new_path = _split_same_name(git_header)
    if rename_from is not None or rename_to is not None:
        if (rename_from, rename_to) != (fp.old_path, fp.new_path):
            raise DiffError("rename headers do not match the file names")
        fp.renamed = True
    if git_header is not None:
        _git_header_paths(git_header, fp)
    if git_header is None and fp.old_path is not None and fp.new_path is not None and fp.old_path != fp.new_path:
        raise DiffError("a plain diff may not change the file name")
    if fp.new_mode is not None and fp.old_path is not None:
        raise DiffError("'new file mode' on a file that is not new")
    return fp, i


def _extended(lines: list[str], i: int, fp: FilePatch) -> tuple[str | None, str | None, int]:
    """Read git's extended header lines from line ``i`` into ``fp``: (rename from, rename to,
    the line after them)."""
    rename_from = rename_to = None
    while i < len(lines) and lines[i].startswith(_EXTENDED):
        ext = lines[i]
        if ext.startswith("new file mode "):
            fp.new_mode = ext.split()[-1]
        elif ext.startswith(("old mode ", "new mode ")):
            fp.mode_change = (ext, ext)
        elif ext.startswith("rename from "):
            rename_from = ext[len("rename from ") :]
        elif ext.startswith("rename to "):
            rename_to = ext[len("rename to ") :]
        i += 1
    return rename_from, rename_to, i


def _hunks(lines: list[str], i: int, fp: FilePatch) -> int:
    """Read the ``---``/``+++`` names at line ``i`` and the hunks after them into ``fp``; the line after."""
    if i + 1 >= len(lines) or not lines[i + 1].startswith("+++ "):
        raise DiffError("'---' line without a following '+++' line")
    fp.old_path = strip_prefix(lines[i][4:], "a/")
    fp.new_path = strip_prefix(lines[i + 1][4:], "b/")
    i += 2
    if fp.old_path is None and fp.new_path is None:
        raise DiffError("both sides of a file section are /dev/null")
    while i < len(lines) and lines[i].startswith("@@"):
        hunk, i = _parse_hunk(lines, i + 1, lines[i])
        fp.hunks.append(hunk)
    if not fp.hunks:
        raise DiffError(f"no hunks for {fp.path!r}")
    return i


def touched_files(text: str) -> list[str]:
    """Repository paths a unified diff touches (both sides of renames).

    Lenient where ``parse_patch`` is strict (hunk counts are not checked): it
    reads only the file headers, for patches that ``git apply`` will judge.
    """
    paths: dict[str, None] = {}
    for line in text.splitlines():
        for marker, prefix in (("--- ", "a/"), ("+++ ", "b/")):
            if line.startswith(marker):
                with contextlib.suppress(DiffError):
                    if (path := strip_prefix(line[4:], prefix)) is not None:
                        paths[path] = None
        if line.startswith("diff --git a/") and " b/" in line:
            old, _, new = line[len("diff --git a/") :].partition(" b/")
            paths[old] = paths[new] = None
    return list(paths)
