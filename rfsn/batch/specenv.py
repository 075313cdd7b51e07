"""The buildpack of an instance whose repo and version the SWE-bench harness specifies.

It is the Python buildpack (pytest, rfsn's junit report, coverage) with the
env recipe and session setup rendered from the spec (see ``specs``). Instances
without a spec (or without the ``swebench`` package) keep the generic
buildpack; a spec rfsn cannot honour raises ``EnvUnavailable`` with the reason.
"""

from __future__ import annotations

from pathlib import Path

from rfsn.batch import specs
from rfsn.batch.outcome import ErrorKind
from rfsn.buildpacks import select
from rfsn.buildpacks.base import Buildpack, EnvRecipe
from rfsn.buildpacks.python import PythonBuildpack
from rfsn.errors import InfraFailure
from rfsn.models.swebench import Instance
from rfsn.settings import Settings


class SpecBuildpack(PythonBuildpack):
    """Python, with the environment the harness's spec describes."""

    def __init__(self, spec: specs.Spec, recipe: EnvRecipe) -> None:
        self.spec = spec
        self.recipe = recipe

    def env_recipe(self, repo: Path) -> EnvRecipe:
        return self.recipe

    def setup_commands(self, repo: Path) -> list[list[str]]:
        return specs.setup_commands(self.spec)


def spec_buildpack(instance: Instance, checkout: Path, *, registry: bool) -> SpecBuildpack | None:
    """The spec-driven buildpack of ``instance`` (``checkout`` holds its history), or None."""
    spec = specs.lookup(instance.repo, instance.version)
    if spec is None:
        return None
    runner = str(spec.get("test_cmd", "")).split()
    if not runner or runner[0] != "pytest":
        raise specs.EnvUnavailable(f"{instance.repo} {instance.version} runs {' '.join(runner)!r}; "
                                   "only pytest-based specs are supported")
    commit = instance.environment_setup_commit or instance.base_commit
    requirements = None
    if str(spec.get("packages", "")).strip() == "requirements.txt":
        requirements = specs.read_requirements(checkout, commit, specs.requirement_paths(instance.repo))
        from swebench.harness.test_spec.python import clean_requirements

        requirements = clean_requirements(requirements)
    # the harness installs the project (with its dependencies) at the instance's own commit
    project = tuple(specs.project_requirements(checkout, instance.base_commit))
    recipe = specs.render_recipe(spec, registry=registry, requirements=requirements, project=project)
    return SpecBuildpack(spec, recipe)


def instance_buildpack(instance: Instance, repo: Path, settings: Settings) -> Buildpack:
    """The spec-driven buildpack when the harness specifies ``instance``, else the detected one;
    a spec that cannot be honoured is an ``env`` failure with its reason."""
    try:
        spec = spec_buildpack(instance, repo, registry=settings.base_image_source == "registry")
    except specs.EnvUnavailable as exc:
        raise InfraFailure(ErrorKind.ENV, str(exc)) from exc
    return spec or select(repo)
