"""The tests jest's own text report names, where a test script runs jest through a wrapper whose
options rfsn does not give (``ts-scripts test``): jest prints a file's ``PASS``/``FAIL`` line,
then, verbose (one test file, or ``--verbose``), its describe blocks two spaces deeper each and a
line per test: ``✓`` passed, ``✕`` failed, ``○`` skipped, ``✎`` todo, a slow one's time after.

Ids are ``jsreports``' ``<file> > <describe> > ... > <test>``, as ``jest --json`` names them. A
report that is not verbose names no test here; its failures' ``●`` blocks end a file's tree.
"""

from __future__ import annotations

import re

from rfsn.buildpacks.node.jsreports import make_id
from rfsn.models import TestStatus

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_FILE = re.compile(r"^(?:PASS|FAIL)\s+(?P<file>\S+\.[cm]?[jt]sx?)(?:\s+\(.*\))?\s*$")
_TEST = re.compile(r"^(?P<indent>(?:  )+)(?P<mark>[✓✕○✎√\u00d7])\s+(?P<title>.*?)(?:\s+\(\d+(?:\.\d+)?\s*m?s\))?\s*$")
_DESCRIBE = re.compile(r"^(?P<indent>(?:  )+)(?P<title>\S.*?)\s*$")
_STATUS = {
    "✓": TestStatus.PASSED,
    "√": TestStatus.PASSED,
    "✕": TestStatus.FAILED,
    "\u00d7": TestStatus.FAILED,  # Windows consoles
    "○": TestStatus.SKIPPED,
    "✎": TestStatus.SKIPPED,
}
_ENDS = ("●", "Test Suites:", "Tests:", "Snapshots:", "Time:", "Ran all test suites")


def _title(mark: str, title: str) -> str:
    """A skipped test's title without the word jest prints before it (``○ skipped name``)."""
    word = {"○": "skipped ", "✎": "todo "}.get(mark, "")
    return title.removeprefix(word) if word else title


def parse_jest_text(output: str) -> dict[str, TestStatus]:
    """Each test jest's verbose text report names (a failure wins over a pass of the same id)."""
    statuses: dict[str, TestStatus] = {}
    file, stack = "", list[str]()
    for line in _ANSI.sub("", output).splitlines():
        header = _FILE.match(line)
        if header:
            file, stack = header.group("file"), []
            continue
        if line.lstrip().startswith(_ENDS):
            file = ""
        if not file:
            continue
        test = _TEST.match(line)
        if test:
            level = len(test.group("indent")) // 2 - 1
            status = _STATUS[test.group("mark")]
            tid = make_id(file, *stack[:level], _title(test.group("mark"), test.group("title")))
            if statuses.get(tid) != TestStatus.FAILED:
                statuses[tid] = status
            continue
        describe = _DESCRIBE.match(line)
        if describe:
            stack = [*stack[: len(describe.group("indent")) // 2 - 1], describe.group("title")]
    return statuses
