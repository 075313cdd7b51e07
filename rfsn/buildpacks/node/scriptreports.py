"""The tests a test script run as a whole (the ``script`` runner) names in what it prints: TAP
(tape, node-tap, ava ``--tap``: a plan line ``1..N`` and ``ok``/``not ok`` lines), jest's verbose
text report (``jesttext``) and uvu's
lines (a file's name, then a line per suite: a mark per test, ``•`` passed, ``✘`` failed, and
``(passed / total)``; each failure then in a ``FAIL suite "name"`` block).

uvu names only its failures: a passing test's id is its place in its suite (``#3``), as stable as
the order of the suite's tests. Ids are ``jsreports``' ``<file> > <suite> > <test>``.
"""

from __future__ import annotations

import re

from rfsn.buildpacks.node.jesttext import parse_jest_text
from rfsn.buildpacks.node.jsreports import make_id
from rfsn.buildpacks.node.tapreports import parse_tap
from rfsn.models import TestStatus

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TAP_PLAN = re.compile(r"^\s*1\.\.\d+\s*(?:#.*)?$", re.M)
_TAP_RESULT = re.compile(r"^\s*(?:not )?ok\b", re.M)
_UVU_SUITE = re.compile(r"^\s*(?:(?P<suite>[^\s•✘].*?)\s+)?(?P<marks>(?:[•✘]\s+)*)\(\d+ / \d+\)\s*$")
_UVU_FAIL = re.compile(r'^\s*FAIL\s+(?:(?P<suite>.*?)\s+)?"(?P<name>.*)"\s*$')
_FILE = re.compile(r"^\s*(?P<file>[\w./@+-]+\.[cm]?[jt]sx?)\s*$")


def _uvu_suites(lines: list[str]) -> list[tuple[str, str, str, list[str]]]:
    """(file, suite, marks, failed names) of each of uvu's suite lines, in order."""
    suites: list[tuple[str, str, str, list[str]]] = []
    file = ""
    for at, line in enumerate(lines):
        suite = _UVU_SUITE.match(line)
        if suite:
            before = _FILE.match(lines[at - 1]) if at else None
            file = before.group("file") if before else file
            suites.append((file, (suite.group("suite") or "").strip(), suite.group("marks"), []))
            continue
        failed = _UVU_FAIL.match(line)
        if failed and suites:
            suites[-1][3].append(failed.group("name"))
    return suites


def parse_uvu(output: str) -> dict[str, TestStatus]:
    """Each test of uvu's lines: a failure by its name, a passed test by its place in its suite."""
    statuses: dict[str, TestStatus] = {}
    for file, suite, marks, names in _uvu_suites(_ANSI.sub("", output).splitlines()):
        failures, titles = iter(names), [suite] if suite else []
        for place, mark in enumerate(marks.split(), start=1):
            if mark == "✘":
                statuses[make_id(file, *titles, next(failures, f"#{place}"))] = TestStatus.FAILED
            else:
                statuses[make_id(file, *titles, f"#{place}")] = TestStatus.PASSED
    return statuses


def parse_script_output(output: str) -> dict[str, TestStatus]:
    """The tests a whole test script's output names (TAP where it has a plan, jest's verbose
    report, uvu's lines)."""
    plain = _ANSI.sub("", output)
    statuses = {**parse_uvu(plain), **parse_jest_text(plain)}
    if _TAP_PLAN.search(plain) and _TAP_RESULT.search(plain):
        statuses.update(parse_tap(plain))
    return statuses
