"""The buildpack of an instance whose repo and version the SWE-bench harness specifies.

A spec whose ``test_cmd`` is pytest gets the Python buildpack (pytest, rfsn's
junit report, coverage) with the env recipe and session setup rendered from
the spec (see ``specs``). Any other runner (django's ``runtests.py``, sympy's
``bin/test``, tox) runs as the harness runs it: the spec's ``test_cmd`` on the
test files ``test_patch`` touches (in a repair session: the files it selects),
its output read by the harness's own log parser for the repository. Such
statuses come from text the tests print, as in the harness; the runner's exit
status is still cross-checked in grading.
Instances without a spec (or without the ``swebench`` package) keep the
generic buildpack; a spec rfsn cannot honour raises ``EnvUnavailable`` with
the reason.
"""

from __future__ import annotations

import copy
import itertools
import re
import shlex
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

from rfsn.batch.harness import specs
from rfsn.batch.harness.patchtree import patched_source
from rfsn.batch.harness.runners import runner_of, session_reading
from rfsn.batch.outcome import ErrorKind
from rfsn.buildpacks import select
from rfsn.buildpacks.base import (
    BaseImage,
    Buildpack,
    CoveragePlan,
    Detection,
    EnvRecipe,
    SandboxView,
)
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.pycoverage import process_coverage, read_coverage
from rfsn.errors import EnvUnavailable, InfraFailure
from rfsn.models import TestReport, TestStatus
from rfsn.models.swebench import Instance
from rfsn.models.testfiles import test_id_file
from rfsn.sandbox import dated
from rfsn.settings import Settings

#: the harness's statuses; an expected failure counts as a pass there (``test_passed``)
_STATUSES = {"PASSED": TestStatus.PASSED, "XFAIL": TestStatus.PASSED, "FAILED": TestStatus.FAILED,
             "ERROR": TestStatus.ERROR, "SKIPPED": TestStatus.SKIPPED}


LogParser = Callable[[str, object], dict[str, str]]


class SpecBuildpack(PythonBuildpack):
    """Python, with the environment the harness's spec describes."""

    #: the harness's summary: its parser reads each test's line of it
    summary: ClassVar[str] = "-rA"

    def __init__(self, spec: specs.Spec, recipe: EnvRecipe, parser: LogParser | None = None,
                 instance_id: str = "") -> None:
        self.spec = spec
        self.recipe = recipe
        self.parser, self.instance_id = parser, instance_id
        #: what reads the test statuses (recorded with each evaluation)
        self.grader = "junit report" + (f", ids by the SWE-bench log parser {getattr(parser, '__name__', '')}"
                                        if parser is not None else "")

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
        return {**{t: s for t, s in pieces.items() if s is TestStatus.PASSED
                   and ("::" not in t or test_id_file(t) not in files)}, **statuses}

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
    ``argv`` lacks: ``--no-header`` (the report header's hooks run code: astropy 3.1's makes every
    DeprecationWarning an error for the rest of the session) and ``-p NAME`` (a plugin loaded or
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


def harness_ids(parser: LogParser, output: str, tests: Collection[str],
                instance_id: str) -> dict[str, str | None]:
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

    def __init__(self, spec: specs.Spec, recipe: EnvRecipe, directives: Sequence[str],
                 parser: LogParser, instance_id: str, repo: str = "", selects: bool = False) -> None:
        self.spec, self.recipe, self.directives = spec, recipe, list(directives)
        self.parser, self.instance_id, self.repo, self.selects = parser, instance_id, repo, selects
        self.grader = f"the SWE-bench log parser {getattr(parser, '__name__', 'of the repo')}"

    def detect(self, repo: Path) -> Detection:
        return Detection(score=0.0, reasons=["chosen by the instance's SWE-bench spec"])

    def env_recipe(self, repo: Path) -> EnvRecipe:
        return self.recipe

    def setup_commands(self, repo: Path) -> list[list[str]]:
        return specs.setup_commands(self.spec)

    def test_command(self, tests: Sequence[str], report_dir: str) -> list[str]:
        directives = self.directives
        files, held = _files(tests)
        if self.selects and files and (held or directives):  # none: the whole suite, which holds them
            directives = list(dict.fromkeys([*_directives(self.repo, files), *([] if held else directives)]))
        command = str(self.spec["test_cmd"])
        runner = runner_of(command)
        limit = [] if runner is None or self.case_timeout is None else [
            runner.case_limit.format(max(1, round(self.case_timeout)))]
        names = _names(tests) if runner is not None and self.selects else []
        return ["bash", "-c", " ".join([command, *limit, *(shlex.quote(d) for d in directives),
                                        *([runner.names, *names] if runner and names else [])])]

    def coverage_plan(self, tests: Sequence[str], report_dir: str) -> CoveragePlan:
        """The same command, measured from inside every Python process it starts (the runner
        is the harness's: tox, ``bin/test`` in a subprocess of its own)."""
        return process_coverage(self.test_command(tests, report_dir)[2], report_dir)

    def parse_coverage(self, reports: dict[str, str], test_ids: Sequence[str],
                       workdir: str) -> dict[str, dict[str, list[int]]]:
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
        """The test files a run (of sympy's ``bin/test``) ran to their end: a run cut short by its
        limit keeps those (``Executor``)."""
        runner = runner_of(str(self.spec["test_cmd"]))
        return runner.finished(output) if runner is not None else []


def _files(tests: Sequence[str]) -> tuple[list[str], bool]:
    """The Python test files ``tests`` name, and whether those hold them all. An id that names no
    such file (a bare ``test_x``, as the harness names a passing sympy test) may be anywhere in
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


def _directives(repo: str, files: Sequence[str]) -> list[str]:
    """``files`` as the harness passes test files to ``test_cmd`` (django: module labels)."""
    return specs.test_directives({"repo": repo, "test_patch": "".join(f"diff --git a/{f} b/{f}\n" for f in files)})


def harness_statuses(parser: LogParser, output: str, instance_id: str) -> dict[str, TestStatus]:
    """What the harness's log parser reads in a run's output, as statuses."""
    found = parser(output, SimpleNamespace(instance_id=instance_id))
    return {test: _STATUSES[status] for test, status in found.items() if status in _STATUSES}


def spec_buildpack(instance: Instance, checkout: Path, *, registry: bool, archives: Path | None = None,
                   index_date: str = "", repairing: bool = False,
                   suite: Sequence[str] = ()) -> SpecBuildpack | HarnessRunBuildpack | None:
    """The spec-driven buildpack of ``instance`` (``checkout`` holds its history), or None;
    ``repairing``: for a repair session rather than grading (see ``HarnessRunBuildpack``), whose
    ``suite`` (``harness.suite``) a runner that cannot select tests runs when it has no test patch."""
    spec = specs.lookup(instance.repo, instance.version)
    if spec is None:
        return None
    command = spec.get("test_cmd", "")
    parser = None
    if not isinstance(command, str) or not command.split():
        raise EnvUnavailable(f"{instance.repo} {instance.version}: test_cmd {command!r} "
                                   "is not one shell command")
    if command.split()[0] != "pytest":
        parser = specs.log_parser(instance.repo)
        if parser is None:
            raise EnvUnavailable(f"{instance.repo} {instance.version} runs {command!r} and "
                                       "the harness has no log parser for it")
    commit = instance.environment_setup_commit or instance.base_commit
    requirements = None
    if str(spec.get("packages", "")).strip() == "requirements.txt":
        requirements = specs.read_requirements(checkout, commit, specs.requirement_paths(instance.repo))
        requirements = specs.harness("test_spec.python").clean_requirements(requirements)
    elif str(spec.get("packages", "")).strip() == "environment.yml":
        requirements = specs.read_requirements(checkout, commit, specs.environment_paths(instance.repo))
    # the build installs the project as the spec says (pip resolves it); sessions reinstall it
    # at the instance's own commit, offline
    source = specs.install_commit(checkout, commit, instance.base_commit)
    backend = tuple(specs.build_requirements(checkout, source, specs.metadata_edits(spec)))
    recipe = specs.render_recipe(spec, registry=registry, requirements=requirements, source=source,
                                 backend=backend, version=specs.scm_version(checkout, source),
                                 archives=archives, index_date=index_date,
                                 build_backend=specs.build_backend(checkout, source, specs.metadata_edits(spec)))
    if parser is not None:
        directives = specs.test_directives(instance.model_dump())
        if repairing and not directives and suite:
            directives = _directives(instance.repo, suite)
        return HarnessRunBuildpack(spec, recipe, directives, parser, instance.instance_id, repo=instance.repo,
                                   selects=repairing)
    return SpecBuildpack(spec, recipe, specs.log_parser(instance.repo), instance.instance_id)


def installing(buildpack: Buildpack, checkout: Path, commit: str, patch: str) -> Buildpack:
    """``buildpack`` whose env installs the project from ``commit`` with ``patch`` applied, when
    the patch edits the project's metadata (``patchtree``); else ``buildpack``."""
    if not isinstance(buildpack, SpecBuildpack | HarnessRunBuildpack) or not buildpack.recipe.source:
        return buildpack
    spec, recipe = buildpack.spec, buildpack.recipe
    tree = patched_source(checkout, commit, patch, specs.metadata_edits(spec))
    if tree is None:
        return buildpack
    version = specs.scm_version(checkout, recipe.source)
    backend = specs.build_backend(checkout, recipe.source, specs.metadata_edits(spec))
    plain, edited = (specs.install_source(spec, version, build_backend=backend),
                     specs.install_source(spec, version, edited=True, build_backend=backend))
    patched = copy.copy(buildpack)
    patched.recipe = recipe.model_copy(update={"source": tree, "steps": tuple(
        edited if step == plain else step for step in recipe.steps)})
    return patched


def grader(buildpack: Buildpack) -> str:
    """What reads the test statuses of ``buildpack``'s runs, for the record."""
    if isinstance(buildpack, SpecBuildpack | HarnessRunBuildpack):
        return buildpack.grader
    return "the runner's structured report" if buildpack.structured else "the exit status"


def spec_of(buildpack: Buildpack) -> specs.Spec | None:
    """The SWE-bench spec ``buildpack`` was made from, if any."""
    return buildpack.spec if isinstance(buildpack, SpecBuildpack | HarnessRunBuildpack) else None


def instance_buildpack(instance: Instance, repo: Path, settings: Settings, repairing: bool = False,
                       suite: Sequence[str] = ()) -> Buildpack:
    """The spec-driven buildpack when the harness specifies ``instance``, else the detected one;
    a spec that cannot be honoured is an ``env`` failure with its reason. ``repairing``: for a
    repair session (pass the instance without its ``test_patch`` in the issue-only setting)."""
    try:
        spec = spec_buildpack(instance, repo, registry=settings.base_image_source == "registry",
                              archives=settings.python_archives,
                              index_date=str(settings.swebench_index_date or ""), repairing=repairing,
                              suite=suite)
    except EnvUnavailable as exc:
        raise InfraFailure(ErrorKind.ENV, str(exc)) from exc
    if spec is not None:
        return spec
    buildpack = select(repo)
    dated(buildpack, settings)  # the validation cache's key is its env recipe's, as built
    return buildpack
