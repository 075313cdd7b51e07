"""Docker fixtures: one shared env image, settings with small limits, and a leak check
scoped to this test process (other people's rfsn containers may come and go meanwhile)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from rfsn.buildpacks.base import BaseImage, EnvRecipe
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.settings import Settings
from tests.sandbox.projects import PASSING, make_project


class SharedEnvPython(PythonBuildpack):
    """The Python buildpack with one fixed env recipe, so that tests share one image."""

    recipe: ClassVar[EnvRecipe | None] = None

    def env_recipe(self, repo: Path) -> EnvRecipe:
        assert self.recipe is not None
        return self.recipe


def ours(client: Any) -> list[Any]:
    return client.containers.list(all=True, filters={"label": f"rfsn.pid={os.getpid()}"})


@pytest.fixture
def no_container_left(docker_client: Any) -> Iterator[None]:
    yield
    leaked = ours(docker_client)
    for container in leaked:
        container.remove(force=True)
    assert leaked == [], "containers left behind"


@pytest.fixture(scope="session")
def docker_settings() -> Settings:
    return Settings(sandbox="docker", memory="1g", cpus=1.0, pids=128, test_timeout=120)


@pytest.fixture(scope="session")
def shared_pack(
    docker_client: Any, docker_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> SharedEnvPython:
    """A buildpack whose env image exists (built once if missing, then reused by every test)."""
    from rfsn.sandbox.images import BuildOptions, ensure_env_image

    reference = make_project(tmp_path_factory.mktemp("reference") / "demo", PASSING)
    SharedEnvPython.recipe = PythonBuildpack().env_recipe(reference)
    ensure_env_image(
        docker_client,
        SharedEnvPython.recipe,
        BuildOptions(docker_settings.base_image_source, docker_settings.resolved_ca_bundle()),
    )
    return SharedEnvPython()


@pytest.fixture(scope="session")
def tiny_base(docker_client: Any) -> BaseImage:
    """A base image of a few megabytes (``tests.sandbox.tiny``), made once per host."""
    from tests.sandbox import tiny

    return tiny.ensure(docker_client)


@pytest.fixture
def loopback_registry(tmp_path: Path) -> Iterator[str]:
    """A real registry on a free loopback port, its storage in ``tmp_path``; its
    HOST:PORT/PREFIX. Stopped after the test."""
    from tests.sandbox.registry_server import serving

    try:
        with serving(tmp_path) as address:
            yield address
    except FileNotFoundError as exc:
        if os.environ.get("RFSN_REQUIRE_DOCKER") == "1":
            pytest.fail(f"RFSN_REQUIRE_DOCKER=1 but {exc} (bash scripts/setup --dev installs it)")
        pytest.skip(str(exc))


@pytest.fixture
def second_docker() -> Iterator[Any]:
    """A client of a second Docker daemon on this host (another node's, in a cluster), stopped
    and removed after the test. Needs root and dockerd."""
    import docker

    from tests.sandbox.second_daemon import running

    with contextlib.ExitStack() as stack:
        try:
            host = stack.enter_context(running())
        except (FileNotFoundError, PermissionError) as exc:
            if os.environ.get("RFSN_REQUIRE_DOCKER") == "1":
                pytest.fail(f"RFSN_REQUIRE_DOCKER=1 but {exc}")
            pytest.skip(str(exc))
        yield stack.enter_context(contextlib.closing(docker.DockerClient(base_url=host, timeout=600)))


@pytest.fixture(autouse=True)
def _registry_forgets() -> Iterator[None]:
    """What this process knows a registry holds is per test: a later test's registry on a reused
    port is another registry."""
    from rfsn.sandbox import registry

    registry._known.clear()
    yield
    registry._known.clear()
