"""Write unified diffs that ``git apply`` takes: a file changed, a file created."""

from __future__ import annotations

import difflib
import re

from rfsn.patches.parse import NO_NEWLINE


def _lines(text: str) -> list[str]:
    """Split on ``\\n`` only (``str.splitlines`` also splits on form feeds etc.)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def unified_diff(path: str, before: str, after: str, context: int = 3) -> str:
    """A ``git apply``-compatible diff turning ``before`` into ``after`` for ``path`` ("" if equal)."""
    body = difflib.unified_diff(_lines(before), _lines(after), f"a/{path}", f"b/{path}", n=context)
    out = [line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}\n" for line in body]
    return f"diff --git a/{path} b/{path}\n" + "".join(out) if out else ""


def new_file_diff(path: str, text: str) -> str:
    """A ``git apply``-compatible diff creating ``path`` with ``text``."""
    body = "".join(f"+{line}" if line.endswith("\n") else f"+{line}\n{NO_NEWLINE}\n" for line in _lines(text))
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(_lines(text))} @@\n{body}"
    )
