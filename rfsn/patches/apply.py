"""Apply one file's hunks to its current text the way ``git apply`` does without fuzz: context
must match exactly, a hunk may move by an offset."""

from __future__ import annotations

from rfsn.errors import DiffError
from rfsn.patches.parse import FilePatch


def _find(haystack: list[str], needle: list[str], start: int) -> int | None:
    """Nearest index to ``start`` where ``needle`` occurs in ``haystack``."""
    n = len(needle)
    limit = len(haystack) - n
    for delta in range(max(start, limit - start, 0) + 1):
        for pos in (start - delta, start + delta):
            if 0 <= pos <= limit and haystack[pos : pos + n] == needle:
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
            pos = 0 if old_lines[: len(source)] == source else None
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
