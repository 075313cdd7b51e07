"""The buildpack of an instance whose spec's ``test_cmd`` is pytest: the Python buildpack
(pytest, rfsn's junit report, coverage) with the env recipe and session setup rendered from the
spec (``specs``), its tests named as the harness's log parser names them.
"""

from __future__ import annotations

import itertools
import re
import shlex
from collections.abc import Collection, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

from rfsn.buildpacks.base import EnvRecipe, SandboxView
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.swebench import patched, specs
from rfsn.buildpacks.python.swebench.upstream import LogParser, Spec, harness_statuses
from rfsn.models import TestReport, TestStatus
from rfsn.models.testfiles import test_id_file


class SpecBuildpack(PythonBuildpack):
    """Python, with the environment the harness's spec describes."""

    #: the harness's summary: its parser reads each test's line of it
    summary: ClassVar[str] = "-rA"
    #: pytest's own rootdir: the harness names tests as its run's pytest does
    rootdir: ClassVar[str | None] = None

    def __init__(self, spec: Spec, recipe: EnvRecipe, parser: LogParser | None = None, instance_id: str = "") -> None:
        self.spec = spec
        self.recipe = recipe
        self.parser, self.instance_id = parser, instance_id
        #: what reads the test statuses (recorded with each evaluation)
        self.grader = "junit report" + (
            f", ids by the SWE-bench log parser {getattr(parser, '__name__', '')}" if parser is not None else ""
        )

    def parse(self, output: str, reports: dict[str, str]) -> dict[str, TestStatus]:
        """The junit report's statuses. The harness's parser also names things that are no tests
        of the run (``[``, ``[100%]``: pieces of pytest's progress lines; an inner pytest run's
        summary line that a test's captured output shows) and some datasets list them as
        PASS_TO_PASS; those it reads as passed are taken from it, unless they name a file of the
        run (a test's output must not speak for the run's own tests). (Its other pieces, such as
        a log line of a test's own output read as an error, are noise.)"""
        statuses = super().parse(output, reports)
        if self.parser is None or not statuses:
            return statuses
        pieces = harness_statuses(self.parser, output, self.instance_id)
        files = {test_id_file(t) for t in statuses}
        return {
            **{
                t: s
                for t, s in pieces.items()
                if s is TestStatus.PASSED and ("::" not in t or test_id_file(t) not in files)
            },
            **statuses,
        }

    def harness_named(self, report: TestReport) -> TestReport:
        """``report`` with each test named as the harness's log parser names it in the same run:
        the parser reads the test's own line of pytest's short summary (``-rA``), its status
        stays the junit report's. A test whose line the parser reads no id from is left out (the
        harness never sees it); one without such a line keeps its pytest id. Tests that get one
        name pass only together."""
        if self.parser is None:
            return report
        ids = harness_ids(self.parser, report.log, report.tests, self.instance_id)
        named: dict[str, TestStatus] = {}
        for test, status in report.tests.items():
            name = ids.get(test, test)
            if name is not None and named.get(name, TestStatus.PASSED) is TestStatus.PASSED:
                named[name] = status
        return report.model_copy(update={"tests": named})

    def installing(self, checkout: Path, commit: str, patch: str) -> SpecBuildpack:
        return patched.installing(self, checkout, commit, patch)

    def env_recipe(self, repo: Path) -> EnvRecipe:
        return self.recipe

    def setup_commands(self, repo: Path) -> list[list[str]]:
        return specs.setup_commands(self.spec)

    def test_command(self, tests: Sequence[str], report_dir: str) -> list[str]:
        """rfsn's pytest command with the options of the spec's ``test_cmd`` that decide what code
        the run runs (``running_options``)."""
        argv = super().test_command(tests, report_dir)
        return [*argv[:3], *running_options(str(self.spec.get("test_cmd", "")), argv), *argv[3:]]

    def collect(self, repo: Path, files: Sequence[str] = ()) -> bool:
        """Nothing: a spec's suite is what the harness collects."""
        return False

    def fit(self, sandbox: SandboxView) -> None:
        """Nothing: a spec's pytest is the one its harness runs, with today's options."""


def running_options(test_cmd: str, argv: Sequence[str]) -> list[str]:
    """Pure: the options of the pytest command ``test_cmd`` that decide what code runs, and that
    ``argv`` lacks: ``--no-header`` (the report header's hooks run code, which may change how the rest of
    the session runs) and ``-p NAME`` (a plugin loaded or
    blocked). Those that only shape the printed report (``-v``, ``--tb``, ``-r``) are left: rfsn
    reads the statuses from its junit report."""
    try:
        words = shlex.split(test_cmd)[1:]
    except ValueError:
        return []
    kept: list[str] = []
    pairs = {pair for pair in itertools.pairwise(argv) if pair[0] == "-p"}
    while words:
        word = words.pop(0)
        if word == "--no-header" and word not in argv and word not in kept:
            kept.append(word)
        elif word == "-p" and words:
            plugin = words.pop(0)
            if ("-p", plugin) not in pairs:
                kept += ["-p", plugin]
                pairs.add(("-p", plugin))
    return kept


#: a line of pytest's short test summary (``-rA``): a status, a test's node id, maybe `` - why``
_SUMMARY_LINE = re.compile(r"^(?:PASSED|FAILED|ERROR|XFAIL|XPASS|SKIPPED) (.+)$")


def harness_ids(parser: LogParser, output: str, tests: Collection[str], instance_id: str) -> dict[str, str | None]:
    """Pure: for each of ``tests`` (pytest node ids) that has a line in the short summary of
    ``output``, the id the harness's log parser reads from that line (the last one), or None
    if it reads none."""
    ids: dict[str, str | None] = {}
    for line in output.split("\n"):  # as the harness's parsers split it
        summary = _SUMMARY_LINE.match(line)
        test = _node_id(summary.group(1), tests) if summary else None
        if test is not None:
            read = parser(line, SimpleNamespace(instance_id=instance_id))
            ids[test] = next(iter(read), None)
    return ids


def _node_id(rest: str, tests: Collection[str]) -> str | None:
    """The test of ``tests`` a summary line names in ``rest``: all of it, or what precedes a
    `` - `` (a failure's message follows one)."""
    cut = len(rest)
    while cut >= 0:
        if rest[:cut] in tests:
            return rest[:cut]
        cut = rest.rfind(" - ", 0, cut)
    return None
