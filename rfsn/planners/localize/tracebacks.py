"""Pure parsers of Python tracebacks (pytest's and the interpreter's) into frames."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rfsn.buildpacks.testfiles import is_test_file

# pytest --tb=long/short: "pkg/mod.py:42: in func" and "pkg/mod.py:42: ValueError"
_PYTEST = re.compile(r"^[ \t]*(?P<path>[^\s:\"']+\.py):(?P<line>\d+):(?: |$)", re.M)
#: what follows ``path:line:`` where a warning was raised (``x.py:12: DeprecationWarning: ...``,
#: Python's format, in pytest's warnings summary): that is no frame of a failure. A warning
#: raised as an error ends its traceback with ``x.py:12: UserWarning``, no colon: a frame
WARNING = re.compile(r"[ \t]*[\w.]*Warning:")
# interpreter / --tb=native: '  File "pkg/mod.py", line 42, in func'; pytest's own crash
# prints the same behind its prefix: 'INTERNALERROR>   File "pkg/mod.py", line 42, in func'
_NATIVE = re.compile(r'^(?:INTERNALERROR>)?\s*File "(?P<path>[^"]+\.py)", line (?P<line>\d+)', re.M)
# pytest's failure sections: "____ TestA.test_b[1] ____", "____ ERROR at setup of test_c ____"
_SECTION = re.compile(r"^_{3,} (?:ERROR at \w+ of |ERROR collecting )?(\S+) _{3,}$", re.M)


def headline(test_id: str) -> str:
    """How pytest heads a test's failure section: ``t/a.py::TestA::test_b[1]`` -> ``TestA.test_b[1]``."""
    return ".".join(test_id.split("::")[1:]) or test_id


def failure_sections(output: str) -> dict[str, str]:
    """pytest's failure sections by headline: each one's text, up to the next section."""
    marks = list(_SECTION.finditer(output))
    ends = [m.start() for m in marks[1:]] + [len(output)] if marks else []
    found: dict[str, str] = {}
    for mark, end in zip(marks, ends, strict=True):
        found.setdefault(mark.group(1), output[mark.end() : end])
    return found


def output_of(output: str, tests: Iterable[str]) -> str:
    """The part of a run's output about ``tests``: their failure sections where the output has
    any, else all of it. A baseline with other failures prints their tracebacks first as often
    as not; their frames are not the fault's."""
    sections = failure_sections(output)
    wanted = [sections[h] for h in dict.fromkeys(headline(t) for t in tests) if h in sections]
    return "".join(wanted) if wanted else output


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


def traceback_frames(output: str, root: str | None = "/testbed", include_tests: bool = False) -> list[tuple[str, int]]:
    """(file, line) of every frame in the output, outermost first, without duplicates.

    Frames in test files are dropped unless ``include_tests``; so are frames
    outside the repository (the standard library, site-packages).
    """
    hits = [
        (m.start(), m["path"], int(m["line"])) for m in _PYTEST.finditer(output) if not WARNING.match(output, m.end())
    ]
    hits += [(m.start(), m["path"], int(m["line"])) for m in _NATIVE.finditer(output)]
    frames: dict[tuple[str, int], None] = {}
    for _, path, line in sorted(hits):
        rel = relative_path(path, root)
        if rel is None or (not include_tests and is_test_file(rel)):
            continue
        frames.pop((rel, line), None)
        frames[(rel, line)] = None
    return list(frames)


def traceback_boosts(frames: list[tuple[str, int]], weight: float = 0.5) -> dict[tuple[str, int], float]:
    """Boost per frame, growing with depth (the last frame raised the error)."""
    n = len(frames)
    return {frame: weight * (i + 1) / n for i, frame in enumerate(frames)}
