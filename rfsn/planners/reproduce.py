"""Reproduction by the model (the issue-only setting): a problem statement, no failing test.

The model is asked for one NEW test file that fails because of the problem and
will pass once it is fixed. Pure helpers: the prompt, the reply's file, and what
a test run of it says. The planner proposes the file (gated, reproduce phase),
runs the suite, and takes the new failing tests as its targets.

A reply gives the file as its path on a line followed by a fenced block, or as
a ```diff that creates it.
"""

from __future__ import annotations

import re
from pathlib import Path

from rfsn.llm.base import Message
from rfsn.models import TestReport, TestStatus
from rfsn.models.testfiles import is_test_file
from rfsn.planners.explore.repomap import repo_map
from rfsn.planners.replies import ReplyError, parse_edits

SYSTEM = """You reproduce bugs in software repositories. Given a problem statement, write ONE \
NEW test file, in the style and test framework of the project's existing tests, that FAILS now \
because of the problem and will PASS once the problem is fixed. Do not change any existing \
file. Answer with the new file's repository-relative path on a line of its own, followed by \
its whole content in one fenced code block:

tests/test_issue.py
```python
...
```"""
MAX_OUTPUT = 2048
EXAMPLE_CHARS = 3000
MAX_CONFTESTS = 3
LOG_TAIL = 3000

_FILE = re.compile(r"^[ \t]*[`*]*(?P<path>[\w./-]+\.\w+)[`*:]*[ \t]*\n```[^\n]*\n(?P<body>.*?)^```",
                   re.M | re.S)


def messages(problem: str, sources: dict[str, str], tests: dict[str, str]) -> list[Message]:
    """The first request: the problem, the repository map, the test files, their conftest.py
    files (fixtures), and one of its tests as an example."""
    parts = [f"## Problem\n{problem.strip()}",
             "## Repository map (source files, classes, functions)\n" + repo_map(sources),
             "## Test files\n" + ("\n".join(sorted(tests)[:200]) or "(none)")]
    for path in sorted(p for p in tests if p.rsplit("/", 1)[-1] == "conftest.py")[:MAX_CONFTESTS]:
        parts.append(f"## {path} (fixtures the tests can use)\n{tests[path][:EXAMPLE_CHARS]}")
    if tests:
        example = min(tests, key=lambda p: (p.endswith("conftest.py"), len(tests[p]) == 0, p))
        parts.append(f"## {example} (an existing test)\n{tests[example][:EXAMPLE_CHARS]}")
    return [Message(role="system", content=SYSTEM), Message(role="user", content="\n\n".join(parts))]


def new_test_file(reply: str, workspace: Path) -> tuple[str, str]:
    """(path, content) of the one new test file in ``reply``; ReplyError saying why not."""
    found = {m.group("path").removeprefix("./"): m.group("body") for m in _FILE.finditer(reply)}
    if not found:
        try:
            found = parse_edits(reply, {})
        except ReplyError:
            raise ReplyError("no path line followed by a fenced code block") from None
    if len(found) != 1:
        raise ReplyError(f"{len(found)} files instead of one new test file")
    ((path, text),) = found.items()
    if path.startswith("/") or ".." in path.split("/"):
        raise ReplyError(f"{path} is not a path inside the repository")
    if not is_test_file(path):
        raise ReplyError(f"{path} is not named or placed as a test file of this project")
    if (workspace / path).exists():
        raise ReplyError(f"{path} exists already; write a new file at a path that does not exist")
    if not text.strip():
        raise ReplyError(f"{path} is empty")
    return path, text


def reproduced(baseline: TestReport, report: TestReport | None) -> tuple[list[str], str]:
    """The new tests that fail in ``report`` (tests the baseline did not have), or why none do."""
    if report is None or report.timed_out:
        return [], "the test run timed out"
    new = {t: s for t, s in report.tests.items() if t not in baseline.tests}
    failing = sorted(t for t, s in new.items() if s == TestStatus.FAILED)
    if failing:
        return failing, ""
    if not new:
        return [], "no test of the new file was collected and run"
    if any(s == TestStatus.ERROR for s in new.values()):
        return [], "the new tests error (on collection or in setup) instead of failing"
    return [], "the new tests pass before any fix, so they do not reproduce the problem"


def retry(why: str, log: str) -> Message:
    return Message(role="user", content=f"That does not reproduce the problem: {why}.\n\n"
                                        f"## Test output (end)\n{log[-LOG_TAIL:]}\n\n"
                                        "Write the new test file again, at a new path.")
