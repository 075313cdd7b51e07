"""The leak check counts only the containers of its own run: a container whose owner, another
user's process, died during a test is not the test's leak (suite20's run counted an engineer's
dead session as 3-4 `no_leaked_sandboxes` errors)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from typing import Any

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.sandbox.images import resolve_base
from rfsn.settings import Settings
from tests.batch.conftest import _ours
from tests.conftest import RUN

pytestmark = [pytest.mark.docker]


def test_a_dead_owners_container_of_another_run_is_not_this_runs_leak(docker_client: Any, tmp_path: Any) -> None:
    base = resolve_base(docker_client, PythonBuildpack().env_recipe(tmp_path).base, Settings().base_image_source)
    dead = subprocess.Popen(["true"])
    dead.wait()
    labels = {"rfsn.managed": "1", "rfsn.host": socket.gethostname(), "rfsn.pid": str(dead.pid)}
    started = [
        docker_client.containers.create(
            base, ["true"], network_mode="none", labels={**labels, "rfsn.session": "t", "rfsn.run": run}
        )
        for run in ("another-run", RUN)
    ]
    try:
        ours = _ours(docker_client)
        assert started[0].id not in ours and started[1].id in ours
    finally:
        for container in started:  # (or another rfsn process's start-up sweep removed it)
            subprocess.run(["docker", "rm", "-f", container.id], capture_output=True, check=False)


def test_the_children_of_a_run_label_their_containers_with_it() -> None:
    script = "from rfsn.sandbox import labels; print(labels.for_session('s')['rfsn.run'])"
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=os.environ.copy()
    )
    assert child.stdout.strip() == RUN
