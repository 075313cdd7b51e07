"""Pure parsers of Python tracebacks (pytest's and the interpreter's) into frames."""

from __future__ import annotations

import re

from rfsn.models.testfiles import is_test_file

# pytest --tb=long/short: "pkg/mod.py:42: in func" and "pkg/mod.py:42: ValueError"
_PYTEST = re.compile(r"^[ \t]*(?P<path>[^\s:\"']+\.py):(?P<line>\d+):(?: |$)", re.M)
# interpreter / --tb=native: '  File "pkg/mod.py", line 42, in func'
_NATIVE = re.compile(r'^\s*File "(?P<path>[^"]+\.py)", line (?P<line>\d+)', re.M)


def relative_path(path: str, root: str | None) -> str | None:
    """Repo-relative form of a reported path, or None when it lies outside the repo."""
    path = path.replace("\\", "/")
    if root:
        prefix = root.rstrip("/") + "/"
        if path.startswith(prefix):
            return path[len(prefix) :]
    if path.startswith("/") or "site-packages/" in path or path.startswith("<"):
        return None
    return path.removeprefix("./")


def traceback_frames(
    output: str, root: str | None = "/testbed", include_tests: bool = False
) -> list[tuple[str, int]]:
    """(file, line) of every frame in the output, outermost first, without duplicates.

    Frames in test files are dropped unless ``include_tests``; so are frames
    outside the repository (the standard library, site-packages).
    """
    hits = [(m.start(), m["path"], int(m["line"])) for m in _PYTEST.finditer(output)]
    hits += [(m.start(), m["path"], int(m["line"])) for m in _NATIVE.finditer(output)]
    frames: dict[tuple[str, int], None] = {}
    for _, path, line in sorted(hits):
        rel = relative_path(path, root)
        if rel is None or (not include_tests and is_test_file(rel)):
            continue
        frames.pop((rel, line), None)
        frames[(rel, line)] = None
    return list(frames)


def traceback_boosts(
    frames: list[tuple[str, int]], weight: float = 0.5
) -> dict[tuple[str, int], float]:
    """Boost per frame, growing with depth (the last frame raised the error)."""
    n = len(frames)
    return {frame: weight * (i + 1) / n for i, frame in enumerate(frames)}
