"""The buildpack of an instance whose repo and version the SWE-bench harness specifies.

A spec whose ``test_cmd`` is pytest gets a ``SpecBuildpack`` (``specpytest``); any other runner
runs as the harness runs it (``HarnessRunBuildpack``, ``harnessrun``). Instances without a spec
(or without the ``swebench`` package) keep the generic buildpack; a spec rfsn cannot honour
raises ``EnvUnavailable`` with the reason.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rfsn.batch.outcome import ErrorKind
from rfsn.buildpacks import select
from rfsn.buildpacks.base import Buildpack, LinesCapable, limit_cases
from rfsn.buildpacks.python.swebench import metadata, specs, upstream
from rfsn.buildpacks.python.swebench.harnessrun import HarnessRunBuildpack, as_directives
from rfsn.buildpacks.python.swebench.patchtree import patched_source
from rfsn.buildpacks.python.swebench.specpytest import SpecBuildpack
from rfsn.errors import EnvUnavailable, InfraFailure
from rfsn.models.swebench import Instance
from rfsn.sandbox import dated
from rfsn.settings import Settings


def spec_buildpack(
    instance: Instance,
    checkout: Path,
    *,
    registry: bool,
    archives: Path | None = None,
    index_date: str = "",
    repairing: bool = False,
    suite: Sequence[str] = (),
) -> SpecBuildpack | HarnessRunBuildpack | None:
    """The spec-driven buildpack of ``instance`` (``checkout`` holds its history), or None;
    ``repairing``: for a repair session rather than grading (see ``HarnessRunBuildpack``), whose
    ``suite`` (``harness.suite``) a runner that cannot select tests runs when it has no test patch."""
    spec = upstream.lookup(instance.repo, instance.version)
    if spec is None:
        return None
    parser = _harness_parser(instance, spec)
    commit = instance.environment_setup_commit or instance.base_commit
    recipe = specs.render_recipe(
        spec,
        registry=registry,
        requirements=_requirements(instance, spec, checkout, commit),
        project=_project(spec, checkout, commit, instance.base_commit),
        archives=archives,
        index_date=index_date,
    )
    if parser is not None:
        directives = upstream.test_directives(instance.model_dump())
        if repairing and not directives and suite:
            directives = as_directives(instance.repo, suite)
        return HarnessRunBuildpack(
            spec, recipe, directives, parser, instance.instance_id, repo=instance.repo, selects=repairing
        )
    return SpecBuildpack(spec, recipe, upstream.log_parser(instance.repo), instance.instance_id)


def _harness_parser(instance: Instance, spec: upstream.Spec) -> Any:
    """The harness's log parser when the spec's ``test_cmd`` is no pytest (None when it is); a
    ``test_cmd`` that is no one command, or a runner the harness has no parser for, is EnvUnavailable."""
    command = spec.get("test_cmd", "")
    if not isinstance(command, str) or not command.split():
        raise EnvUnavailable(f"{instance.repo} {instance.version}: test_cmd {command!r} is not one shell command")
    if command.split()[0] == "pytest":
        return None
    parser = upstream.log_parser(instance.repo)
    if parser is None:
        raise EnvUnavailable(
            f"{instance.repo} {instance.version} runs {command!r} and the harness has no log parser for it"
        )
    return parser


def _requirements(instance: Instance, spec: upstream.Spec, checkout: Path, commit: str) -> str | None:
    """The text of the spec's ``packages`` file (``requirements.txt``, ``environment.yml``) at
    ``commit``, as the harness reads it; None when the spec names none."""
    packages = str(spec.get("packages", "")).strip()
    if packages == "requirements.txt":
        read = metadata.read_requirements(checkout, commit, upstream.requirement_paths(instance.repo))
        cleaned: str = upstream.harness("test_spec.python").clean_requirements(read)
        return cleaned
    if packages == "environment.yml":
        return metadata.read_requirements(checkout, commit, upstream.environment_paths(instance.repo))
    return None


def _project(spec: upstream.Spec, checkout: Path, commit: str, base_commit: str) -> specs.ProjectSource:
    """The tree the env build installs the project from, as the spec says (pip resolves it);
    sessions reinstall it at the instance's own commit, offline."""
    source = metadata.install_commit(checkout, commit, base_commit)
    edits = metadata.metadata_edits(spec)
    return specs.ProjectSource(
        commit=source,
        backend=tuple(metadata.build_requirements(checkout, source, edits)),
        version=metadata.scm_version(checkout, source),
        build_backend=metadata.build_backend(checkout, source, edits),
    )


def installing(buildpack: Buildpack, checkout: Path, commit: str, patch: str) -> Buildpack:
    """``buildpack`` whose env installs the project from ``commit`` with ``patch`` applied, when
    the patch edits the project's metadata (``patchtree``); else ``buildpack``."""
    if not isinstance(buildpack, SpecBuildpack | HarnessRunBuildpack) or not buildpack.recipe.source:
        return buildpack
    spec, recipe = buildpack.spec, buildpack.recipe
    tree = patched_source(checkout, commit, patch, metadata.metadata_edits(spec))
    if tree is None:
        return buildpack
    version = metadata.scm_version(recipe.source_repo or checkout, recipe.source)
    backend = metadata.build_backend(recipe.source_repo or checkout, recipe.source, metadata.metadata_edits(spec))
    plain, edited = (
        specs.install_source(spec, version, build_backend=backend),
        specs.install_source(spec, version, edited=True, build_backend=backend),
    )
    patched = copy.copy(buildpack)
    patched.recipe = recipe.model_copy(
        update={
            "source": tree,
            "source_repo": None,
            "steps": tuple(edited if step == plain else step for step in recipe.steps),
        }
    )
    return patched


def grader(buildpack: Buildpack) -> str:
    """What reads the test statuses of ``buildpack``'s runs, for the record."""
    if isinstance(buildpack, SpecBuildpack | HarnessRunBuildpack):
        return buildpack.grader
    return "the runner's structured report" if buildpack.structured else "the exit status"


def spec_of(buildpack: Buildpack) -> upstream.Spec | None:
    """The SWE-bench spec ``buildpack`` was made from, if any."""
    return buildpack.spec if isinstance(buildpack, SpecBuildpack | HarnessRunBuildpack) else None


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
        spec = spec_buildpack(
            instance,
            history or repo,
            registry=settings.base_image_source == "registry",
            archives=settings.python_archives,
            index_date=str(settings.swebench_index_date or ""),
            repairing=repairing,
            suite=suite,
        )
    except EnvUnavailable as exc:
        raise InfraFailure(ErrorKind.ENV, str(exc)) from exc
    if spec is not None and history is not None:
        spec.recipe = spec.recipe.model_copy(update={"source_repo": history})
    if spec is not None:
        return spec
    buildpack = select(repo)
    dated(buildpack, settings)  # the validation cache's key is its env recipe's, as built
    if isinstance(buildpack, LinesCapable):  # the line its refine found the fix seen on
        buildpack.line = str((instance.model_extra or {}).get("runtime") or "") or None
    # no harness script to reproduce: a test that hangs is that test failing (timeout), the rest judged
    limit_cases(buildpack, settings.test_case_timeout)
    return buildpack
