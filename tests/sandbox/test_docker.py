"""DockerSandbox against a real daemon: image reuse, timeouts, network, limits, cleanup."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import docker.errors
import pytest

from rfsn.buildpacks import select
from rfsn.models import ExecResult
from rfsn.observability.metrics import REGISTRY
from rfsn.runner import run_tests
from rfsn.sandbox import MARGIN, live, open_sandbox
from rfsn.sandbox.snapshots import LABEL as SETUP_LABEL
from rfsn.settings import Settings
from rfsn.workspace import Workspace
from tests.sandbox.conftest import SharedEnvPython, ours
from tests.sandbox.projects import MIXED, PASSING, SLEEPING, make_project

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("no_container_left")]


def operations(operation: str, result: str) -> float:
    value = REGISTRY.get_sample_value(
        "rfsn_sandbox_operations_total", {"kind": "docker", "operation": operation, "result": result}
    )
    return value or 0.0


def test_detection_picks_python(tmp_path: Path) -> None:
    repo = make_project(tmp_path / "p", PASSING)
    assert select(repo).name == "python"


def test_second_open_of_the_same_recipe_builds_nothing(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings, docker_client: Any
) -> None:
    repo = make_project(tmp_path / "p", PASSING)
    images = []
    for _ in range(2):
        built, cached = operations("env_image", "built"), operations("env_image", "cached")
        with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
            images.append(recipe_of(docker_client, box.container.image.id))
            report = run_tests(box, shared_pack, timeout=120)
        assert operations("env_image", "built") == built
        assert operations("env_image", "cached") == cached + 1
        assert report.ok and set(report.tests) == {"tests/test_ok.py::test_one", "tests/test_ok.py::test_two"}
    # both start from the recipe's env image, or from a setup snapshot on top of it: by content, as
    # another process building the same recipe on this daemon may retag it between the two opens
    assert images[0] == images[1] == shared_pack.env_recipe(repo).key()


def recipe_of(client: Any, image_id: str) -> str:
    """The recipe of the env image ``image_id`` is, or of the one its setup snapshot was committed on."""
    image = client.images.get(image_id)
    if SETUP_LABEL in (image.labels or {}):
        image = client.images.get(image.history()[1]["Id"])
    return str(image.labels["rfsn.recipe"])


def test_selected_tests_and_failures(tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings) -> None:
    repo = make_project(tmp_path / "p", {**PASSING, **MIXED})
    with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
        full = run_tests(box, shared_pack, timeout=120)
        one = run_tests(box, shared_pack, ["tests/test_mixed.py::test_bad"], timeout=120)
    assert full.failing == ["tests/test_mixed.py::test_bad"] and len(full.passing) == 3
    assert one.tests == {"tests/test_mixed.py::test_bad": "failed"} and not one.ok


LEAVES_TMP = {
    "tests/test_tmp.py": (
        "import os, tempfile\n\n\n"
        "def test_a_fresh_tmp():\n"
        "    tmp = tempfile.gettempdir()\n"
        "    assert tmp == '/tmp/rfsn-run' and os.listdir(tmp) == []\n"
        "    open(os.path.join(tmp, 'left-by-an-earlier-run'), 'w').close()\n"
    )
}


def test_each_test_run_has_an_empty_tmp_of_its_own(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """A fresh container per run (the harness's way) would not see what an earlier run left in
    /tmp; nor does a session's second run (pytest's own suite failed on the numbered base
    directories an earlier run left). The directory lies in the /tmp tmpfs and is gone after."""
    repo = make_project(tmp_path / "p", LEAVES_TMP)
    with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
        runs = [run_tests(box, shared_pack, timeout=120) for _ in range(2)]
        left = box.exec(["sh", "-c", "ls -d /tmp/rfsn-run-* 2>/dev/null | wc -l"], timeout=30)
    assert all(r.ok and r.tests == {"tests/test_tmp.py::test_a_fresh_tmp": "passed"} for r in runs), runs[-1].log[
        -2000:
    ]
    assert left.output.strip() == "0"


def test_execs_from_two_threads_leave_the_client_as_it_was(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """A warm runner starts in one thread while the localization runs tests in another: each
    exec keeps its own read timeout, and a quiet command outlasts the client's."""
    import threading

    repo = make_project(tmp_path / "p", PASSING)
    with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
        before = box.client.api.timeout
        results: dict[str, Any] = {}

        def run(name: str, seconds: int) -> None:
            results[name] = box.exec(["sh", "-c", f"sleep {seconds}; echo {name}"], timeout=60)

        first = threading.Thread(target=run, args=("first", 1))
        second = threading.Thread(target=run, args=("second", 2))
        first.start()
        time.sleep(0.4)
        second.start()
        first.join()
        second.join()
        after = box.client.api.timeout
        box.client.api.timeout = 1  # shorter than the command's silence
        quiet = box.exec(["sh", "-c", "sleep 3; echo quiet"], timeout=60)
    assert after == before
    assert [results[n].output.strip() for n in ("first", "second")] == ["first", "second"]
    assert quiet.exit_code == 0 and quiet.output.strip() == "quiet" and not quiet.timed_out


def processes(box: Any) -> list[str]:
    """Every process in the container, seen from an exec that is not wrapped in ``timeout``."""
    out = box.container.exec_run(["ps", "-eo", "args="]).output.decode()
    return [line.strip() for line in out.splitlines() if line.strip() and not line.startswith("ps ")]


def test_timeout_kills_every_process_it_started(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    repo = make_project(tmp_path / "p", SLEEPING)
    with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
        started = time.monotonic()
        report = run_tests(box, shared_pack, timeout=3)
        assert report.timed_out and not report.ok
        assert time.monotonic() - started < 30
        remaining = processes(box)
        assert len(remaining) == 2, remaining
        assert "init" in remaining[0] and remaining[1].startswith("sleep ")
        # the container is still usable afterwards
        assert box.exec(["true"], timeout=10).exit_code == 0


def test_network_is_disabled(tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings) -> None:
    repo = make_project(tmp_path / "p", PASSING)
    with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
        assert box.container.attrs["HostConfig"]["NetworkMode"] == "none"
        interfaces = box.exec(["ls", "/sys/class/net"], timeout=10).output.split()
        assert interfaces == ["lo"]
        # no route anywhere: connecting fails at once, without a packet leaving the host
        probe = box.exec(["python", "-c", "import socket; socket.create_connection(('192.0.2.1', 80), 2)"], timeout=20)
        assert probe.exit_code != 0 and "unreachable" in probe.output.lower()


def test_every_limit_docs_security_promises_is_on_the_started_container(
    tmp_path: Path, shared_pack: SharedEnvPython
) -> None:
    """The container as Docker started it holds every limit of docs/security.md's table: settings
    cannot switch one off (RFSN_PIDS=0 gave no PidsLimit, RFSN_CPUS=0 NanoCpus 0)."""
    settings = Settings(
        sandbox="docker",
        memory="512m",
        cpus=0.5,
        pids=64,
        tmp_size="32m",
        file_size="8m",
        setup_timeout=100,
        test_timeout=50,
    )
    repo = make_project(tmp_path / "p", PASSING)
    with open_sandbox(repo, shared_pack, settings, "docker", budget=70) as box:
        attrs = box.client.api.inspect_container(box.container.id)
        host_config, config = attrs["HostConfig"], attrs["Config"]
        assert host_config["Memory"] == host_config["MemorySwap"] == 512 * 1024 * 1024
        assert host_config["NanoCpus"] == 500_000_000
        assert host_config["PidsLimit"] == 64
        assert host_config["Ulimits"] == [{"Name": "fsize", "Soft": 8 * 2**20, "Hard": 8 * 2**20}]
        assert sorted(host_config["Tmpfs"]) == ["/run/lock", "/tmp", "/var/tmp"]
        assert all(f"size={32 * 2**20}" in options for options in host_config["Tmpfs"].values())
        assert host_config["NetworkMode"] == "none"
        assert host_config["CapDrop"] == ["ALL"] and not host_config["CapAdd"]
        assert host_config["SecurityOpt"] == ["no-new-privileges"] and not host_config["Privileged"]
        assert not host_config["Devices"] and not host_config.get("PortBindings")
        assert config["User"] not in ("", "0", "root") and not config["User"].startswith("0:")
        assert set(config["Env"]) >= {"HOME=/tmp"} and not any(
            name.startswith(("ANTHROPIC", "OPENAI", "AWS_", "GITHUB")) for name in config["Env"]
        )
        mounts = {m["Destination"]: m for m in attrs["Mounts"]}
        assert "/var/run/docker.sock" not in mounts and all("docker.sock" not in m["Source"] for m in mounts.values())
        assert {"/testbed", "/rfsn"} <= set(mounts)
        # its main process ends by itself: the setup's limit, the budget and the margin
        setup = len(shared_pack.setup_commands(repo)) * 100
        assert config["Cmd"] == ["sleep", str(setup + 70 + int(MARGIN))] and host_config["AutoRemove"]
        bomb = (
            "import subprocess\nps = []\ntry:\n    for _ in range(200):\n"
            "        ps.append(subprocess.Popen(['sleep', '60']))\n"
            "except OSError as exc:\n    print('LIMIT', len(ps), exc)\n"
            "for p in ps:\n    p.kill()\n"
        )
        result = box.exec(["python", "-c", bomb], timeout=60)
        assert "LIMIT" in result.output, result.output[-500:]
        assert int(result.output.split()[1]) < 64
        memory = box.exec(
            ["python", "-c", "b = bytearray(900 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"], timeout=60
        )
        assert memory.exit_code != 0  # killed by the cgroup (137) or MemoryError


def test_cleanup_after_an_exception(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings, docker_client: Any
) -> None:
    repo = make_project(tmp_path / "p", PASSING)
    with (
        pytest.raises(RuntimeError, match="boom"),
        open_sandbox(repo, shared_pack, docker_settings, "docker", session_id="exc-test") as box,
    ):
        scratch, name = box.scratch, box.container.name
        raise RuntimeError("boom")
    assert not scratch.exists()
    assert docker_client.containers.list(all=True, filters={"name": name}) == []


def test_a_sandbox_nothing_holds_is_removed_on_the_way_out(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings, docker_client: Any
) -> None:
    """A stop signal can land after the container exists and before any code holds it to
    close (the rest of a constructor, the step into ``try``). Entered and never exited,
    the sandbox is still closed by what runs on the way out (atexit, a terminated worker)."""
    repo = make_project(tmp_path / "p", PASSING)
    opened = open_sandbox(repo, shared_pack, docker_settings, "docker", session_id="live-test")
    box = opened.__enter__()
    scratch, name = box.scratch, box.container.name
    live.close_all()
    assert docker_client.containers.list(all=True, filters={"name": name}) == []
    assert not scratch.exists()
    opened.__exit__(None, None, None)  # closing twice is harmless


def wait_for(predicate: Any, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_a_container_nothing_removes_ends_by_itself_after_its_lifetime(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings, docker_client: Any
) -> None:
    """A SIGKILLed batch left its containers running `sleep infinity` for an hour: a session
    container's main process is bounded, and the container goes once it ends, with no prune."""
    from rfsn.sandbox.confinement import Limits
    from rfsn.sandbox.container import ContainerSpec
    from rfsn.sandbox.daemon import connect
    from rfsn.sandbox.docker import DockerSandbox
    from rfsn.sandbox.envimage import EnvImage
    from rfsn.sandbox.images import resolve_base

    assert shared_pack.recipe is not None
    image = EnvImage(
        shared_pack.recipe, resolve_base(docker_client, shared_pack.recipe.base, docker_settings.base_image_source)
    ).tag
    repo = make_project(tmp_path / "p", PASSING)
    started = time.monotonic()
    box = DockerSandbox(connect(), image, repo, ContainerSpec(Limits("256m", 1.0, 64), lifetime=4))
    try:
        # sparse: a container removed between the listing and its inspection is no error
        wait_for(lambda: not docker_client.containers.list(all=True, sparse=True, filters={"id": box.container.id}), 90)
        assert time.monotonic() - started >= 4  # it ran its lifetime out, no shorter
    finally:
        box.close()  # its container is gone already: closing still removes the rest
    assert not box.scratch.exists()


@pytest.mark.parametrize("finished", [False, True], ids=["under-way", "finished"])
def test_a_container_whose_auto_removal_is_under_way_is_gone_when_close_returns(
    finished: bool, tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings, docker_client: Any
) -> None:
    """Its main process ended (killed, or its lifetime out), the daemon is removing it, and our
    removal gets 409 (close waits for it to go: it returned at once, and CI's leak check saw two
    containers of a finished test) or 404 once it finished (no failure: the container is gone)."""
    from structlog.testing import capture_logs

    from rfsn.sandbox.confinement import Limits
    from rfsn.sandbox.container import ContainerSpec
    from rfsn.sandbox.daemon import connect
    from rfsn.sandbox.docker import DockerSandbox
    from rfsn.sandbox.envimage import EnvImage
    from rfsn.sandbox.images import resolve_base

    assert shared_pack.recipe is not None
    image = EnvImage(
        shared_pack.recipe, resolve_base(docker_client, shared_pack.recipe.base, docker_settings.base_image_source)
    ).tag
    box = DockerSandbox(
        connect(), image, make_project(tmp_path / "p", PASSING), ContainerSpec(Limits("256m", 1.0, 64), lifetime=600)
    )
    docker_client.containers.get(box.container.id).kill()  # its auto-removal begins
    # sparse: no inspect of each listed container, which races the daemon removing it (404)
    if finished:
        wait_for(lambda: not docker_client.containers.list(all=True, filters={"id": box.container.id}, sparse=True), 90)
    with capture_logs() as logs:
        box.close()
    assert not docker_client.containers.list(all=True, filters={"id": box.container.id}, sparse=True)
    assert [e for e in logs if e["event"] == "sandbox.remove_failed"] == []


def running_commands(container: Any) -> str:
    """The command lines running in ``container``, as the daemon lists them: no exec, which a
    setup snapshot's ``docker commit`` would pause, and wait with, or refuse (409)."""
    try:
        return "\n".join(" ".join(p) for p in container.top()["Processes"] or [])
    except docker.errors.APIError as exc:
        if exc.status_code == 409:
            return ""
        raise


def test_sigterm_removes_the_container(tmp_path: Path, shared_pack: SharedEnvPython, docker_client: Any) -> None:
    repo = make_project(tmp_path / "p", SLEEPING)
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rfsn",
            "test",
            str(repo),
            "--sandbox",
            "docker",
            "--buildpack",
            "python",
            "--timeout",
            "120",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        label = {"label": f"rfsn.pid={proc.pid}"}
        try:
            container = wait_for(lambda: docker_client.containers.list(filters=label), 120)[0]
            # wait until the test command runs inside it
            wait_for(lambda: "sleep 300" in running_commands(container), 60)
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert docker_client.containers.list(all=True, filters=label) == []


def test_prune_removes_containers_of_dead_owners(
    docker_client: Any, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    from rfsn.sandbox.envimage import EnvImage
    from rfsn.sandbox.images import resolve_base

    assert shared_pack.recipe is not None
    base = resolve_base(docker_client, shared_pack.recipe.base, docker_settings.base_image_source)
    image = EnvImage(shared_pack.recipe, base).tag
    dead = subprocess.Popen(["true"])
    dead.wait()
    common = {"rfsn.managed": "1", "rfsn.host": socket.gethostname()}
    orphan = docker_client.containers.run(
        image,
        ["sleep", "infinity"],
        detach=True,
        network_mode="none",
        labels={**common, "rfsn.session": "orphan", "rfsn.pid": str(dead.pid)},
    )
    alive = docker_client.containers.run(
        image,
        ["sleep", "infinity"],
        detach=True,
        network_mode="none",
        labels={**common, "rfsn.session": "alive", "rfsn.pid": str(os.getpid())},
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "rfsn", "sandbox", "prune"], capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
        # the orphan is gone (this prune removed it, or another rfsn process's start-up sweep)
        assert alive.name not in proc.stdout
        remaining = {c.id for c in docker_client.containers.list(all=True, sparse=True)}
        assert orphan.id not in remaining and alive.id in remaining
    finally:
        for container in (orphan, alive):
            subprocess.run(["docker", "rm", "-f", container.id], capture_output=True, check=False)
    assert ours(docker_client) == []


def test_a_shared_clone_reads_its_history_inside_the_sandbox(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """A workspace that is a ``git clone --shared`` of a local repository: the objects it
    borrows are mounted read-only, so tags and history (version-from-tag builds) are there."""
    origin = make_project(tmp_path / "origin", PASSING)
    subprocess.run(["git", "tag", "v1.2.3"], cwd=origin, check=True)
    ws = Workspace(path=tmp_path / "ws", source=str(origin), base_commit="")
    subprocess.run(["git", "clone", "-q", "--shared", str(origin), str(ws.path)], check=True)
    assert (ws.path / ".git" / "objects" / "info" / "alternates").is_file()
    with open_sandbox(ws.path, shared_pack, docker_settings, "docker") as box:
        described = box.exec(["git", "describe", "--tags"], timeout=60)
        written = box.exec(["sh", "-c", "touch /rfsn/git/objects/0/x"], timeout=60)
    assert described.exit_code == 0 and described.output.strip() == "v1.2.3", described.output
    assert written.exit_code != 0  # borrowed objects are read-only


def test_history_borrowed_through_a_chain_from_a_closed_directory_is_readable_inside(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """The origin is itself a ``--shared`` clone of a repository under a mode-700 directory (a
    mirror under /root/...): the whole chain is readable inside, git prints no error, and the
    host's own alternates files are left as they were."""
    closed = tmp_path / "closed"
    first = make_project(closed / "first", PASSING)
    subprocess.run(["git", "tag", "v4.5.6"], cwd=first, check=True)
    middle = tmp_path / "middle"
    subprocess.run(["git", "clone", "-q", "--shared", "--bare", str(first), str(middle)], check=True)
    closed.chmod(0o700)
    ws = Workspace(path=tmp_path / "ws", source=str(middle), base_commit="")
    subprocess.run(["git", "clone", "-q", "--shared", str(middle), str(ws.path)], check=True)
    before = (ws.path / ".git" / "objects" / "info" / "alternates").read_text()
    with open_sandbox(ws.path, shared_pack, docker_settings, "docker") as box:
        described = box.exec(["sh", "-c", "git describe --tags 2>&1 && git log --oneline | wc -l"], timeout=60)
    assert described.exit_code == 0, described.output
    assert described.output.split() == ["v4.5.6", "1"], described.output
    assert (ws.path / ".git" / "objects" / "info" / "alternates").read_text() == before


def test_what_a_session_writes_into_the_env_is_gone_in_the_next(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """The env is copy-on-write in each container: one session's installs (or a hostile test's
    plant) are never seen by the next session of the same image."""
    repo = make_project(tmp_path / "p", PASSING)
    with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
        planted = box.exec(["sh", "-c", 'echo planted > "$RFSN_ENV/planted" && cat "$RFSN_ENV/planted"'], timeout=30)
        assert planted.exit_code == 0 and "planted" in planted.output
    with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
        assert box.exec(["sh", "-c", 'test -e "$RFSN_ENV/planted"'], timeout=30).exit_code == 1


def test_a_missing_base_image_is_bootstrapped_or_says_which_command_builds_it(docker_client: Any) -> None:
    from rfsn.buildpacks.base import BaseImage
    from rfsn.errors import ImageError
    from rfsn.sandbox.bootstrap import bootstrappable
    from rfsn.sandbox.images import resolve_base

    base = BaseImage(
        runtime="python",
        version="3.9",
        registry_image="localhost:1/rfsn-none:3.9",
        debian_release="bullseye",
        debian_packages=("python3", "rfsn-test-only"),
    )
    with pytest.raises(ImageError, match=r"`rfsn sandbox bootstrap --buildpack python --python 3\.9`$"):
        resolve_base(docker_client, base, "registry", mirror="http://127.0.0.1:1/debian")
    # a Python no Debian release ships (it comes from an archive): no --python to name
    other = base.model_copy(update={"version": "3.6", "registry_image": "localhost:1/rfsn-none:3.6"})
    with pytest.raises(ImageError, match=r"`rfsn sandbox bootstrap --buildpack python`$"):
        resolve_base(docker_client, other, "registry")
    if not bootstrappable():
        pytest.skip("bootstrapping needs root and debootstrap")
    # with a mirror (here one that refuses), auto builds the image from Debian packages
    with pytest.raises(ImageError, match="debootstrap bullseye failed"):
        resolve_base(docker_client, base, "auto", mirror="http://127.0.0.1:1/debian")


def test_a_line_written_in_two_parts_is_not_split_by_the_other_stream(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """libtest writes ``test NAME ... `` before a test ends and ``ok`` after it; cargo's own
    stderr line in between (the daemon reads the two pipes apart) cut the status off its name."""
    repo = make_project(tmp_path / "p", PASSING)
    script = "printf 'test a ... '; sleep 0.5; echo 'error: x' >&2; sleep 0.5; echo ok"
    with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
        output = box.exec(["sh", "-c", script], timeout=30).output
    assert output.splitlines() == ["error: x", "test a ... ok"], output


def test_prune_passes_over_a_container_another_process_is_removing() -> None:
    """Two prunes (or a prune and the owner's own cleanup) can reach one container: the daemon
    answers the second removal 409 ("removal ... is already in progress"). That is no error,
    and the container is not counted as this prune's; any other refusal is an error, one line."""
    import requests

    from rfsn.errors import SandboxError
    from rfsn.sandbox.daemon import prune

    def refusal(status: int) -> docker.errors.APIError:
        response = requests.Response()
        response.status_code = status
        return docker.errors.APIError("refused", response=response)

    class Listed:
        def __init__(self, name: str) -> None:
            self.id, self.attrs = name, {"Names": [f"/{name}"], "Labels": {"rfsn.managed": "1"}}

    class Client:
        def __init__(self, status: int) -> None:
            self.status = status
            self.containers = self
            self.api = self

        def list(self, **_: Any) -> list[Listed]:
            return [Listed("busy"), Listed("free")]

        def remove_container(self, cid: str, **_: Any) -> None:
            if cid == "busy":
                raise refusal(self.status)

    assert prune(Client(409), everything=True) == ["free"]
    with pytest.raises(SandboxError, match="cannot remove container busy"):
        prune(Client(500), everything=True)


def test_git_trusts_the_workspace_for_a_tool_that_clears_gits_environment(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """The workspace belongs to the host's user and commands run as another: git trusts it even
    for a tool that drops every ``GIT_*`` variable before calling git, as setuptools-scm does
    (prettytable 2022: its version from git failed, ``pip install -e .`` with it, and the
    project was not importable in its own test run)."""
    from rfsn.batch.harness.repos import checkout

    origin = make_project(tmp_path / "origin", PASSING)
    subprocess.run(["git", "tag", "v7.8.9"], cwd=origin, check=True)
    ws = checkout(str(origin), tmp_path / "ws", "", tmp_path / "cache")
    with open_sandbox(ws.path, shared_pack, docker_settings, "docker") as box:
        cleared = box.exec(
            ["sh", "-c", "unset $(env | grep '^GIT_' | cut -d= -f1); git describe --tags 2>&1"], timeout=60
        )
    assert cleared.exit_code == 0 and cleared.output.strip() == "v7.8.9", cleared.output


def test_a_build_may_chmod_the_working_copys_files_as_their_owner_pynacl_2026(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """A build that sets the mode of a file of the checkout (PyNaCl's setup.py chmods its libsodium
    scripts, even to the mode they have) may, also when rfsn runs as root and commands as
    ``nobody``; directories and ``.git`` stay the host's, and host git still reads the tree."""
    repo = make_project(tmp_path / "p", {**PASSING, "src/autogen.sh": "#!/bin/sh\n"})
    with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
        changed = box.exec(["sh", "-c", "chmod 755 src/autogen.sh 2>&1 && stat -c %a src/autogen.sh"], timeout=60)
    assert changed.exit_code == 0 and changed.output.strip() == "755", changed.output
    assert {(repo / d).stat().st_uid for d in (".", "src", ".git", ".git/config")} == {os.getuid()}
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True)
    assert status.stdout.split() == ["M", "src/autogen.sh"]


def _python_in_sandbox(tmp_path: Path, pack: SharedEnvPython, settings: Settings, code: str) -> ExecResult:
    """``code`` run by Python in a Docker sandbox of a passing project."""
    repo = make_project(tmp_path / "p", PASSING)
    with open_sandbox(repo, pack, settings, "docker") as box:
        return box.exec(["python", "-c", code], timeout=60)


def test_the_containers_own_name_resolves_to_a_server_on_it_docker_py_2026(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """Without a network the container's name resolved to nothing, so a test that serves on all
    addresses and connects to ``socket.gethostname()`` failed (docker-py's ``TCPSocketStreamTest``);
    on a machine, as in CI, a host's own name resolves to it."""
    serve = (
        "import socket, socketserver, threading\n"
        "class Echo(socketserver.BaseRequestHandler):\n"
        "    def handle(self):\n        self.request.sendall(self.request.recv(16))\n"
        "server = socketserver.ThreadingTCPServer(('', 0), Echo)\n"
        "threading.Thread(target=server.serve_forever, daemon=True).start()\n"
        "with socket.create_connection((socket.gethostname(), server.server_address[1]), timeout=10) as c:\n"
        "    c.sendall(b'hello')\n    print(c.recv(16).decode())\n"
    )
    echoed = _python_in_sandbox(tmp_path, shared_pack, docker_settings, serve)
    assert echoed.exit_code == 0 and echoed.output.strip() == "hello", echoed.output


def test_a_server_on_localhost_binds_the_ipv6_loopback_too_websockets_0ae899c(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """Without a network Docker turns the loopback's IPv6 off while ``localhost`` still maps to
    ``::1``: asyncio's server on localhost (every address it resolves to) failed with ``[Errno 99]
    Cannot assign requested address`` (websockets' tests, bugs-layer rows 24, 55, 85)."""
    serve = (
        "import asyncio, socket\n"
        "async def main():\n"
        "    server = await asyncio.start_server(lambda r, w: w.close(), 'localhost', 0)\n"
        "    print(sorted(s.family.name for s in server.sockets))\n"
        "    server.close()\n"
        "asyncio.run(main())\n"
    )
    served = _python_in_sandbox(tmp_path, shared_pack, docker_settings, serve)
    assert served.exit_code == 0 and served.output.strip() == "['AF_INET', 'AF_INET6']", served.output
