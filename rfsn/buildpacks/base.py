"""The Buildpack protocol: how rfsn learns to build, test and read one ecosystem.

1. ``detect(repo)``: how well do I fit it? A score in [0, 1] with reasons.
2. ``env_recipe(repo)``: the base image and the shell steps that install the dependencies (once,
   at image build, network allowed); content-addressed, so equal recipes share one env image.
3. ``setup_commands(repo)``: argv lists run in each new session, offline (an editable install).
4. ``test_command(tests, report_dir)``: the argv that runs the whole suite (``tests`` empty) or
   the given test ids, writing any structured report into ``report_dir`` (a fresh directory in
   the session's scratch; a tool keeps its cache for the session in ``session_cache``).
5. ``parse(output, reports)``: pure, runner output and reports -> ``{test id: status}``
   (``structured = False``: none, the exit code alone is the verdict).

Optional capabilities are the ``*Capable`` protocols, one each (``capabilities.py``, re-exported
here). A buildpack sees the sandbox only through ``SandboxView``. Recipes and commands may use
``$RFSN_ENV``, the environment's directory (``/opt/rfsn`` in Docker images, a cache directory locally).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from rfsn.buildpacks.capabilities import (
    INTERRUPT_GRACE,
    INTERRUPTS,
    SECONDS_LEFT,
    BriefCapable,
    CaseLimitCapable,
    ColdStartCapable,
    CollectCapable,
    CoverageByTest,
    CoverageCapable,
    CoveragePlan,
    CrashCapable,
    DatedCapable,
    DurationCapable,
    EnvOptions,
    FailFastCapable,
    FitCapable,
    HealthCapable,
    LinesCapable,
    ProbeCapable,
    ProgressCapable,
    ReasonCapable,
    RebuildCapable,
    RecordCapable,
    ResumeCapable,
    SandboxView,
    TestExec,
    WarmCapable,
    cases_unlimited,
    date_env,
    limit_cases,
)
from rfsn.errors import InputError
from rfsn.inputs import json_value
from rfsn.models import TestStatus

__all__ = [
    "BUILD_NOTES",
    "INTERRUPTS",
    "INTERRUPT_GRACE",
    "SECONDS_LEFT",
    "BaseImage",
    "BriefCapable",
    "Buildpack",
    "CaseLimitCapable",
    "ColdStartCapable",
    "CollectCapable",
    "CoverageByTest",
    "CoverageCapable",
    "CoveragePlan",
    "CrashCapable",
    "DatedCapable",
    "Detection",
    "DurationCapable",
    "EnvOptions",
    "EnvRecipe",
    "FailFastCapable",
    "FitCapable",
    "HealthCapable",
    "LinesCapable",
    "ProbeCapable",
    "ProgressCapable",
    "ReasonCapable",
    "RebuildCapable",
    "RecordCapable",
    "ResumeCapable",
    "SandboxView",
    "TestExec",
    "WarmCapable",
    "cases_unlimited",
    "date_env",
    "first_error",
    "json_lines",
    "limit_cases",
    "session_cache",
]

_E_LINE = re.compile(r"^E +(\S.*)$", re.M)
#: a Python traceback (where it begins in a line, after output with no newline): its frames are
#: indented, the exception it ends with is not
_TRACEBACK_END = re.compile(r"Traceback \(most recent call last\):\n(?:[ \t].*\n)*(\S.*)$", re.M)
#: a line that starts with an exception's name and message (``SyntaxError: Unexpected token )``)
_EXCEPTION = re.compile(r"^(?:Uncaught )?[A-Z]\w*(?:Error|Exception): ")


def first_error(log: str) -> str:
    """The line of a command's output that best says what went wrong: pytest's first ``E``
    line, else the exception the last traceback ends with, else the first line that names an
    error (or starts with an exception's name), else the first line."""
    ends = list(_TRACEBACK_END.finditer(log))
    match = _E_LINE.search(log) or (ends[-1] if ends else None)
    if match:
        return match.group(1).strip()[:300]
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    hits = [line for line in lines if re.search(r"\berror\b", line, re.I) or _EXCEPTION.match(line)]
    return (hits or lines or ["(no output)"])[0][:300]


def json_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The JSON objects among a runner's output lines (its other lines skipped)."""
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            event = json_value(line)
        except InputError:
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
    debian_backports: tuple[str, ...] = Field(
        default=(),
        exclude=True,
        description="packages installed from "
        "the release's backports after debootstrap; in the keys only "
        "where there are some",
    )
    locales: tuple[str, ...] = Field(
        default=(), description="locales compiled into the image ('en_US.UTF-8'; needs the 'locales' package)"
    )

    @property
    def bootstrap_tag(self) -> str:
        """Content-addressed like the env images: another package list is another image."""
        made = ",".join(sorted(self.debian_packages)) + (";" + ",".join(self.locales) if self.locales else "")
        made += f"+{','.join(self.debian_backports)}" if self.debian_backports else ""
        packages = hashlib.sha256(made.encode()).hexdigest()[:8]
        return f"rfsn/base-{self.runtime}:{self.version}-{self.debian_release}-{packages}"


#: where an env build's steps write what the session's report should say of the build (a
#: requirement left out, a release served from after the date), one line each
BUILD_NOTES = "$RFSN_ENV/notes.txt"


def session_cache(report_dir: str, tool: str) -> str:
    """Where ``tool`` keeps a cache for the session (jest's transforms): beside the run's report
    directory, in the session's scratch, which every run sees and the sandbox's close removes."""
    return posixpath.join(posixpath.dirname(report_dir.rstrip("/")), f"cache-{tool}")


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
        default="",
        description="sha256 of a python-build-standalone install_only archive "
        "unpacked at /opt/python before the steps run",
    )
    python_archive_path: Path | None = Field(
        default=None, exclude=True, description="where that archive is on this host (not hashed)"
    )
    source: str = Field(
        default="",
        description="a commit of the session's repository whose tree is unpacked at "
        "$RFSN_ENV/src before the steps run (steps that install the project "
        "as its own tooling does, resolved by the package manager)",
    )
    source_repo: Path | None = Field(
        default=None,
        exclude=True,
        description="the host repository holding ``source`` when the "
        "session's own does not (a batch workspace holds only "
        "its base commit's history); never mounted, not hashed",
    )
    index_date: str = Field(
        default="",
        description="resolve Python packages as PyPI had them before this date "
        "(YYYY-MM-DD, UTC), save the versions the recipe pins exactly "
        "(rfsn.sandbox.asof); empty: as PyPI has them now",
    )
    floors: tuple[tuple[str, str], ...] = Field(
        default=(),
        exclude=True,
        description="(project, YYYY-MM-DD): with ``index_date``, the project "
        "is at least its first release after that day (a build "
        "or test tool raised to one that runs on the Python); "
        "in the key only where there are some",
    )
    undated_steps: int = Field(
        default=0,
        exclude=True,
        description="with ``index_date``, how many of the first steps never read the "
        "dated index: they run before its URL is given, so builds of every date share their layers",
    )
    system_packages: tuple[tuple[str, str], ...] = Field(
        default=(),
        exclude=True,
        description="(Debian package, why): installed before the steps run, "
        "each for a file a build of the recipe without it lacked "
        "(``rfsn.sandbox.syspkgs``); in the key only where there are some",
    )

    notes: tuple[str, ...] = Field(
        default=(),
        exclude=True,
        description="what was chosen and why (the Python, the date, where each requirement comes from), for the report",
    )
    project_env: bool = Field(
        default=True,
        exclude=True,
        description="the sandbox's commands see the variables the project's CI "
        "sets for its tests (``cienv``); False: the recipe is the "
        "whole environment (a SWE-bench spec)",
    )

    def key(self) -> str:
        """Content hash of the recipe (the Docker image tag also hashes its Dockerfile); the
        floors, system packages and backported base packages count only where there are some, so the keys of recipes
        without stay as they were."""
        dump = self.model_dump(mode="json")
        if self.floors:
            dump["floors"] = [list(floor) for floor in self.floors]
        if self.system_packages:
            dump["system_packages"] = [list(package) for package in self.system_packages]
        if self.base.debian_backports:
            dump["base"]["debian_backports"] = list(self.base.debian_backports)
        payload = json.dumps(dump, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@runtime_checkable
class Buildpack(Protocol):
    name: ClassVar[str]
    #: the registry image used as base when a repo does not say otherwise
    default_base: ClassVar[BaseImage]

    @property
    def structured(self) -> bool:
        """Whether ``parse`` reads per-test statuses; False: the exit code alone is the verdict."""

    def detect(self, repo: Path) -> Detection: ...

    def env_recipe(self, repo: Path) -> EnvRecipe: ...

    def setup_commands(self, repo: Path) -> list[list[str]]: ...

    def test_command(self, tests: Sequence[str], report_dir: str) -> list[str]: ...

    def parse(self, output: str, reports: dict[str, str]) -> dict[str, TestStatus]: ...
