"""The buildpack of an instance whose spec's runner is not pytest (a project's own
``runtests.py`` or ``bin/test``, tox): the spec's ``test_cmd`` run as the harness runs it, on the test files
``test_patch`` touches (in a repair session: the files it selects), its output read by the
harness's own log parser for the repository. Such statuses come from text the tests print, as in
the harness; the runner's exit status is still cross-checked in grading.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rfsn.buildpacks.base import BaseImage, CoveragePlan, Detection, EnvRecipe
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.pycoverage import process_coverage, read_coverage
from rfsn.buildpacks.python.swebench import patched, specs, upstream
from rfsn.buildpacks.python.swebench.runners import runner_of, session_reading
from rfsn.buildpacks.python.swebench.upstream import LogParser, Spec, harness_statuses
from rfsn.models import TestReport, TestStatus
from rfsn.models.testfiles import test_id_file


class HarnessRunBuildpack:
    """A spec whose runner is not pytest: its ``test_cmd`` on the instance's test directives,
    statuses from the harness's log parser, per-test coverage measured inside the processes the
    command starts (for localization, never for grading). When grading, every run runs the
    directives (the harness runs nothing else): more tests than asked for, never fewer. In a
    repair session (``selects``) a selection of test files runs those files, turned into
    directives the harness's way (a reproduction the session wrote is one), and a run of no
    selection runs the directives it was given: none in the issue-only setting, where
    ``test_cmd`` alone runs the whole suite. In a session, a runner that can select tests by
    name (``runners.RUNNERS``) runs only those a selection of named tests names (and those whose names
    contain theirs), and a session's per-test limit (``case_timeout``) goes to a runner that
    has one of its own; grading sets none, as the harness does."""

    name: ClassVar[str] = "python"
    default_base: ClassVar[BaseImage] = PythonBuildpack.default_base
    structured: ClassVar[bool] = True
    case_timeout: float | None = None

    def __init__(
        self,
        spec: Spec,
        recipe: EnvRecipe,
        directives: Sequence[str],
        parser: LogParser,
        instance_id: str,
        repo: str = "",
        selects: bool = False,
    ) -> None:
        self.spec, self.recipe, self.directives = spec, recipe, list(directives)
        self.parser, self.instance_id, self.repo, self.selects = parser, instance_id, repo, selects
        self.grader = f"the SWE-bench log parser {getattr(parser, '__name__', 'of the repo')}"

    def detect(self, repo: Path) -> Detection:
        return Detection(score=0.0, reasons=["chosen by the instance's SWE-bench spec"])

    def installing(self, checkout: Path, commit: str, patch: str) -> HarnessRunBuildpack:
        return patched.installing(self, checkout, commit, patch)

    def harness_named(self, report: TestReport) -> TestReport:
        """``report`` as it is: the harness's log parser named its tests."""
        return report

    def env_recipe(self, repo: Path) -> EnvRecipe:
        return self.recipe

    def setup_commands(self, repo: Path) -> list[list[str]]:
        return specs.setup_commands(self.spec)

    def test_command(self, tests: Sequence[str], report_dir: str) -> list[str]:
        directives = self.directives
        files, held = _files(tests)
        if self.selects and files and (held or directives):  # none: the whole suite, which holds them
            directives = list(dict.fromkeys([*as_directives(self.repo, files), *([] if held else directives)]))
        command = str(self.spec["test_cmd"])
        runner = runner_of(command)
        limit = (
            []
            if runner is None or self.case_timeout is None
            else [runner.case_limit.format(max(1, round(self.case_timeout)))]
        )
        names = _names(tests) if runner is not None and self.selects else []
        return [
            "bash",
            "-c",
            " ".join(
                [
                    command,
                    *limit,
                    *(shlex.quote(d) for d in directives),
                    *([runner.names, *names] if runner and names else []),
                ]
            ),
        ]

    def coverage_plan(self, tests: Sequence[str], report_dir: str) -> CoveragePlan:
        """The same command, measured from inside every Python process it starts (the runner
        is the harness's: tox, ``bin/test`` in a subprocess of its own)."""
        return process_coverage(self.test_command(tests, report_dir)[2], report_dir)

    def parse_coverage(
        self, reports: dict[str, str], test_ids: Sequence[str], workdir: str
    ) -> dict[str, dict[str, list[int]]]:
        return read_coverage(reports, test_ids, workdir)

    def parse(self, output: str, reports: dict[str, str]) -> dict[str, TestStatus]:
        """The harness's statuses; in a repair session with the runner's own reading
        (``runners.session_reading``): the harness names a passing test by its bare name only, so
        a test that failed under its file would otherwise never be seen to pass."""
        statuses = harness_statuses(self.parser, output, self.instance_id)
        runner = runner_of(str(self.spec["test_cmd"]))
        if not self.selects or runner is None:
            return statuses
        return session_reading(runner, output, statuses)

    def finished_files(self, output: str) -> list[str]:
        """The test files a run (of a runner that prints the end of each file) ran to their end: a run cut short by its
        limit keeps those (``Executor``)."""
        runner = runner_of(str(self.spec["test_cmd"]))
        return runner.finished(output) if runner is not None else []


def _files(tests: Sequence[str]) -> tuple[list[str], bool]:
    """The Python test files ``tests`` name, and whether those hold them all. An id that names no
    such file (a bare ``test_x``, as the harness names a passing test of a bare-name runner) may be anywhere in
    the suite, unless it is the bare name of a test named in a file (the alias a session's id of
    that test is reported by as well)."""
    files = [test_id_file(t) for t in tests]
    named = {t.rpartition(":")[2] for t, f in zip(tests, files, strict=True) if f != t}
    held = all(f.endswith(".py") or t in named for t, f in zip(tests, files, strict=True))
    return list(dict.fromkeys(f for f in files if f.endswith(".py"))), held


def _names(tests: Sequence[str]) -> list[str]:
    """The test names ``tests`` select (``path.py:test_x``, a bare ``test_x``); none when one of
    them is a whole file, or something no name selects."""
    names = []
    for test in tests:
        file = test_id_file(test)
        name = test if file == test else test.removeprefix(file).removeprefix(":")
        if not name.isidentifier():
            return []
        names.append(name)
    return list(dict.fromkeys(names))


def as_directives(repo: str, files: Sequence[str]) -> list[str]:
    """``files`` as the harness passes test files to ``test_cmd`` (as module labels to a runner
    that takes those)."""
    return upstream.test_directives({"repo": repo, "test_patch": "".join(f"diff --git a/{f} b/{f}\n" for f in files)})
