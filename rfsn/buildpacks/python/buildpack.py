"""The Python buildpack: pip-installed dependencies, pytest, junit XML."""

from __future__ import annotations

import configparser
import fnmatch
import shlex
import subprocess
from collections.abc import Sequence
from datetime import date
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
)
from rfsn.buildpacks.junit import parse_junit, parse_junit_durations, pytest_node_id
from rfsn.buildpacks.python import pyarchives, pydated, pydeps, pylock, pyoptions, pyversions
from rfsn.buildpacks.python.pipresolve import SCRIPT, SCRIPT_NAME, resolve_step
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
from rfsn.buildpacks.python.pyenv import (
    CREATE_VENV,
    PIP_INSTALL,
    TODAY_PIP_INSTALL,
    VENV_ENV,
    keeping,
    optional,
    raised_install,
)
from rfsn.buildpacks.python.pyhealth import conftest_failure, crashed, diagnose
from rfsn.buildpacks.python.pylock import locked_install
from rfsn.buildpacks.python.pyrunner import PYTEST_DEFAULT, uncollected_patterns
from rfsn.errors import EnvUnavailable
from rfsn.fsutil import read_toml
from rfsn.models import TestReport, TestStatus

#: Python version -> Debian release that ships it as python3
DEBIAN_PYTHON = {"3.9": "bullseye", "3.11": "bookworm", "3.13": "trixie"}
#: tools rfsn itself runs in every Python environment
# pytest-timeout without a floor: an env that pins an old pytest (a SWE-bench spec) gets the
# newest pytest-timeout that pytest accepts (1.x has the same ini options)
TOOLING = ("pytest", "pytest-timeout", "coverage>=7.4", "setuptools>=68", "wheel")
#: in an environment of another date: its own test and build tools; rfsn's coverage contexts
#: need coverage 7.4, from today's index, where it moves nothing the project installed
ERA_TOOLING = ("pytest", "setuptools", "wheel")
#: ...and after the project's, never moving them: a pytest plugin of the date may want a newer
#: pytest than the project pins
ERA_PLUGINS = ("pytest-timeout",)
TODAY_TOOLING = ("coverage>=7.4",)
#: the first Python that coverage 7.4 runs on; an older one gets the newest coverage it has (the
#: rc holds only the options that coverage knows: ``pycoverage``)
COVERAGE_FLOOR_PYTHON = (3, 8)


def coverage_tooling(tools: Sequence[str], python: str) -> tuple[str, ...]:
    """Pure: ``tools`` with rfsn's coverage floor dropped where ``python`` is older than the
    floor's (today's index has no coverage 7.4 for Python 3.7, and none would be installed)."""
    older = tuple(int(part) for part in python.split(".")[:2]) < COVERAGE_FLOOR_PYTHON
    return tuple("coverage" if older and t.startswith("coverage") else t for t in tools)
#: the era's build tools, each at least its first release after the environment's Python came
#: out, where the commit is older than that Python (a tool of before cannot start); only tools
#: that require nothing: the dated index serves the raised release, not what it would require
RAISED_TOOLS = ("pip", "setuptools", "wheel")
#: ...and the test tools of the era, raised as a set before the project's install: what they
#: require is resolved as of their raised releases (``raised_install``); a pin of the project's
#: still wins in its own install (a pytest of 2019 cannot start on 3.11: py's ``__spec__``)
RAISED_TEST_TOOLS = ("pytest", "py")
#: the day pip 9 came out, the first to read requires-python (7.1 the first with constraints
#: files): an environment of before may keep an era pip without them (``keeping`` asks)
OLD_PIP = date(2016, 11, 2)
#: the Debian Python whose image carries an interpreter from an archive (its OS and toolchain)
ARCHIVE_HOST = "3.11"

_MARKERS: dict[str, float] = {
    "pyproject.toml": 0.9, "setup.py": 0.9, "setup.cfg": 0.8, "pytest.ini": 0.8,
    "tox.ini": 0.6, "requirements.txt": 0.6, "requirements-dev.txt": 0.6, "conftest.py": 0.7,
}


def python_image(version: str) -> BaseImage:
    """Debian's Python with a C toolchain and its headers: projects with extensions (and old
    dependencies with no wheel for this Python) build from source, as in the harness's base
    image, which has build-essential; and the locale test suites set (``en_US.UTF-8``)."""
    return BaseImage(
        runtime="python",
        version=version,
        registry_image=f"python:{version}-slim",
        debian_release=DEBIAN_PYTHON.get(version, "bookworm"),
        debian_packages=("python3", "python3-venv", "python3-dev", "gcc", "g++", "make",
                         "libc6-dev", "git", "ca-certificates", "procps", "locales"),
        locales=("en_US.UTF-8",),
    )



def _floors(python: str, day: date | None) -> tuple[tuple[str, str], ...]:
    """Pure: ``RAISED_TOOLS``, each raised to the day ``python`` came out, when that is later
    than ``day`` (the environment's date)."""
    released = pyversions.RELEASED.get(python)
    if day is None or released is None or released <= day:
        return ()
    return tuple((tool, released.isoformat()) for tool in RAISED_TOOLS)


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
    #: what the environment's pytest has (``fit``); None: not asked, today's options
    pytest: pyoptions.PytestFeatures | None = None
    #: pytest's short summary (``-r``): the failures and errors, whose causes are read from it;
    #: its summary of passes (``-rA``) takes time quadratic in the number of tests that pass
    summary: ClassVar[str] = "-rfE"

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
        return self._python(repo, pydated.as_of(repo, self.env_options.as_of)[0])[0]

    def _python(self, repo: Path, day: date | None) -> tuple[str, str]:
        options = self.env_options
        if options.runtime:
            return options.runtime, f"Python {options.runtime} (--python)"
        available = None if options.registry else {*DEBIAN_PYTHON, *pyarchives.versions(options.archives)}
        return pyversions.choose(repo, day, available, DEBIAN_PYTHON, str(options.archives or "unset"))

    def env_recipe(self, repo: Path) -> EnvRecipe:
        """Dependencies as the project defines them: its lock file, else what its metadata and
        requirements files declare; metadata that compute them (``pydeps.dynamic``) are
        resolved by pip in the build, at the checkout's commit (``pipresolve``). Packages, build
        tools and the Python are those of the date ``env_options`` names (``pydated``; the
        commit's by default), exact pins save; rfsn's coverage is today's, moving nothing."""
        day, dated = pydated.as_of(repo, self.env_options.as_of)
        index_date = pydated.index_date(day)
        python, chosen = self._python(repo, day)
        base, create_venv, env, archive = _interpreter(python, self.env_options)
        tooling = ERA_TOOLING if index_date else coverage_tooling(TOOLING, python)
        locked, lock = locked_install(repo, tooling), pylock.lock_format(repo)
        source, notes = "", [chosen, f"packages {dated}" + (f": PyPI before {index_date}" if index_date else "")]
        era = [f"{PIP_INSTALL} --upgrade --force-reinstall pip setuptools wheel"] if index_date else []
        floors = _floors(python, day) if index_date else ()
        if floors:
            notes.append(f"{', '.join(RAISED_TOOLS)}: at least their first release after Python "
                         f"{python} ({floors[0][1]}), which is later than the commit")
            era.append(raised_install(RAISED_TEST_TOOLS, floors[0][1]))
        if locked is not None and lock is not None:
            install, files = locked
            notes.append(f"requirements: as {lock.lock} pins them")
        else:
            declared = pydeps.declared(repo, python)
            requirements = pydeps.normalized(repo, declared, python)
            names = {pydeps.requirement_name(r) for r in requirements}
            tools = [t for t in tooling if pydeps.requirement_name(t) not in names]
            runtime = {pydeps.requirement_name(r) for r, where in declared if pydeps.installs(where)}
            # --upgrade: the venv's bundled setuptools satisfies ">=61" but not what the project
            # really builds with; an isolated build would take the newest, and so do we. A test
            # requirement that cannot be installed at all is left out, said; an install one fails
            install = [optional([*(r for r in requirements if pydeps.requirement_name(r) in runtime), *tools],
                                [r for r in requirements if pydeps.requirement_name(r) not in runtime],
                                f"{PIP_INSTALL} --upgrade")]
            files = []
            notes.append(pydeps.provenance(declared))
            source = _commit(repo) if pydeps.dynamic(repo) else ""
            if source:
                install.append(resolve_step(pydeps.TEST_EXTRAS, dated=bool(index_date), keep_installed=bool(floors)))
                files.append((SCRIPT_NAME, SCRIPT))
                notes.append("requirements its metadata compute: resolved by pip in the build")
        if index_date:
            ask = day is not None and day < OLD_PIP
            install += [keeping(ERA_PLUGINS, PIP_INSTALL, "the project's", ask=ask),
                        keeping(coverage_tooling(TODAY_TOOLING, python), TODAY_PIP_INSTALL, "the project's",
                                constrained=True, ask=ask)]
        return EnvRecipe(
            buildpack=self.name,
            base=base,
            steps=(create_venv, *era, *install),
            files=tuple(files),
            env=env,
            source=source,
            python_archive=pyarchives.digest(archive) if archive else "",
            python_archive_path=archive,
            index_date=index_date,
            floors=floors,
            notes=tuple(notes),
        )

    def setup_commands(self, repo: Path) -> list[list[str]]:
        pyproject = read_toml(repo / "pyproject.toml")
        installable = "project" in pyproject or (repo / "setup.py").is_file() or _has_setup_cfg_metadata(repo)
        if not installable:
            return []
        # options as environment variables: an era's pip ignores those it lacks (pip 9 has no
        # --no-build-isolation), and they reach the nested pip that `setup.py develop` starts
        return [["env", "PIP_NO_BUILD_ISOLATION=0", "PIP_NO_INPUT=1", "python", "-m", "pip", "install",
                 "--no-deps", "-q", "-e", "."]]

    def test_command(self, tests: Sequence[str], report_dir: str) -> list[str]:
        # the per-test limit goes in as ini values: pytest-timeout (in TOOLING) applies them; an
        # environment without it only warns about unknown keys. A pytest without -o: the
        # plugin's own option, where it runs
        fit = self.pytest or pyoptions.PytestFeatures()
        limit = ([] if self.case_timeout is None else
                 ["-o", f"timeout={self.case_timeout:g}", "-o", "timeout_method=signal"] if fit.has("-o") else
                 [f"--timeout={self.case_timeout:g}"] if fit.timeout and "timeout" not in fit.blocked else [])
        files = [*(["-o", "python_files=" + shlex.join(self.python_files)] if self.python_files else []),
                 *(["-o", "testpaths=" + shlex.join(self.testpaths)] if self.testpaths else [])]
        options = fit.adapted(["-p", "no:cacheprovider", self.summary, "--continue-on-collection-errors",
                               *limit, *files, "-o", "junit_family=xunit1"], whole=not tests)
        return ["python", "-m", "pytest", *options, f"--junitxml={report_dir}/junit.xml", *tests]

    def fit(self, sandbox: SandboxView) -> None:
        """Ask the environment's pytest what it has, once (``pyoptions``): the test command
        speaks to it from then on."""
        if self.pytest is None:
            self.pytest = pyoptions.probe(sandbox)

    def collect(self, repo: Path, files: Sequence[str] = ()) -> bool:
        """Widen ``python_files``: the project's own (pytest's default where it sets none) with
        its declared runner's where pytest's match no file (`pyrunner`), and ``files``: a file
        named on pytest's command line beside a folder that holds it is collected only by the
        folder's patterns. A file outside the project's ``testpaths`` joins them."""
        own = pytest_option(repo, "python_files")
        patterns = [*(self.python_files or own or PYTEST_DEFAULT)]
        runner = [] if own or self.python_files else list(uncollected_patterns(repo, patterns))
        if runner or files:
            self.python_files = tuple(dict.fromkeys([*patterns, *runner, *files]))
        paths = [*(self.testpaths or pytest_option(repo, "testpaths"))]
        outside = [f for f in files if paths and not any(
            fnmatch.fnmatch(f, f"{p.rstrip('/')}/*") or f == p for p in paths)]
        if outside:
            self.testpaths = tuple(dict.fromkeys([*paths, *outside]))
        return True

    def fail_fast_command(self, tests: Sequence[str], report_dir: str,
                          max_failures: int) -> list[str]:
        argv = self.test_command(tests, report_dir)
        return [*argv[:3], f"--maxfail={max_failures}", *argv[3:]]

    def parse(self, output: str, reports: dict[str, str]) -> dict[str, TestStatus]:
        xml_text = reports.get("junit.xml")
        if xml_text:
            return parse_junit(xml_text, pytest_node_id)
        # a conftest that failed to load ends the run before any report: the folder it governs erred
        failure = conftest_failure(output)
        return {failure[0]: TestStatus.ERROR} if failure else {}

    def durations(self, output: str, reports: dict[str, str]) -> dict[str, float]:
        xml_text = reports.get("junit.xml")
        return parse_junit_durations(xml_text, pytest_node_id) if xml_text else {}

    def diagnose(self, report: TestReport, repo: Path) -> str | None:
        collected = len(report.tests) - len(report.unreached)
        return diagnose(report.log, report.exit_code, collected, repo, passed=len(report.passing))

    def crashed(self, report: TestReport, repo: Path) -> bool:
        return crashed(report.log, report.exit_code, repo)

    def warm_runner(self, sandbox: SandboxView) -> TestExec | None:
        """A pytest fork server in the sandbox (None if it cannot start)."""
        from rfsn.buildpacks.python.warm.client import PREFIX, WarmPytest

        options = self.test_command([], f"{sandbox.scratch_path}/warm")[len(PREFIX):]
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
            commands=[coverage_command(pytest_argv, rc),
                      coverage_json_command(data, rc, f"{report_dir}/coverage.json",
                                            f"{report_dir}/coverage_contexts.py")],
            env=coverage_env(),
        )

    def parse_coverage(self, reports: dict[str, str], test_ids: Sequence[str],
                       workdir: str) -> dict[str, dict[str, list[int]]]:
        return read_coverage(reports, test_ids, workdir)


def _interpreter(python: str, options: EnvOptions) -> tuple[
        BaseImage, str, tuple[tuple[str, str], ...], Path | None]:
    """(base image, venv step, environment, archive or None) of Python ``python``."""
    if options.registry or python in DEBIAN_PYTHON:
        return python_image(python), CREATE_VENV, VENV_ENV, None
    archive = pyarchives.find(options.archives, python)
    if archive is None:
        raise EnvUnavailable(pyversions.no_python([python], DEBIAN_PYTHON, str(options.archives or "unset")))
    create_venv, env = pyarchives.venv(python)
    return python_image(ARCHIVE_HOST), create_venv, env, archive


def _commit(repo: Path) -> str:
    """The commit checked out in ``repo`` ("" outside git: then only what is declared is read)."""
    done = subprocess.run(["git", "-C", str(repo), "rev-parse", "--verify", "-q", "HEAD"],
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


#: pytest's configuration files in the order it looks for them, with their section (None: TOML)
_PYTEST_CONFIGS = (("pytest.ini", "pytest"), (".pytest.ini", "pytest"), ("pyproject.toml", None),
                   ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest"))


def pytest_option(repo: Path, option: str) -> list[str]:
    """An option of the pytest configuration file pytest would read in ``repo``, as a list of
    words (``testpaths``, ``python_files``; []: not set)."""
    for name, section in _PYTEST_CONFIGS:
        path = repo / name
        if not path.is_file():
            continue
        if section is None:
            options = read_toml(path).get("tool", {}).get("pytest", {}).get("ini_options")
            if options is None:
                continue
            value = options.get(option, [])
            return value.split() if isinstance(value, str) else [str(v) for v in value]
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue
        if parser.has_section(section):
            return parser.get(section, option, fallback="").split()
        if name.endswith("pytest.ini"):  # pytest.ini is pytest's even without its section
            return []
    return []


def _has_setup_cfg_metadata(repo: Path) -> bool:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(repo / "setup.cfg", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return False
    return parser.has_option("metadata", "name")
