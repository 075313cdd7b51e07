"""A batch on Ray stopped early leaves no container behind, even one of a task that had to be
killed before it could remove it (the CI of stop 84 found one after a SIGTERMed batch)."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import docker.errors
import pytest

from rfsn.batch import executors
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.sandbox.images import resolve_base
from rfsn.settings import Settings

pytestmark = [pytest.mark.docker]


@dataclass(frozen=True)
class Holder:
    """A Shipped task: ``n`` 0 holds a container until it is killed, any other returns at once;
    ``shared`` is the test's directory, where the holder names its container."""

    n: int
    out: Path
    shared: Path
    image: str

    @property
    def outputs(self) -> Path:
        return self.out / str(self.n)

    def elsewhere(self, root: Path, *, node_home: bool) -> Holder:
        return replace(self, out=root)


def hold_a_container(task: Holder) -> int:
    """Creates a container labelled as a sandbox of its run, names it, then ignores every
    interrupt: only a hard kill ends it, before it could remove the container."""
    if task.n:
        return task.n
    import docker

    from rfsn.sandbox import labels

    client = docker.from_env()
    container = client.containers.create(task.image, ["true"], network_mode="none", labels=labels.for_session("held"))
    (task.shared / "held").write_text(container.id)
    while True:
        try:
            time.sleep(600)
        except BaseException:  # a task that will not unwind
            continue


def test_a_ray_batch_stopped_early_removes_the_container_of_a_task_it_killed(
    docker_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(executors, "UNWIND_SECONDS", 2.0)  # the holder never unwinds
    image = resolve_base(docker_client, PythonBuildpack().env_recipe(tmp_path).base, Settings().base_image_source)
    tasks = [Holder(n, tmp_path / "out", tmp_path, image) for n in (0, 1)]
    results = executors.RayExecutor(2).map_unordered(hold_a_container, tasks)
    held = tmp_path / "held"
    try:
        first, value = next(results)
        assert (first.n, value) == (1, 1)
        deadline = time.monotonic() + 120
        while not held.is_file():
            assert time.monotonic() < deadline, "the holder never created its container"
            time.sleep(0.2)
    finally:
        results.close()  # as a SIGTERM in the loop over the results does
    with pytest.raises(docker.errors.NotFound):
        docker_client.containers.get(held.read_text())
