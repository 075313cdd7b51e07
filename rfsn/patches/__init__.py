"""Unified diffs, read, applied and written once for every part: a strict parser (``parse_patch``,
what the gate checks), the lenient header reader (``touched_files``), the writers (``unified_diff``,
``new_file_diff``) and rfsn.patches.apply, every way a diff is applied (one file's hunks in memory,
``apply_file``, and a whole diff on disk through rfsn.hostgit).
"""

from rfsn.patches.apply import apply_file
from rfsn.patches.parse import DEV_NULL, FilePatch, Hunk, parse_patch, touched_files
from rfsn.patches.write import new_file_diff, unified_diff

__all__ = [
    "DEV_NULL",
    "FilePatch",
    "Hunk",
    "apply_file",
    "new_file_diff",
    "parse_patch",
    "touched_files",
    "unified_diff",
]
