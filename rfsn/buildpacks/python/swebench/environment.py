"""The buildpack an instance's SWE-bench spec prescribes, and ``PROVIDER``: the Python pack's
reading of those specs, as ``rfsn.buildpacks.instances`` asks for it.

A spec whose ``test_cmd`` is pytest gets a ``SpecBuildpack`` (``specpytest``); any other runner
runs as the harness runs it (``HarnessRunBuildpack``, ``harnessrun``). Instances without a spec
(or without the ``swebench`` package) get none; a spec rfsn cannot honour raises
``EnvUnavailable`` with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rfsn.buildpacks.instances import Provider, Request
from rfsn.buildpacks.python import pyhealth
from rfsn.buildpacks.python.swebench import metadata, specs, upstream
from rfsn.buildpacks.python.swebench.harnessrun import HarnessRunBuildpack, as_directives
from rfsn.buildpacks.python.swebench.specpytest import SpecBuildpack
from rfsn.errors import EnvUnavailable
from rfsn.models.swebench import Instance


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


class SweBenchSpecs:
    """The environments SWE-bench's specs prescribe (``rfsn.buildpacks.instances.Provider``)."""

    def prescribed(
        self, instance: Instance, checkout: Path, request: Request
    ) -> SpecBuildpack | HarnessRunBuildpack | None:
        return spec_buildpack(
            instance,
            checkout,
            registry=request.registry,
            archives=request.archives,
            index_date=request.index_date,
            repairing=request.repairing,
            suite=request.suite,
        )

    def require(self, instances: Sequence[Instance], source: Path) -> None:
        upstream.require_harness(instances, source)

    def missing_dependency(self, log: str, repo: Path) -> str:
        return pyhealth.missing_dependency(log, repo)


PROVIDER: Provider = SweBenchSpecs()
