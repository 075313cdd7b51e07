"""The servers a project's CI starts for its tests, started in the sandbox: in Docker, from
Debian's package; in the local sandbox, not, and the report says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rfsn.buildpacks.base import EnvRecipe
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.sandbox.services import declared
from rfsn.settings import Settings
from tests.buildpacks.test_ciservices import WORKFLOW
from tests.sandbox.conftest import SharedEnvPython
from tests.sandbox.projects import PASSING, make_project
from tests.sandbox.test_syspkgs import BASE

#: tests that speak to the servers on the ports the workflow publishes, as its user and database
PING = """\
import socket
import subprocess


def test_ping():
    with socket.create_connection(("127.0.0.1", 6390), timeout=5) as s:
        s.sendall(b"PING\\r\\n")
        assert s.recv(64) == b"+PONG\\r\\n"


def test_select():
    argv = ["psql", "-h", "localhost", "-p", "5499", "-U", "app", "-d", "appdb", "-tAc", "select 40 + 2"]
    assert subprocess.run(argv, capture_output=True, text=True, env={"PGPASSWORD": "secret"}).stdout == "42\\n"
"""


@pytest.mark.docker
@pytest.mark.usefixtures("no_container_left")
def test_the_servers_ci_declares_run_in_the_sandbox_redis_py_2026(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings, docker_client: Any
) -> None:
    repo = make_project(tmp_path / "p", {"tests/test_ping.py": PING, ".github/workflows/ci.yml": WORKFLOW})
    with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
        report = run_tests(box, shared_pack, timeout=120)
        environment = box.environment
    assert {k: v.value for k, v in report.tests.items()} == {
        "tests/test_ping.py::test_ping": "passed",
        "tests/test_ping.py::test_select": "passed",
    }, report.log[-2000:]
    assert "service redis (.github/workflows/ci.yml, job test): redis-server started on port 6390" in environment
    assert "service postgres (.github/workflows/ci.yml, job test): postgresql started on port 5499" in environment
    assert any(line.startswith("services not started: mongo") for line in environment)


def test_the_local_sandbox_installs_and_starts_nothing_and_says_so(tmp_path: Path) -> None:
    repo = make_project(tmp_path / "p", {**PASSING, ".github/workflows/ci.yml": WORKFLOW})
    recipe = EnvRecipe(buildpack="python", base=BASE, steps=("true",))
    here, services, notes = declared(repo, recipe, "local")
    assert here == recipe and services.started == ()
    assert notes[0] == (
        "service redis (.github/workflows/ci.yml, job test): redis-server not started: "
        "the local sandbox is this host, where rfsn installs and starts nothing"
    )
    there, services, notes = declared(repo, recipe, "docker")
    assert [name for name, _ in there.system_packages] == ["redis-server", "postgresql"] and len(services.started) == 2
    assert notes[0] == "service redis (.github/workflows/ci.yml, job test): redis-server started on port 6390"
    spec, services, notes = declared(repo, recipe.model_copy(update={"project_env": False}), "docker")
    assert spec.system_packages == () and notes == ()  # a spec's recipe is the whole environment
