"""The Buildpack protocol: how rfsn learns to build, test and read one ecosystem.

1. ``detect(repo)``: how well do I fit it? A score in [0, 1] with reasons.
2. ``env_recipe(repo)``: the base image and the shell steps that install the dependencies (once,
   at image build, network allowed); content-addressed, so equal recipes share one env image.
3. ``setup_commands(repo)``: argv lists run in each new session, offline (an editable install).
4. ``test_command(tests, report_dir)``: the argv that runs the whole suite (``tests`` empty) or
   the given test ids, writing any structured report into ``report_dir``.
5. ``parse(output, reports)``: pure, runner output and reports -> ``{test id: status}``
   (``structured = False``: none, the exit code alone is the verdict).

Optional capabilities are the ``*Capable`` protocols below, one each. A buildpack sees the
sandbox only through ``SandboxView``. Recipes and commands may use ``$RFSN_ENV``, the
environment's directory (``/opt/rfsn`` in Docker images, a cache directory locally).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from rfsn.models import Crash, ExecResult, TestReport, TestStatus

#: environment variable: the seconds a coverage plan's later command has left
SECONDS_LEFT = "RFSN_SECONDS_LEFT"
_E_LINE = re.compile(r"^E +(\S.*)$", re.M)
#: a Python traceback: its frames are indented, the exception it ends with is not
_TRACEBACK_END = re.compile(r"^Traceback \(most recent call last\):\n(?:[ \t].*\n)*(\S.*)$", re.M)


def first_error(log: str) -> str:
    """The line of a command's output that best says what went wrong: pytest's first ``E``
    line, else the exception the last traceback ends with, else the first line that names an
    error, else the first line."""
    ends = list(_TRACEBACK_END.finditer(log))
    match = _E_LINE.search(log) or (ends[-1] if ends else None)
    if match:
        return match.group(1).strip()[:300]
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    hits = [line for line in lines if re.search(r"\berror\b", line, re.I)]
    return (hits or lines or ["(no output)"])[0][:300]


def json_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The JSON objects among a runner's output lines (its other lines skipped)."""
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict):
            yield event


class Detection(BaseModel):
    score: float = Field(ge=0.0, le=1.0)
    reasons: list[str] = Field(default_factory=list)


class BaseImage(BaseModel):
    """A language runtime: the registry image and how to bootstrap one without a registry."""

    model_config = ConfigDict(frozen=True)

    runtime: str = Field(description="short name, e.g. 'python'")
    version: str = Field(description="runtime version, e.g. '3.11'")
    registry_image: str = Field(description="official image, e.g. 'python:3.11-slim'")
    debian_release: str = Field(description="Debian release whose packages provide the runtime")
    debian_packages: tuple[str, ...] = Field(description="packages debootstrap installs")
    locales: tuple[str, ...] = Field(default=(), description="locales compiled into the image "
                                     "('en_US.UTF-8'; needs the 'locales' package)")

    @property
    def bootstrap_tag(self) -> str:
        """Content-addressed like the env images: another package list is another image."""
        made = ",".join(sorted(self.debian_packages)) + (";" + ",".join(self.locales) if self.locales else "")
        packages = hashlib.sha256(made.encode()).hexdigest()[:8]
        return f"rfsn/base-{self.runtime}:{self.version}-{self.debian_release}-{packages}"


#: where an env build's steps write what the session's report should say of the build (a
#: requirement left out, a release served from after the date), one line each
BUILD_NOTES = "$RFSN_ENV/notes.txt"


class EnvRecipe(BaseModel):
    """Everything that produces an env image; its hash is the image tag."""

    model_config = ConfigDict(frozen=True)

    buildpack: str
    base: BaseImage
    steps: tuple[str, ...] = Field(default=(), description="shell steps, run with network")
    env: tuple[tuple[str, str], ...] = Field(default=(), description="environment of the image")
    files: tuple[tuple[str, str], ...] = Field(
        default=(), description="files placed under $RFSN_ENV/files before the steps run"
    )
    python_archive: str = Field(
        default="", description="sha256 of a python-build-standalone install_only archive "
                                "unpacked at /opt/python before the steps run"
    )
    python_archive_path: Path | None = Field(
        default=None, exclude=True, description="where that archive is on this host (not hashed)"
    )
    source: str = Field(
        default="", description="a commit of the session's repository whose tree is unpacked at "
                                "$RFSN_ENV/src before the steps run (steps that install the project "
                                "as its own tooling does, resolved by the package manager)"
    )
    index_date: str = Field(
        default="", description="resolve Python packages as PyPI had them before this date "
                                "(YYYY-MM-DD, UTC), save the versions the recipe pins exactly "
                                "(rfsn.sandbox.asof); empty: as PyPI has them now"
    )
    floors: tuple[tuple[str, str], ...] = Field(
        default=(), exclude=True, description="(project, YYYY-MM-DD): with ``index_date``, the project "
                                              "is at least its first release after that day (a build "
                                              "or test tool raised to one that runs on the Python); "
                                              "in the key only where there are some")

    notes: tuple[str, ...] = Field(
        default=(), exclude=True, description="what was chosen and why (the Python, the date, "
                                              "where each requirement comes from), for the report")

    def key(self) -> str:
        """Content hash of the recipe (the Docker image tag also hashes its Dockerfile); the
        floors count only where there are some, so the keys of recipes without stay as they were."""
        dump = self.model_dump(mode="json")
        if self.floors:
            dump["floors"] = [list(floor) for floor in self.floors]
        payload = json.dumps(dump, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@runtime_checkable
class SandboxView(Protocol):
    """What a buildpack may use of a sandbox: run commands, and the report directory.

    ``workdir`` is the repository as commands see it; ``scratch`` is a host
    directory that commands see at ``scratch_path`` (runners write reports there).
    """

    workdir: str
    scratch: Path
    scratch_path: str

    def exec(self, argv: Sequence[str], *, timeout: float,
             env: Mapping[str, str] | None = None, own_tmp: bool = False) -> ExecResult:
        """Run argv in ``workdir``; on timeout kill it and all its children, timed_out=True.
        ``own_tmp``: with a temporary directory of its own (``TMPDIR``), empty at the start
        and removed after, as a fresh container would have."""
        ...


@runtime_checkable
class Buildpack(Protocol):
    name: ClassVar[str]
    #: the registry image used as base when a repo does not say otherwise
    default_base: ClassVar[BaseImage]
    #: whether ``parse`` reads per-test statuses; False: the exit code alone is the verdict
    structured: ClassVar[bool]

    def detect(self, repo: Path) -> Detection: ...

    def env_recipe(self, repo: Path) -> EnvRecipe: ...

    def setup_commands(self, repo: Path) -> list[list[str]]: ...

    def test_command(self, tests: Sequence[str], report_dir: str) -> list[str]: ...

    def parse(self, output: str, reports: dict[str, str]) -> dict[str, TestStatus]: ...


class CoveragePlan(BaseModel):
    """How to run tests with per-test line coverage: files to write, commands, environment.
    Each command after the first finds the seconds it has left in ``SECONDS_LEFT``."""

    files: dict[str, str] = Field(default_factory=dict, description="written into report_dir first")
    commands: list[list[str]] = Field(description="run in order; the first runs the tests")
    env: dict[str, str] = Field(default_factory=dict)


@runtime_checkable
class CoverageCapable(Protocol):
    """Optional: a buildpack that can measure which lines each test runs (for localization)."""

    def coverage_plan(self, tests: Sequence[str], report_dir: str) -> CoveragePlan: ...

    def parse_coverage(self, reports: dict[str, str], test_ids: Sequence[str],
                       workdir: str) -> dict[str, dict[str, list[int]]]: ...


class TestExec(Protocol):
    """Something that runs a test command: a sandbox, or a warm runner in front of one (which
    passes ``env`` and ``own_tmp`` on to the runs it leaves to the sandbox)."""

    def exec(self, argv: Sequence[str], *, timeout: float,
             env: Mapping[str, str] | None = None, own_tmp: bool = False) -> ExecResult: ...


@runtime_checkable
class FitCapable(Protocol):
    """Optional: a buildpack whose commands follow what the environment's runner has (its
    version, the plugins that load), asked in the first sandbox set up with it."""

    def fit(self, sandbox: SandboxView) -> None: ...


@runtime_checkable
class WarmCapable(Protocol):
    """Optional: a buildpack whose test runs can skip the runner's cold start."""

    def warm_runner(self, sandbox: SandboxView) -> TestExec | None: ...


@runtime_checkable
class HealthCapable(Protocol):
    """Optional: a buildpack that tells a broken environment from failing tests."""

    def diagnose(self, report: TestReport, repo: Path) -> str | None:
        """Why this full-suite run says nothing about the project's tests (None: healthy)."""
        ...


@runtime_checkable
class CrashCapable(Protocol):
    """Optional: a buildpack that tells a run the project's own crash cut short (the project is
    part of the test runner, as pytest is in its own repository)."""

    def crashed(self, report: TestReport, repo: Path) -> bool:
        """Whether this run was cut short by an internal error raised through the repository's
        own code (the project is part of the test runner): the tests it never reported did not
        pass."""
        ...


@runtime_checkable
class ResumeCapable(Protocol):
    """Optional: a buildpack whose runner dies with a test that crashes its process (a Go panic,
    a Node test file's process that exits, a Rust test binary that aborts) and can run the tests
    that crash kept from running without it."""

    def crashes(self, output: str, statuses: Mapping[str, TestStatus]) -> list[Crash]:
        """The tests whose failure ended a process of this run, each with what it printed."""
        ...

    def rest_command(self, crash: Crash, done: Collection[str], tests: Sequence[str],
                     report_dir: str) -> list[str] | None:
        """The argv that runs the tests of ``crash.unit`` not in ``done`` (the crashed test is),
        within the selection ``tests`` (empty: all); None when it cannot or none is left."""
        ...


@runtime_checkable
class CollectCapable(Protocol):
    """Optional: a buildpack whose whole suite can take in test files its runner's patterns
    miss: those of the runner the project declares instead, and files a user named."""

    def collect(self, repo: Path, files: Sequence[str] = ()) -> bool:
        """From now on every run of the whole suite collects, besides what the project's
        configuration collects, the test files of the runner it declares where the buildpack's
        own finds none, and ``files``; False where its suite stays as it is."""
        ...


@runtime_checkable
class ProgressCapable(Protocol):
    """Optional: a buildpack whose runner prints the end of each test file it runs (sympy's
    ``bin/test``), so a run cut short still tells which files it ran to the end."""

    def finished_files(self, output: str) -> list[str]:
        """The test files ``output`` shows run to their end, in the order it ran them."""
        ...


@runtime_checkable
class CaseLimitCapable(Protocol):
    """Optional: a buildpack whose runner can stop one test past a time limit (status timeout)."""

    case_timeout: float | None


def limit_cases(buildpack: object, seconds: float | None) -> None:
    """Give the buildpack's runs a per-test limit, when its runner has one."""
    if isinstance(buildpack, CaseLimitCapable):
        buildpack.case_timeout = seconds


@contextmanager
def cases_unlimited(buildpack: object) -> Iterator[None]:
    """The buildpack's runs have no per-test limit inside."""
    if not isinstance(buildpack, CaseLimitCapable):
        yield
        return
    saved, buildpack.case_timeout = buildpack.case_timeout, None
    try:
        yield
    finally:
        buildpack.case_timeout = saved


class EnvOptions(BaseModel):
    """How a plain repository's environment is dated and which runtime it runs (settings)."""

    model_config = ConfigDict(frozen=True)

    as_of: str = Field(default="commit", description="'commit' (its date), 'today' or YYYY-MM-DD")
    runtime: str | None = Field(default=None, description="the runtime's version X.Y; None: chosen")
    archives: Path | None = Field(default=None, description="directory of Python archives")
    registry: bool = Field(default=False, description="base images come from a registry (any version)")


@runtime_checkable
class DatedCapable(Protocol):
    """Optional: a buildpack whose env recipe follows ``EnvOptions`` (set before ``env_recipe``)."""

    env_options: EnvOptions


def date_env(buildpack: object, options: EnvOptions) -> None:
    """Give the buildpack's env recipe these options, when it takes them."""
    if isinstance(buildpack, DatedCapable):
        buildpack.env_options = options


@runtime_checkable
class FailFastCapable(Protocol):
    """Optional: a buildpack whose runner can stop once a number of tests have failed."""

    def fail_fast_command(self, tests: Sequence[str], report_dir: str,
                          max_failures: int) -> list[str] | None:
        """``test_command`` that stops after ``max_failures`` failed tests (None: it cannot)."""
        ...


@runtime_checkable
class ReasonCapable(Protocol):
    """Optional: a buildpack whose runner's report says why each test failed (jest's failure
    messages, ``go test -json``'s ``t.Errorf`` lines), where no summary line does."""

    def reasons(self, output: str, reports: dict[str, str]) -> dict[str, tuple[str, str]]:
        """Failed test id -> (the first line of its failure, the file it was raised in)."""
        ...


@runtime_checkable
class DurationCapable(Protocol):
    """Optional: a buildpack whose reports say how long each test took."""

    def durations(self, output: str, reports: dict[str, str]) -> dict[str, float]: ...
