"""What rfsn reads of a SWE-bench runner that is not pytest, beyond the harness's own log parser:
pure parsers of its output (``str -> dict[test, status]``, ``str -> finished files``) and the
options it can be asked, in a table by program. Grading reads the harness's parser alone; a repair
session also reads each test by its file, so a test the harness names by its bare name when it
passes is seen to pass where it failed before."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from rfsn.models import TestStatus


@dataclass(frozen=True)
class Runner:
    """A harness runner rfsn knows: how to limit each test, how to select tests by name, and how
    to read its output by file."""

    case_limit: str  # its per-test limit (a format of the seconds)
    names: str  # its option that runs only the tests whose names hold one of the words after it
    by_file: Callable[[str], dict[str, TestStatus]]  # ``path.py:test_x`` -> status
    finished: Callable[[str], list[str]]  # the test files a run (cut short) ran to their end


_FILE_HEADER = re.compile(r"^(\S+\.py)\[\d+\]")
_LINE_STATUSES = {"ok": TestStatus.PASSED, "F": TestStatus.FAILED, "E": TestStatus.ERROR, "T": TestStatus.TIMEOUT}
_FILE_ENDS = ("[OK]", "[FAIL]")


def bintest_by_file(output: str) -> dict[str, TestStatus]:
    """``path.py:test_x`` -> the status of ``test_x`` as ``bin/test`` prints it under the file's
    header (``path.py[4]``), the last test of a file too (its line ends with the file's ``[OK]``)."""
    found: dict[str, TestStatus] = {}
    current = ""
    for line in output.splitlines():
        line = line.strip()
        header = _FILE_HEADER.match(line)
        if header:
            current = header.group(1)
            continue
        words = line.split()
        if words and words[-1] in _FILE_ENDS:
            words = words[:-1]
        if current and len(words) >= 2 and words[0].startswith("test_") and words[-1] in _LINE_STATUSES:
            found[f"{current}:{words[0]}"] = _LINE_STATUSES[words[-1]]
    return found


def bintest_finished(output: str) -> list[str]:
    """The files ``bin/test`` shows run to their end: its last test's line ends with the file's
    ``[OK]`` or ``[FAIL]``."""
    done, current = [], ""
    for line in output.splitlines():
        line = line.strip()
        header = _FILE_HEADER.match(line)
        if header:
            current = header.group(1)
        if current and line.endswith(_FILE_ENDS):
            done.append(current)
            current = ""
    return list(dict.fromkeys(done))


def session_reading(runner: Runner, output: str, harness: dict[str, TestStatus]) -> dict[str, TestStatus]:
    """Pure: what a repair session reads of a run: the runner's statuses by file, each test's bare
    name (of a name in two files, the one that did not pass), then the harness's ``harness``, a
    ``path.py::test_x`` it names read as the ``path.py:test_x`` the runner names."""
    by_file = runner.by_file(output)
    bare: dict[str, TestStatus] = {}
    for test, status in by_file.items():
        name = test.rpartition(":")[2]
        if bare.get(name, TestStatus.PASSED) is TestStatus.PASSED:
            bare[name] = status

    def runners_id(test: str) -> str:
        named = test.replace(".py::", ".py:", 1)
        return named if named in by_file else test

    return {**by_file, **bare, **{runners_id(t): s for t, s in harness.items()}}


#: by program: ``bin/test`` stops a test past ``--timeout`` seconds (printed ``T``, and it
#: goes on with the next), and ``-k`` runs the tests whose names contain one of the words after it
RUNNERS: dict[str, Runner] = {
    "bin/test": Runner(case_limit="--timeout={:d}", names="-k", by_file=bintest_by_file, finished=bintest_finished),
}


def runner_of(command: str) -> Runner | None:
    """The runner a spec's ``test_cmd`` starts (its first word that sets no variable), if rfsn knows it."""
    return RUNNERS.get(next((w for w in shlex.split(command) if "=" not in w), ""))
