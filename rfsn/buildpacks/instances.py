"""The environment an instance's spec prescribes, as the harness asks for it.

A benchmark may prescribe an instance's environment by its ``repo`` and ``version`` in tables
of its own (SWE-bench's specs, read by the Python pack's ``swebench``). An ecosystem that reads
such tables names its ``Provider`` (its ``instances`` part), imported on first use; the harness
asks the providers, never a pack: the buildpack a spec prescribes (``Prescribed``), whether the
instances of a file can have theirs (``require_specs``), and why a test module of a run cannot
import a dependency (``missing_dependency``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast, runtime_checkable

from rfsn.buildpacks.base import Buildpack, EnvRecipe
from rfsn.buildpacks.ecosystems import ecosystems, target
from rfsn.models import TestReport
from rfsn.models.swebench import Instance


@dataclass(frozen=True)
class Request:
    """How a prescribed environment is asked for: base images from the registry (``registry``),
    Pythons no base image ships from ``archives``, packages as the index had them on
    ``index_date``; ``repairing``: for a repair session rather than grading, whose ``suite`` a
    runner that cannot select tests runs when the instance has no test patch."""

    registry: bool = False
    archives: Path | None = None
    index_date: str = ""
    repairing: bool = False
    suite: tuple[str, ...] = ()


@runtime_checkable
class Prescribed(Buildpack, Protocol):
    """A buildpack an instance's spec prescribes: its env recipe rendered from the spec."""

    recipe: EnvRecipe
    #: what reads the test statuses of its runs, for the record
    grader: str

    @property
    def spec(self) -> Mapping[str, object]:
        """The spec it was made from."""

    def installing(self, checkout: Path, commit: str, patch: str) -> Buildpack:
        """This buildpack, its env installing the project from ``commit`` with ``patch`` applied
        when the patch edits the project's metadata (the spec's install reads them); else itself."""

    def harness_named(self, report: TestReport) -> TestReport:
        """``report``, its tests named as the spec's grader names them in the same run."""


class Provider(Protocol):
    """An ecosystem's reading of the specs a benchmark prescribes environments by."""

    def prescribed(self, instance: Instance, checkout: Path, request: Request) -> Prescribed | None:
        """The buildpack ``instance``'s spec prescribes (``checkout`` holds its history), or None
        without a spec; ``EnvUnavailable`` for a spec it cannot honour."""

    def require(self, instances: Sequence[Instance], source: Path) -> None:
        """A ``ConfigError`` when ``instances`` (of the file ``source``) need specs it cannot read."""

    def missing_dependency(self, log: str, repo: Path) -> str:
        """What a run's first test module that cannot import a dependency says, or ""."""


def providers() -> list[Provider]:
    """The providers of the ecosystems that have one, in the ecosystems' order."""
    return [cast(Provider, target(e.instances)) for e in ecosystems() if e.instances]


def prescribed(instance: Instance, checkout: Path, request: Request) -> Prescribed | None:
    """The buildpack the first provider with a spec for ``instance`` prescribes, or None."""
    for provider in providers():
        found = provider.prescribed(instance, checkout, request)
        if found is not None:
            return found
    return None


def require_specs(instances: Sequence[Instance], source: Path) -> None:
    """An input error, said before anything runs, when ``instances`` need specs a provider lacks."""
    for provider in providers():
        provider.require(instances, source)


def missing_dependency(log: str, repo: Path) -> str:
    """The first provider's reading of a test module in ``log`` that cannot import a dependency
    that is not ``repo``'s own, or ""."""
    return next((said for p in providers() if (said := p.missing_dependency(log, repo))), "")
