"""Is a pytest baseline a test result, or a broken environment? A pure diagnosis.

The diagnosis is the whole message the session ends with (``env_error``, no repair attempt):

- pytest stopped with an internal or usage error (exit 3 or 4);
- nothing was collected (exit 5, or no test at all): "no tests found", and how to name them;
- a test module failed to import a module that is not the project's own, and no test passed: a
  dependency the whole suite needs (with tests passing: environment failures among the rest).

A collection error in the project's own code is a bug to repair; so is a conftest that failed to
load because the project's code raised (its traceback ends in a source file of the repository:
the tests under it were not collected), and an internal error raised through the project's own
code when it is (part of) the runner (``crashed``: the tests it never reported did not pass).
Collection errors naming files outside the repository are an inner run's output (``pytester``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rfsn.buildpacks.base import first_error
from rfsn.buildpacks.testfiles import is_test_file
from rfsn.fsutil import project_modules

_COLLECTING = re.compile(r"^_+ ERROR collecting (\S+) _+$", re.M)
_MISSING = re.compile(
    r"(?:ModuleNotFoundError: No module named|ImportError: cannot import name "
    r"'[^']+' from) '([^']+)'"
)
_EXIT_BROKEN = {3: "pytest hit an internal error", 4: "pytest stopped with a usage error"}
_INTERNAL_FRAME = re.compile(r'^INTERNALERROR>\s+File "([^"]+)", line \d+', re.M)
#: pytest's first line where a conftest failed to import, and a frame of its short traceback
_CONFTEST = re.compile(r"^ImportError while loading conftest '([^']+)'\.$", re.M)
_SHORT_FRAME = re.compile(r"^(\S+\.py):\d+: in ", re.M)
_BROKEN = "the environment is broken"
NO_TESTS = (
    "no tests found (pytest collected none); name them with --tests ID, or give the "
    "command that runs them with --test-cmd CMD"
)


def missing_dependency(log: str, repo: Path) -> str:
    """What the first of ``repo``'s test modules that cannot be collected for want of a module
    that is not the project's own says (``path cannot import a dependency: error``), or ""."""
    own = project_modules(repo)
    for path, text in _sections(log):
        if not (repo / path).exists():  # an inner run's output, printed by a test
            continue
        missing = _MISSING.search(text)
        if missing and missing.group(1).split(".")[0] not in own:
            return f"{path} cannot import a dependency: {first_error(text)}"
    return ""


def _sections(log: str) -> Iterable[tuple[str, str]]:
    """(file, text) of each 'ERROR collecting' section of a pytest log."""
    marks = list(_COLLECTING.finditer(log))
    ends = [m.start() for m in marks[1:]] + [len(log)] * bool(marks)
    for mark, end in zip(marks, ends, strict=True):
        yield mark.group(1), log[mark.end() : end]


def _in_repo(path: str, repo: Path) -> bool:
    """Whether ``path`` (as the sandbox printed it) is a file of the repository, other than a
    conftest: the longest tail of it that names a file there."""
    parts = Path(path).parts
    if any(part in ("site-packages", "dist-packages") for part in parts) or parts[-1:] == ("conftest.py",):
        return False
    return any((repo / Path(*parts[i:])).is_file() for i in range(1, len(parts)))


def project_internal_error(log: str, repo: Path) -> bool:
    """An internal error whose traceback runs through the project's own code: the code under
    test is (part of) the runner, and its failure is a result, not a broken environment."""
    return any(_in_repo(frame, repo) for frame in _INTERNAL_FRAME.findall(log))


def conftest_failure(log: str) -> tuple[str, list[str]] | None:
    """Where pytest could not load a conftest: the folder it governs, repo-relative ("." for the
    root), and the files of its traceback's frames, outermost first (the first is the conftest,
    printed relative to the run's directory); None when every conftest loaded."""
    header = _CONFTEST.search(log)
    if header is None:
        return None
    end = log.find("\nE ", header.end())
    frames = _SHORT_FRAME.findall(log, header.end(), len(log) if end < 0 else end)
    conftest = next((f for f in frames if header.group(1).endswith("/" + f)), "")
    return (str(Path(conftest).parent) if conftest else "."), frames


def project_conftest_failure(log: str, repo: Path) -> bool:
    """Whether a conftest failed to load because the project's own code raised: the innermost
    frame of its traceback is a source file of the repository (not test code), so the project
    itself keeps the tests under it from being collected."""
    failure = conftest_failure(log)
    if failure is None or not failure[1]:
        return False
    innermost = failure[1][-1]
    return not Path(innermost).is_absolute() and (repo / innermost).is_file() and not is_test_file(innermost)


def crashed(log: str, exit_code: int, repo: Path) -> bool:
    """Whether pytest stopped on an internal error raised through the project's own code: the
    run was cut short by the code under test, and the tests it never reported did not pass (the
    harness's parser counts them failed)."""
    return exit_code == 3 and project_internal_error(log, repo)


def diagnose(log: str, exit_code: int, collected: int, repo: Path, passed: int = 0) -> str | None:
    """Why this baseline says nothing about the project's tests, or None if it is healthy
    (``passed``: how many tests passed)."""
    if (
        exit_code in _EXIT_BROKEN
        and not crashed(log, exit_code, repo)
        and not (exit_code == 4 and project_conftest_failure(log, repo))
    ):
        return f"{_BROKEN}: {_EXIT_BROKEN[exit_code]}: {first_error(log)}"
    dependency = missing_dependency(log, repo)
    if dependency and not passed:
        return f"{_BROKEN}: {dependency}"
    if collected == 0 and exit_code > 128:  # a crash, not a test: its last words say where
        last = [line.strip() for line in log.splitlines() if line.strip()][-1:] or ["(no output)"]
        return f"{_BROKEN}: killed by signal {exit_code - 128} before any test was collected: {last[0][:300]}"
    if collected == 0:
        return NO_TESTS if exit_code in (0, 5) else f"{_BROKEN}: no tests were collected: {first_error(log)}"
    return None
