"""The Python buildpack: pip-installed dependencies, pytest, junit XML."""

from __future__ import annotations

import fnmatch
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rfsn.buildpacks.base import (
    BaseImage,
    CoveragePlan,
    Detection,
    EnvOptions,
    EnvRecipe,
    SandboxView,
    TestExec,
    cases_unlimited,
)
from rfsn.buildpacks.junit import parse_junit, parse_junit_durations, parse_junit_reasons, pytest_node_id
from rfsn.buildpacks.parts import Environment, Measuring, Parts, Reading, Running, Warming
from rfsn.buildpacks.python import pydated, pyoptions, pyrecipe, pysetup, uvworkspace
from rfsn.buildpacks.python.ciinstalls import ci_testpaths, tox_testpaths
from rfsn.buildpacks.python.cimarks import ci_marks
from rfsn.buildpacks.python.pycoverage import (
    CONTEXTS_SCRIPT,
    CONTEXTS_SINCE,
    coverage_command,
    coverage_env,
    coverage_json_command,
    coverage_rc,
    per_test_plan,
    read_coverage,
)
from rfsn.buildpacks.python.pyhealth import conftest_failure, crashed, diagnose
from rfsn.buildpacks.python.pyprobe import probe_plan, read_probe
from rfsn.buildpacks.python.pyrecipe import python_image
from rfsn.buildpacks.python.pyrecord import RECORD_FILE, read_record, recorded
from rfsn.buildpacks.python.pyrunner import PYTEST_DEFAULT, lifted_addopts, pytest_option, uncollected_patterns
from rfsn.fsutil import read_toml
from rfsn.models import Probe, Probed, TestReport, TestStatus

_MARKERS: dict[str, float] = {
    "pyproject.toml": 0.9,
    "setup.py": 0.9,
    "setup.cfg": 0.8,
    "pytest.ini": 0.8,
    "tox.ini": 0.6,
    "requirements.txt": 0.6,
    "requirements-dev.txt": 0.6,
    "conftest.py": 0.7,
}


class PythonBuildpack:
    name: ClassVar[str] = "python"
    structured: ClassVar[bool] = True
    default_base: ClassVar[BaseImage] = python_image("3.11")
    #: how the environment is dated and which Python it runs (DatedCapable)
    env_options: EnvOptions = EnvOptions()
    #: seconds one test may run before pytest-timeout stops it (status ``timeout``, the others go
    #: on); None, the default, is no limit: evaluation keeps the harness's semantics, a repair
    #: session sets it (CaseLimitCapable)
    case_timeout: float | None = None
    #: the file patterns a run collects where the project's own miss its tests (``collect``);
    #: empty: the project's
    python_files: tuple[str, ...] = ()
    #: ...and the paths it collects from, where a named file lies outside the project's own
    testpaths: tuple[str, ...] = ()
    #: the marker expression of the tests CI runs (``cimarks``), given on whole-suite runs; None: all
    marks: str | None = None
    #: the project's pytest ``addopts`` with a block of rfsn's report lifted (``fit``,
    #: ``pyrunner.lifted_addopts``); None: its own stand
    addopts: tuple[str, ...] | None = None
    #: what the environment's pytest has (``fit``); None: not asked, today's options
    pytest: pyoptions.PytestFeatures | None = None
    #: pytest's short summary (``-r``): the failures and errors, whose causes are read from it;
    #: its summary of passes (``-rA``) takes time quadratic in the number of tests that pass
    summary: ClassVar[str] = "-rfE"
    #: pytest's rootdir (``--rootdir``): where rfsn runs it, so that a test's node id names its
    #: file from there and can be passed back; None: pytest's own (an ini file beside the tests
    #: named makes their folder the rootdir, and the ids drop it)
    rootdir: ClassVar[str | None] = "."

    def parts(self) -> Parts:
        """All but resumption past a crash (pytest survives one), rebuilds and other runtime lines."""
        return Parts(
            measuring=Measuring(coverage=self, probe=self),
            warming=Warming(runner=self, brief=self),
            reading=Reading(health=self, crash=self, reasons=self, durations=self),
            running=Running(fail_fast=self, case_limit=self, record=self),
            environment=Environment(fit=self, dated=self, collect=self),
        )

    def detect(self, repo: Path) -> Detection:
        reasons = [f"{marker} present" for marker in _MARKERS if (repo / marker).is_file()]
        score = max((_MARKERS[m] for m in _MARKERS if (repo / m).is_file()), default=0.0)
        if (repo / "pyproject.toml").is_file() and "project" not in read_toml(repo / "pyproject.toml"):
            score = min(score, 0.5)  # a pyproject that only configures tools
        tests = [p for p in ("tests", "test") if (repo / p).is_dir() and any((repo / p).rglob("*.py"))]
        if tests:
            score = max(score, 0.5)
            reasons.append(f"Python tests under {tests[0]}/")
        if score == 0.0 and any(repo.glob("*.py")):
            score, reasons = 0.3, ["Python files at the top level"]
        return Detection(score=score, reasons=reasons)

    def python_version(self, repo: Path) -> str:
        """The Python of ``repo``'s environment (X.Y), as ``env_recipe`` chooses it."""
        return pyrecipe.choose(repo, pydated.as_of(repo, self.env_options.as_of)[0], self.env_options)[0]

    def env_recipe(self, repo: Path) -> EnvRecipe:
        """The project's environment as of ``env_options`` (``pyrecipe.recipe``)."""
        return pyrecipe.recipe(repo, self.name, self.env_options)

    def setup_commands(self, repo: Path) -> list[list[str]]:
        pyproject = read_toml(repo / "pyproject.toml")
        installable = "project" in pyproject or (repo / "setup.py").is_file() or pysetup.has_setup_cfg_metadata(repo)
        if not installable:
            return []
        # options as environment variables: an era's pip ignores those it lacks (pip 9 has no
        # --no-build-isolation), and they reach the nested pip that `setup.py develop` starts
        return [
            [
                "env",
                "PIP_NO_BUILD_ISOLATION=0",
                "PIP_NO_INPUT=1",
                "python",
                "-m",
                "pip",
                "install",
                "--no-deps",
                "-q",
                "-e",
                ".",
                *(arg for member in uvworkspace.members(repo) for arg in ("-e", member)),
            ]
        ]

    def test_command(self, tests: Sequence[str], report_dir: str) -> list[str]:
        """pytest on ``tests``; on the whole suite, of the tests CI's runs select (``marks``)."""
        argv = self._pytest(tests, report_dir)
        return [*argv[:-1], "-m", self.marks, argv[-1]] if self.marks and not tests else argv

    def _pytest(self, tests: Sequence[str], report_dir: str) -> list[str]:
        # the per-test limit goes in as ini values: pytest-timeout (in TOOLING) applies them; an
        # environment without it only warns about unknown keys. A pytest without -o: the
        # plugin's own option, where it runs
        fit = self.pytest or pyoptions.PytestFeatures()
        limit = (
            []
            if self.case_timeout is None
            else ["-o", f"timeout={self.case_timeout:g}", "-o", "timeout_method=signal"]
            if fit.has("-o")
            else [f"--timeout={self.case_timeout:g}"]
            if fit.timeout and "timeout" not in fit.blocked
            else []
        )
        files = [
            *(["-o", "python_files=" + shlex.join(self.python_files)] if self.python_files else []),
            *(["-o", "testpaths=" + shlex.join(self.testpaths)] if self.testpaths else []),
            *(["-o", "addopts=" + shlex.join(self.addopts)] if self.addopts is not None else []),
        ]
        options = fit.adapted(
            [
                *fit.cache(report_dir),
                *([f"--rootdir={self.rootdir}"] if self.rootdir else []),
                self.summary,
                "--continue-on-collection-errors",
                *limit,
                *files,
                "-o",
                "junit_family=xunit1",
            ],
            whole=not tests,
        )
        return ["python", "-m", "pytest", *options, f"--junitxml={report_dir}/junit.xml", *tests]

    def fit(self, sandbox: SandboxView) -> None:
        """Ask the environment's pytest what it has, once (``pyoptions``), and read whether the
        project's addopts block rfsn's report (``lifted_addopts``): the test command speaks to
        both from then on."""
        if self.pytest is None:
            self.pytest = pyoptions.probe(sandbox)
            self.addopts = lifted_addopts(sandbox.workspace)
            if not self.testpaths and not pytest_option(sandbox.workspace, "testpaths"):
                python = ".".join(map(str, self.pytest.python[:2])) if self.pytest.python else None
                ci = ci_testpaths(sandbox.workspace)
                self.testpaths = tuple(ci or tox_testpaths(sandbox.workspace, python))
            self.marks = ci_marks(sandbox.workspace)

    def collect(self, repo: Path, files: Sequence[str] = ()) -> bool:
        """Widen ``python_files``: the project's own (pytest's default where it sets none) with
        its declared runner's where pytest's match no file (`pyrunner`), and ``files``: a file
        named on pytest's command line beside a folder that holds it is collected only by the
        folder's patterns. A file outside the project's ``testpaths`` (where it sets none: those
        CI's pytest runs name, ``ci_testpaths``) joins them."""
        own = pytest_option(repo, "python_files")
        patterns = [*(self.python_files or own or PYTEST_DEFAULT)]
        runner = [] if own or self.python_files else list(uncollected_patterns(repo, patterns))
        if runner or files:
            self.python_files = tuple(dict.fromkeys([*patterns, *runner, *files]))
        declared = pytest_option(repo, "testpaths")
        paths = [*(self.testpaths or declared or ci_testpaths(repo))]
        outside = [
            f for f in files if paths and not any(fnmatch.fnmatch(f, f"{p.rstrip('/')}/*") or f == p for p in paths)
        ]
        if outside or (paths and not declared and not self.testpaths):
            self.testpaths = tuple(dict.fromkeys([*paths, *outside]))
        return True

    def fail_fast_command(self, tests: Sequence[str], report_dir: str, max_failures: int) -> list[str]:
        """Stopping at failures, with Python's own tracebacks (``brief_command``)."""
        argv = self.brief_command(tests, report_dir)
        return [*argv[:3], f"--maxfail={max_failures}", *argv[3:]]

    def brief_command(self, tests: Sequence[str], report_dir: str) -> list[str]:
        """With Python's own tracebacks: pytest's take about four times as long to write (a
        candidate's screening pays one per failure)."""
        argv = self.test_command(tests, report_dir)
        return [*argv[:3], "--tb=native", *argv[3:]]

    def recorded(self, argv: list[str], report_dir: str, host_dir: Path) -> list[str]:
        return recorded(argv, report_dir, host_dir)

    def parse(self, output: str, reports: dict[str, str]) -> dict[str, TestStatus]:
        xml_text = reports.get("junit.xml")
        if xml_text:
            return parse_junit(xml_text, pytest_node_id)
        if reports.get(RECORD_FILE):  # killed before its report: the tests it finished
            return read_record(reports[RECORD_FILE])
        # a conftest that failed to load ends the run before any report: the folder it governs erred
        failure = conftest_failure(output)
        return {failure[0]: TestStatus.ERROR} if failure else {}

    def durations(self, output: str, reports: dict[str, str]) -> dict[str, float]:
        xml_text = reports.get("junit.xml")
        return parse_junit_durations(xml_text, pytest_node_id) if xml_text else {}

    def reasons(self, output: str, reports: dict[str, str]) -> dict[str, tuple[str, str]]:
        """Why each test failed, from the junit report: where the output's middle was cut, or
        pytest cut a summary line to the terminal's width (``planners.reproduce.targets.causes``)."""
        xml_text = reports.get("junit.xml")
        return parse_junit_reasons(xml_text, pytest_node_id) if xml_text else {}

    def diagnose(self, report: TestReport, repo: Path) -> str | None:
        collected = len(report.tests) - len(report.unreached)
        return diagnose(report.log, report.exit_code, collected, repo, passed=len(report.passing))

    def crashed(self, report: TestReport, repo: Path) -> bool:
        return crashed(report.log, report.exit_code, repo)

    def warm_runner(self, sandbox: SandboxView) -> TestExec | None:
        """A pytest fork server in the sandbox (None if it cannot start)."""
        from rfsn.buildpacks.python.warm.client import PREFIX, WarmPytest

        # the tests a warm run is given are named: CI's marker selection is no part of it. The
        # preload has the options of the runs it serves most, a candidate's targets (no per-test
        # limit): a run with other options gets a pytest session of its own
        with cases_unlimited(self):
            options = self._pytest([], f"{sandbox.scratch_path}/warm")[len(PREFIX) :]
        warm = WarmPytest(sandbox, options=options)
        return warm if warm.start() else None

    def coverage_plan(self, tests: Sequence[str], report_dir: str) -> CoveragePlan:
        """coverage's per-test contexts with the rc options the environment's coverage knows;
        with a coverage that has no contexts, each test measured on its own (`per_test_plan`)."""
        rc, data = f"{report_dir}/coveragerc", f"{report_dir}/coverage.data"
        pytest_argv = [*self.test_command(tests, report_dir)[3:], *(self.pytest.unmeasured() if self.pytest else [])]
        version = self.pytest.coverage if self.pytest else None
        if version is not None and version < CONTEXTS_SINCE:
            return per_test_plan(pytest_argv, report_dir, version)
        return CoveragePlan(
            files={"coveragerc": coverage_rc(data, version), "coverage_contexts.py": CONTEXTS_SCRIPT},
            commands=[
                coverage_command(pytest_argv, rc),
                coverage_json_command(data, rc, f"{report_dir}/coverage.json", f"{report_dir}/coverage_contexts.py"),
            ],
            env=coverage_env(),
        )

    def parse_coverage(
        self, reports: dict[str, str], test_ids: Sequence[str], workdir: str
    ) -> dict[str, dict[str, list[int]]]:
        return read_coverage(reports, test_ids, workdir)

    def probe_plan(self, tests: Sequence[str], report_dir: str, probe: Probe) -> CoveragePlan:
        """The tests run with a probe of one function (``pyprobe``)."""
        return probe_plan(self.test_command(tests, report_dir)[3:], report_dir, probe)

    def parse_probe(self, reports: dict[str, str]) -> Probed:
        return read_probe(reports)
