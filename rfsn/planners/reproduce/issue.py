"""Reproduction by the model (the issue-only setting): a problem statement, no failing test.

The model is asked for one NEW test file that fails because of the problem and will pass once
it is fixed; it may read the repository first (:mod:`rfsn.planners.patch.explore.tools`). :func:`plan`
is the reproduce phase: it proposes the file (gated), runs the suite, and returns the new
failing tests as the targets; the rest are its helpers (the prompt, the reply's file, what a
run of it says). A reply gives the file as its path on a line and a fenced block, or as a
```diff that creates it.

When the project is (part of) the test runner, the reproduction may crash it through the
project's code: the tests the file defines that the run never reported are failed
(:func:`cut_short`), as the harness's parser counts them, and are the targets.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from pathlib import Path

from rfsn.buildpacks.testfiles import is_test_file
from rfsn.llm.base import ChatModel, Message
from rfsn.models import Edit, Phase, Proposal, RunTests, TestReport, TestStatus
from rfsn.models.testfiles import test_id_file
from rfsn.observability.logging import get_logger
from rfsn.patches import new_file_diff
from rfsn.planners.base import Feedback
from rfsn.planners.code.sources import read_sources
from rfsn.planners.patch.explore import mentions
from rfsn.planners.patch.explore.repomap import repo_map
from rfsn.planners.patch.explore.tools import GUIDE, converse, served
from rfsn.planners.patch.logtext import stable
from rfsn.planners.patch.replies import ReplyError, parse_edits
from rfsn.planners.reproduce.restated import bodies, name_in_file, repeated

log = get_logger(__name__)

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

_FILE = re.compile(r"^[ \t]*[`*]*(?P<path>[\w./-]+\.\w+)[`*:]*[ \t]*\n```[^\n]*\n(?P<body>.*?)^```", re.M | re.S)


def messages(problem: str, sources: dict[str, str], tests: dict[str, str]) -> list[Message]:
    """The first request: the problem, the code it points to, the repository map, the test
    files, their conftest.py files (fixtures), and one of its tests as an example: one that
    uses the code pointed to when there is one."""
    pointed = mentions.pointed_to(problem, sources)
    code = mentions.render(pointed, sources)
    parts = [
        f"## Problem\n{problem.strip()}",
        *([f"## Code the problem statement points to\n{code}"] if code else []),
        "## Repository map (source files, classes, functions)\n"
        + repo_map(sources, first=mentions.files_named(problem, sources, pointed)),
        "## Test files\n" + ("\n".join(sorted(tests)[:200]) or "(none)"),
    ]
    for path in sorted(p for p in tests if p.rsplit("/", 1)[-1] == "conftest.py")[:MAX_CONFTESTS]:
        parts.append(f"## {path} (fixtures the tests can use)\n{tests[path][:EXAMPLE_CHARS]}")
    if tests:
        names = {d.name for d in pointed} | {d.path.rsplit("/", 1)[-1].split(".")[0] for d in pointed}
        uses = {p: sum(1 for n in names if n in text) for p, text in tests.items()}
        example = min(tests, key=lambda p: (p.endswith("conftest.py"), len(tests[p]) == 0, -uses[p], p))
        what = "an existing test of that code" if uses[example] else "an existing test"
        parts.append(f"## {example} ({what})\n{tests[example][:EXAMPLE_CHARS]}")
    return [Message(role="system", content=f"{SYSTEM}\n\n{GUIDE}"), Message(role="user", content="\n\n".join(parts))]


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


def defined_tests(path: str, text: str) -> list[str]:
    """The ids of the tests a Python test file defines, as pytest collects them by default:
    ``test*`` functions, and the ``test*`` methods of ``Test*`` classes (none if it is no Python)."""

    def collected(name: str) -> bool:
        *classes, function = name.split("::")
        return function.startswith("test") and all(c.startswith("Test") for c in classes)

    return [f"{path}::{name}" for name in bodies(text) if collected(name)]


def cut_short(path: str, text: str, report: TestReport | None) -> TestReport | None:
    """``report`` with the tests the reproduction ``path`` defines (``text``) that it never
    reported failed, when the project's own crash cut the run short (the test that crashed it,
    and those after it); else ``report``. A parametrized test reported by any of its ids was
    reported."""
    if report is None or not report.crashed:
        return report
    tests = [
        t
        for t in defined_tests(path, text)
        if t not in report.tests and not any(r.startswith(f"{t}[") for r in report.tests)
    ]
    if not tests:
        return report
    log.info("planner.reproduction_cut_short", file=path, tests=tests)
    return report.model_copy(update={"tests": {**report.tests, **dict.fromkeys(tests, TestStatus.FAILED)}})


def without_old_failures(targets: list[str], why: str, baseline: TestReport, workspace: Path) -> tuple[list[str], str]:
    """``targets`` without the copies of tests that failed at baseline (an old failure the
    model's file repeats, such as a neighbour the environment cannot run), or why none is left.
    A test the per-test limit stopped at baseline showed no failure to repeat: a copy that
    fails fails on its own."""
    names = {name_in_file(t) for t in targets}
    olds = [t for t in baseline.with_status(TestStatus.FAILED, TestStatus.ERROR) if name_in_file(t) in names]
    if not olds:
        return targets, why
    files = {}
    for path in {test_id_file(t) for t in [*targets, *olds]}:
        try:
            files[path] = (workspace / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    copies = repeated(olds, targets, files)
    if not copies:
        return targets, why
    log.info("planner.repeats_old_failures", tests=copies)
    left = [t for t in targets if t not in copies]
    if left:
        return left, why
    test, old = next(iter(copies.items()))
    return [], f"the new tests that fail repeat tests that failed before any change ({test} repeats {old})"


def reproduction_run(path: str, baseline: TestReport) -> Generator[Proposal, Feedback, TestReport | None]:
    """The reproduction's run: the new file alone, folded into the baseline (the rest of the
    suite is as the baseline ran it); the whole suite where the runner cannot select a file.
    A run of the file that the project's own crash cut short is folded in too, whatever it
    reported: the whole suite would stop at the same file, and its tests after it would go
    missing from the baseline."""
    fb = yield RunTests(phase=Phase.REPRODUCE, tests=(path,), rationale=f"run the reproduction {path}")
    alone = fb.outcome.report if fb.outcome else None
    if alone is None or alone.timed_out:
        return alone
    if alone.crashed or any(t not in baseline.tests for t in alone.tests):
        return baseline.model_copy(
            update={
                "tests": {**baseline.tests, **alone.tests},
                "log": alone.log,
                "durations": {**baseline.durations, **alone.durations},
                "exit_code": alone.exit_code or baseline.exit_code,
                "crashed": alone.crashed,
            }
        )
    fb = yield RunTests(phase=Phase.REPRODUCE, rationale=f"run the reproduction {path} with the whole suite")
    return fb.outcome.report if fb.outcome else None


def retry(why: str, log: str) -> Message:
    return Message(
        role="user",
        content=f"That does not reproduce the problem: {why}.\n\n"
        f"## Test output (end)\n{log[-LOG_TAIL:]}\n\n"
        "Write the new test file again, at a new path.",
    )


def plan(
    model: ChatModel, problem: str, workspace: Path, language: str, baseline: TestReport, scaffolding: list[str]
) -> Generator[Proposal, Feedback, tuple[TestReport, list[str]] | str]:
    """The model writes a new test file that fails; its failing tests become the targets, with
    the run that showed it as the new baseline. Else why not. Each file written is added to
    ``scaffolding`` (never part of the patch)."""
    conversation = messages(problem, read_sources(workspace, language), read_sources(workspace, language, tests=True))
    why = ""
    for attempt in range(2):  # a test that does not reproduce goes back once, with the reason
        reply = yield from served(converse(model, conversation, MAX_OUTPUT, 0.0))
        conversation.append(Message(role="assistant", content=reply.text))
        output = ""
        try:
            path, text = new_test_file(reply.text, workspace)
        except ReplyError as exc:
            why = str(exc)
        else:
            fb = yield Edit(
                phase=Phase.REPRODUCE,
                patch=new_file_diff(path, text),
                rationale=f"reproduce the problem: a new test file {path}",
            )
            if not fb.ok:
                why = f"the file was refused: {fb.decision.reason or (fb.outcome and fb.outcome.detail)}"
            else:
                scaffolding.append(path)
                report = cut_short(path, text, (yield from reproduction_run(path, baseline)))
                targets, why = reproduced(baseline, report)
                targets, why = without_old_failures(targets, why, baseline, workspace)
                if report is not None and targets:
                    log.info("planner.reproduced", file=path, tests=targets)
                    return report, targets
                output = stable(report.log) if report else ""
        log.info("planner.not_reproduced", reason=why, attempt=attempt)
        conversation.append(retry(why, output))
    return why
