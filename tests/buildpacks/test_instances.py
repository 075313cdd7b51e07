"""The harness reaches the environments a benchmark's specs prescribe through
``rfsn.buildpacks.instances`` alone: a provider of another ecosystem (a plugin's ``instances`` part)
gives an instance its buildpack, its grader, its spec and its env for a patch, and says which
instances it cannot serve, with no line of the harness knowing the pack."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rfsn.batch.harness.runs import as_harness_names
from rfsn.batch.harness.specenv import grader, installing, instance_buildpack, spec_of
from rfsn.batch.instances import load_instances
from rfsn.buildpacks import instances
from rfsn.buildpacks.instances import Prescribed
from rfsn.errors import ConfigError
from rfsn.models import TestReport
from rfsn.models import TestStatus as S
from rfsn.models.swebench import Instance
from rfsn.settings import load_settings
from tests.conftest import installed_plugin

#: a provider of the "toy" ecosystem: a spec per repo, its buildpack a given command's
TOY = """
import copy
from rfsn.buildpacks.base import EnvRecipe
from rfsn.buildpacks.ecosystem import Ecosystem
from rfsn.buildpacks.generic import GenericBuildpack
from rfsn.errors import ConfigError

SPECS = {"toy/calc": {"test_cmd": "true", "image": "toy:1"}}


class ToyBuildpack(GenericBuildpack):
    def __init__(self, spec, instance_id):
        super().__init__(spec["test_cmd"])
        self.spec, self.grader = spec, "the toy grader"
        self.recipe = EnvRecipe(buildpack="generic", base=self.default_base, steps=(spec["image"],))

    def env_recipe(self, repo):
        return self.recipe

    def installing(self, checkout, commit, patch):
        patched = copy.copy(self)
        patched.recipe = self.recipe.model_copy(update={"steps": (*self.recipe.steps, patch)})
        return patched

    def harness_named(self, report):
        return report.model_copy(update={"tests": {f"toy:{t}": s for t, s in report.tests.items()}})


class ToySpecs:
    def prescribed(self, instance, checkout, request):
        spec = SPECS.get(instance.repo)
        return ToyBuildpack(spec, instance.instance_id) if spec else None

    def require(self, instances, source):
        if any(i.repo.startswith("toy/") and i.repo not in SPECS for i in instances):
            raise ConfigError(f"{source}: a toy instance without a spec")

    def missing_dependency(self, log, repo):
        return "toy: no dependency " + log.split("missing ", 1)[1] if "missing " in log else ""


PROVIDER = ToySpecs()
ECOSYSTEM = Ecosystem(name="toy", buildpack=None, instances="toyspecs:PROVIDER")
"""


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An installed distribution (a dist-info on sys.path) whose entry point names the toy ecosystem."""
    site = installed_plugin(tmp_path / "site", "toyspecs", TOY, "[rfsn.buildpacks]\ntoy = toyspecs:ECOSYSTEM\n")
    monkeypatch.syspath_prepend(str(site))
    yield
    sys.modules.pop("toyspecs", None)


def test_a_provider_of_another_ecosystem_prescribes_an_instances_buildpack(tmp_path: Path, toy: None) -> None:
    instance = Instance(instance_id="toy__calc-1", repo="toy/calc", base_commit="c0ffee", version="1")
    buildpack = instance_buildpack(instance, tmp_path, load_settings(home=tmp_path / "h"))
    assert isinstance(buildpack, Prescribed)
    assert grader(buildpack) == "the toy grader"
    assert spec_of(buildpack) == {"test_cmd": "true", "image": "toy:1"}
    assert installing(buildpack, tmp_path, "c0ffee", "a patch").env_recipe(tmp_path).steps == ("toy:1", "a patch")
    report = TestReport(tests={"t": S.PASSED}, log="", command=["true"], exit_code=0, duration=0.0)
    assert as_harness_names(buildpack, report).tests == {"toy:t": S.PASSED}


def test_an_instance_no_provider_has_a_spec_for_gets_the_selected_buildpack(tmp_path: Path, toy: None) -> None:
    (tmp_path / "go.mod").write_text("module example.com/x\n\ngo 1.21\n")
    instance = Instance(instance_id="other__x-1", repo="other/x", base_commit="c0ffee", version="1")
    buildpack = instance_buildpack(instance, tmp_path, load_settings(home=tmp_path / "h"))
    assert not isinstance(buildpack, Prescribed)
    assert buildpack.name == "go"
    assert spec_of(buildpack) is None
    assert grader(buildpack) == "the runner's structured report"


def test_instances_a_provider_cannot_serve_are_an_input_error_before_anything_runs(tmp_path: Path, toy: None) -> None:
    path = tmp_path / "instances.jsonl"
    path.write_text('{"instance_id": "toy__none-1", "repo": "toy/none", "base_commit": "c0ffee"}\n')
    with pytest.raises(ConfigError, match="a toy instance without a spec"):
        load_instances(path)


def test_every_providers_reading_of_a_missing_dependency_reaches_the_check(tmp_path: Path, toy: None) -> None:
    assert instances.missing_dependency("ImportError: missing numpy", tmp_path) == "toy: no dependency numpy"
    assert instances.missing_dependency("all passed", tmp_path) == ""
