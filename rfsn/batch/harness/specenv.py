"""The buildpack of an instance: the one its spec prescribes, where a provider of specs has one
for its repo and version (``rfsn.buildpacks.instances``: SWE-bench's, read by the Python pack),
its runs as the harness runs them; else the selected one. A spec rfsn cannot honour is an
``env`` failure with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from rfsn.batch.outcome import ErrorKind
from rfsn.buildpacks import select
from rfsn.buildpacks.base import Buildpack, limit_cases
from rfsn.buildpacks.instances import Prescribed, Request, prescribed
from rfsn.buildpacks.parts import parts
from rfsn.errors import EnvUnavailable, InfraFailure
from rfsn.models.swebench import Instance
from rfsn.sandbox import dated
from rfsn.settings import Settings


def installing(buildpack: Buildpack, checkout: Path, commit: str, patch: str) -> Buildpack:
    """``buildpack`` whose env installs the project from ``commit`` with ``patch`` applied, when
    the patch edits the project's metadata (``Prescribed.installing``); else ``buildpack``."""
    return buildpack.installing(checkout, commit, patch) if isinstance(buildpack, Prescribed) else buildpack


def grader(buildpack: Buildpack) -> str:
    """What reads the test statuses of ``buildpack``'s runs, for the record."""
    if isinstance(buildpack, Prescribed):
        return buildpack.grader
    return "the runner's structured report" if buildpack.structured else "the exit status"


def spec_of(buildpack: Buildpack) -> Mapping[str, object] | None:
    """The spec ``buildpack`` was made from, if any."""
    return buildpack.spec if isinstance(buildpack, Prescribed) else None


def instance_buildpack(
    instance: Instance,
    repo: Path,
    settings: Settings,
    repairing: bool = False,
    suite: Sequence[str] = (),
    history: Path | None = None,
) -> Buildpack:
    """The spec-driven buildpack when the harness specifies ``instance`` (its runs as the harness
    runs them), else the detected one on the runtime line the instance keeps (its ``runtime``, where
    its refine saw the fix; ``LinesCapable``), its runs under the per-test limit (``test_case_timeout``);
    a spec that cannot be honoured is an ``env`` failure with its reason. ``repairing``: for a
    repair session (pass the instance without its ``test_patch`` in the issue-only setting).
    ``history``: a host repository holding the env commit, when ``repo`` (the session's
    workspace, its base commit's history alone) does not (``repos.env_history``)."""
    try:
        spec = prescribed(
            instance,
            history or repo,
            Request(
                registry=settings.base_image_source == "registry",
                archives=settings.python_archives,
                index_date=str(settings.swebench_index_date or ""),
                repairing=repairing,
                suite=tuple(suite),
            ),
        )
    except EnvUnavailable as exc:
        raise InfraFailure(ErrorKind.ENV, str(exc)) from exc
    if spec is not None and history is not None:
        spec.recipe = spec.recipe.model_copy(update={"source_repo": history})
    if spec is not None:
        return spec
    buildpack = select(repo)
    dated(buildpack, settings)  # the validation cache's key is its env recipe's, as built
    if (lines := parts(buildpack).environment.lines) is not None:  # the line its refine found the fix seen on
        lines.line = str((instance.model_extra or {}).get("runtime") or "") or None
    # no harness script to reproduce: a test that hangs is that test failing (timeout), the rest judged
    limit_cases(buildpack, settings.test_case_timeout)
    return buildpack
