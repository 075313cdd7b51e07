"""A small, strict unified-diff parser and applier (stdlib only).

Strictness is the point: the gate must see exactly the files that ``git apply``
will touch, so anything ambiguous (preamble text, quoted names, copies, two
sections for one file, hunk counts that do not add up) is a ``DiffError``
rather than a guess.  ``apply_file`` applies one file's hunks to its current
text the way ``git apply`` does without fuzz: context must match exactly, a
hunk may move by an offset.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from dataclasses import dataclass, field

from rfsn.errors import BinaryDiffError, DiffError

DEV_NULL = "/dev/null"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(?: .*)?$")
_EXTENDED = (
    "index ", "new file mode ", "deleted file mode ", "old mode ", "new mode ",
    "similarity index ", "dissimilarity index ", "rename from ", "rename to ",
)
_NO_NEWLINE = "\\ No newline at end of file"


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


def _strip_prefix(raw: str, prefix: str) -> str | None:
    name = raw.split("\t", 1)[0].rstrip("\r")
    if name == DEV_NULL:
        return None
    if name.startswith('"'):
        raise DiffError(f"quoted file names are not accepted: {name!r}")
    if not name.startswith(prefix):
        raise DiffError(f"file name {name!r} must start with {prefix!r} (git diff form)")
    name = name[len(prefix):]
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
    while i < len(lines) and (old_left > 0 or new_left > 0 or lines[i] == _NO_NEWLINE):
        line = lines[i]
        if line == _NO_NEWLINE:
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
    rest = header[len("diff --git "):]
    half = (len(rest) - 1) // 2
    a, b = rest[:half], rest[half + 1:]
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
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        git_header = None
        if line.startswith("diff --git "):
            git_header, i = line, i + 1
        elif not line.startswith("--- "):
            raise DiffError(f"unexpected line outside a file section: {line[:80]!r}")
        fp = FilePatch(old_path="", new_path="")
        rename_from = rename_to = None
        while i < len(lines) and lines[i].startswith(_EXTENDED):
            ext = lines[i]
            if ext.startswith("new file mode "):
                fp.new_mode = ext.split()[-1]
            elif ext.startswith(("old mode ", "new mode ")):
                fp.mode_change = (ext, ext)
            elif ext.startswith("rename from "):
                rename_from = ext[len("rename from "):]
            elif ext.startswith("rename to "):
                rename_to = ext[len("rename to "):]
            i += 1
        if git_header is None and i > 0 and lines[i - 1].startswith(_EXTENDED):
            raise DiffError("extended header lines need a 'diff --git' line")
        if i < len(lines) and (lines[i].startswith("GIT binary patch")
                               or lines[i].startswith("Binary files ")):
            raise BinaryDiffError("binary patches are not accepted")
        if i < len(lines) and lines[i].startswith(("copy from ", "copy to ")):
            raise DiffError("copies are not accepted; write the new file out in full")
        if i < len(lines) and lines[i].startswith("--- "):
            if i + 1 >= len(lines) or not lines[i + 1].startswith("+++ "):
                raise DiffError("'---' line without a following '+++' line")
            fp.old_path = _strip_prefix(lines[i][4:], "a/")
            fp.new_path = _strip_prefix(lines[i + 1][4:], "b/")
            i += 2
            if fp.old_path is None and fp.new_path is None:
                raise DiffError("both sides of a file section are /dev/null")
            while i < len(lines) and lines[i].startswith("@@"):
                hunk, i = _parse_hunk(lines, i + 1, lines[i])
                fp.hunks.append(hunk)
            if not fp.hunks:
                raise DiffError(f"no hunks for {fp.path!r}")
        elif git_header is None:
            raise DiffError("file section without names")
        elif rename_from is not None and rename_to is not None:
            fp.old_path, fp.new_path = rename_from, rename_to
        else:
            name = _split_same_name(git_header)
            fp.old_path = fp.new_path = name
        if rename_from is not None or rename_to is not None:
            if (rename_from, rename_to) != (fp.old_path, fp.new_path):
                raise DiffError("rename headers do not match the file names")
            fp.renamed = True
        if git_header is not None:
            _git_header_paths(git_header, fp)
        if git_header is None and fp.old_path is not None and fp.new_path is not None \
                and fp.old_path != fp.new_path:
            raise DiffError("a plain diff may not change the file name")
        if fp.new_mode is not None and fp.old_path is not None:
            raise DiffError("'new file mode' on a file that is not new")
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


def _find(haystack: list[str], needle: list[str], start: int) -> int | None:
    """Nearest index to ``start`` where ``needle`` occurs in ``haystack``."""
    n = len(needle)
    limit = len(haystack) - n
    for delta in range(max(start, limit - start, 0) + 1):
        for pos in (start - delta, start + delta):
            if 0 <= pos <= limit and haystack[pos:pos + n] == needle:
                return pos
    return None


def apply_file(old_text: str | None, fp: FilePatch) -> str | None:
    """The text after applying ``fp`` to ``old_text`` (None for absent); DiffError if it does not fit."""
    if fp.is_new:
        if old_text is not None:
            raise DiffError(f"{fp.path} already exists")
        old_text = ""
    elif old_text is None:
        raise DiffError(f"{fp.old_path} does not exist in the workspace")
    old_lines = old_text.split("\n")
    trailing_newline = old_lines[-1] == "" if old_lines else True
    if trailing_newline:
        old_lines.pop()
    result: list[str] = []
    cursor = 0
    new_trailing = trailing_newline
    for hunk in fp.hunks:
        source = [t for op, t in hunk.lines if op in (" ", "-")]
        target = [t for op, t in hunk.lines if op in (" ", "+")]
        expected = hunk.old_start - 1 if hunk.old_count else hunk.old_start
        pos = _find(old_lines, source, max(expected, cursor)) if source else expected
        # Like git apply: a hunk starting at line 0/1 must match at the beginning,
        # and one without trailing context must match at the end.
        trailing = hunk.lines[-1][0] == " " if hunk.lines else False
        if pos is not None and hunk.old_start <= 1 and pos != 0:
            pos = 0 if old_lines[:len(source)] == source else None
        if pos is not None and not trailing and pos + len(source) != len(old_lines):
            end = len(old_lines) - len(source)
            pos = end if end >= cursor and old_lines[end:] == source else None
        if pos is None or pos < cursor or pos > len(old_lines):
            raise DiffError(f"hunk @@ -{hunk.old_start} does not match {fp.path}")
        result.extend(old_lines[cursor:pos])
        result.extend(target)
        cursor = pos + len(source)
        if cursor == len(old_lines):
            if hunk.old_eof_no_newline == trailing_newline and source:
                raise DiffError(f"end-of-file newline does not match {fp.path}")
            new_trailing = not hunk.new_eof_no_newline
    result.extend(old_lines[cursor:])
    if fp.is_deleted:
        if result:
            raise DiffError(f"deleting {fp.old_path} leaves lines behind")
        return None
    text = "\n".join(result)
    return text + "\n" if (new_trailing and result) else text


def _lines(text: str) -> list[str]:
    """Split on ``\\n`` only (``str.splitlines`` also splits on form feeds etc.)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def unified_diff(path: str, before: str, after: str, context: int = 3) -> str:
    """A ``git apply``-compatible diff turning ``before`` into ``after`` for ``path`` ("" if equal)."""
    body = difflib.unified_diff(_lines(before), _lines(after), f"a/{path}", f"b/{path}", n=context)
    out = [line if line.endswith("\n") else f"{line}\n{_NO_NEWLINE}\n" for line in body]
    return f"diff --git a/{path} b/{path}\n" + "".join(out) if out else ""


def new_file_diff(path: str, text: str) -> str:
    """A ``git apply``-compatible diff creating ``path`` with ``text``."""
    body = "".join(f"+{line}" if line.endswith("\n") else f"+{line}\n{_NO_NEWLINE}\n"
                   for line in _lines(text))
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{len(_lines(text))} @@\n{body}")


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
                    if (path := _strip_prefix(line[4:], prefix)) is not None:
                        paths[path] = None
        if line.startswith("diff --git a/") and " b/" in line:
            old, _, new = line[len("diff --git a/"):].partition(" b/")
            paths[old] = paths[new] = None
    return list(paths)
