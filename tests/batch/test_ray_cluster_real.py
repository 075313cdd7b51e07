"""A batch and an evaluation on a two-node Ray cluster whose nodes share no output directory.

The head node runs no task (``--num-cpus 0``); the second node runs them all, in its own mount
namespace where a tmpfs hides the driver's directory (its outputs, its rfsn home), so every
file the driver reads must come back with a task's result. The nodes and the driver share a
network namespace of their own that has only a loopback interface (Ray listens on every
interface it has, whatever ``--node-ip-address`` says), so no port of the cluster is open
beyond it; the env images are built first, by the local run, on the host's network. The second node is then killed
mid-run (every process of its namespace, SIGKILL: ``ray stop --force`` would end every Ray of
this machine) and started again: the run completes with each instance once, and the dead
node's containers are swept by its successor. Opt-in (marker ``ray_cluster``); needs root for
``unshare --mount`` and the Docker daemon.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import docker
import pytest

from rfsn.sandbox.daemon import managed
from tests.sandbox.registry_server import serving
from tests.sandbox.second_daemon import running

pytestmark = [pytest.mark.ray_cluster, pytest.mark.docker, pytest.mark.slow, pytest.mark.usefixtures("docker_client")]
IDS = ["devset__ratelimit-1", "devset__iniconf-1"]
RAY = Path(sys.executable).with_name("ray")
WORKTREE = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ports() -> list[str]:
    """A node's ports: free ones, and a range for its workers that holds none of them (Ray
    refuses to start a node whose component port is in its worker range)."""
    names = [
        "node-manager",
        "object-manager",
        "dashboard-agent-listen",
        "dashboard-agent-grpc",
        "runtime-env-agent",
        "metrics-export",
    ]
    ports = {name: _free_port() for name in names}
    base = _free_port() % 20000 + 30000
    while any(base <= port <= base + 50 for port in ports.values()):
        base = (base + 51 - 30000) % 20000 + 30000
    return [
        *(f"--{name}-port={port}" for name, port in ports.items()),
        f"--min-worker-port={base}",
        f"--max-worker-port={base + 50}",
    ]


class Network:
    """A network namespace with only a loopback interface, held by a sleeping process."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(["unshare", "--net", "sh", "-c", "ip link set lo up && exec sleep infinity"])
        deadline = time.monotonic() + 10
        while (
            os.readlink(f"/proc/{self.proc.pid}/ns/net") == os.readlink("/proc/self/ns/net")
            or "sleep" not in Path(f"/proc/{self.proc.pid}/cmdline").read_text()
        ):
            assert time.monotonic() < deadline, "no network namespace"
            time.sleep(0.05)

    def enter(self) -> list[str]:
        return ["nsenter", f"--net=/proc/{self.proc.pid}/ns/net"]

    def answers(self, port: int) -> bool:
        """Whether 127.0.0.1:``port`` of the namespace accepts a connection."""
        return (
            subprocess.run(
                [*self.enter(), "bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{port}"], capture_output=True
            ).returncode
            == 0
        )

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


class Node:
    """A Ray node started with ``ray start --block`` in a mount namespace of its own (a tmpfs
    over ``hide`` there) in ``network``; ended by killing every process of that namespace."""

    def __init__(
        self, args: list[str], env: dict[str, str], hide: Path | None, log: IO[bytes], network: Network
    ) -> None:
        mount = f"mount -t tmpfs -o size=1m rfsn-hidden {hide} && " if hide else ""
        temp = tempfile.mkdtemp(prefix="rfsn-ray-", dir="/tmp")  # Ray's socket paths are short
        command = (
            f"{mount}exec {RAY} start --block --node-ip-address=127.0.0.1 --temp-dir={temp} "
            "--disable-usage-stats --object-store-memory=100000000 " + " ".join(args)
        )
        self.temp = Path(temp)
        self.proc = subprocess.Popen(
            [*network.enter(), "unshare", "--mount", "--propagation", "private", "sh", "-c", command],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while self.namespace() == os.readlink("/proc/self/ns/mnt") and time.monotonic() < deadline:
            time.sleep(0.05)  # until unshare has run

    def namespace(self) -> str:
        return os.readlink(f"/proc/{self.proc.pid}/ns/mnt")

    def pids(self, namespace: str) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.readlink(entry / "ns" / "mnt") == namespace:
                        found.append(int(entry.name))
                except OSError:
                    continue
        return found

    def kill(self) -> list[int]:
        """SIGKILL every process of the node; their pids."""
        namespace = self.namespace()
        killed: list[int] = []
        for _ in range(5):  # a process may fork while we kill
            pids = self.pids(namespace)
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                except ProcessLookupError:
                    continue
            time.sleep(0.5)
        self.proc.wait(timeout=30)
        return killed

    def close(self) -> None:
        if self.proc.poll() is None:
            self.kill()
        shutil.rmtree(self.temp, ignore_errors=True)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The head (no CPU: it runs no task) and the second node, which cannot see ``driver/``."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a mount namespace")
    driver, node_home = tmp_path / "driver", tmp_path / "node-home"
    driver.mkdir()
    node_home.mkdir()
    port = _free_port()
    token = tmp_path / "ray-token"  # the cluster's own: every node and the driver present it
    token.write_text(secrets.token_hex(32))
    token.chmod(0o600)
    env = {
        **os.environ,
        "PYTHONPATH": str(WORKTREE),
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN_PATH": str(token),
    }
    nodes: list[Node] = []
    path = tmp_path / "ray.log"
    log = path.open("ab")
    network = Network()

    def second(**extra: str) -> Node:
        node = Node(
            [f"--address=127.0.0.1:{port}", "--num-cpus=2", *_ports()],
            {**env, "RFSN_HOME": str(node_home), **extra},
            driver,
            log,
            network,
        )
        nodes.append(node)
        return node

    try:
        nodes.append(
            Node(
                ["--head", f"--port={port}", "--num-cpus=0", "--include-dashboard=false", *_ports()],
                env,
                None,
                log,
                network,
            )
        )
        deadline = time.monotonic() + 120
        while not network.answers(port):
            assert nodes[0].proc.poll() is None, path.read_text()[-3000:]
            assert time.monotonic() < deadline, path.read_text()[-3000:]
            time.sleep(0.5)
        second()
        yield {
            "address": f"127.0.0.1:{port}",
            "driver": driver,
            "node_home": node_home,
            "env": env,
            "second": second,
            "nodes": nodes,
            "network": network,
        }
    finally:
        for node in reversed(nodes):
            node.close()
        network.close()
        log.close()


def _batch(instances: Path, out: Path, repos: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "rfsn",
        "batch",
        str(instances),
        "--out",
        str(out),
        "--repos-dir",
        str(repos),
        "--oracle-tests",
        "--timeout",
        "300",
        "--instance-ids",
        " ".join(IDS),
        *extra,
    ]


def _evaluate(predictions: Path, instances: Path, report: Path, repos: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "rfsn",
        "evaluate",
        str(predictions),
        "--instances",
        str(instances),
        "--run-id",
        "r",
        "--report-dir",
        str(report),
        "--repos-dir",
        str(repos),
        "--instance-ids",
        " ".join(IDS),
        *extra,
    ]


def _predictions(out: Path) -> list[tuple[str, str]]:
    lines = (out / "predictions.jsonl").read_text().splitlines()
    return sorted((p["instance_id"], p["model_patch"]) for p in map(json.loads, lines))


def _files(root: Path) -> set[str]:
    """The files of each instance directory, a session's name left out (it is the same)."""
    return {p.relative_to(root).as_posix() for i in IDS for p in (root / i).rglob("*") if p.is_file()}


def _run(command: list[str], env: dict[str, str], timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done


def test_a_cluster_whose_nodes_share_nothing_gives_the_local_results(
    cluster: dict[str, Any], tmp_path: Path, instances_file: Path, devset_repos: Path, docker_client: Any
) -> None:
    driver: Path = cluster["driver"]
    env = {**cluster["env"], "RFSN_HOME": str(driver / "home")}
    ray = ("--executor", "ray", "--ray-address", cluster["address"])
    inside: list[str] = cluster["network"].enter()
    # the second node cannot see the driver's directory
    hidden = subprocess.run(
        ["nsenter", f"--mount=/proc/{cluster['nodes'][1].proc.pid}/ns/mnt", "ls", "-A", str(driver)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert hidden.stdout == "", hidden.stdout

    local = tmp_path / "local"
    _run(_batch(instances_file, local / "out", devset_repos), {**env, "RFSN_HOME": str(local / "home")})
    _run([*inside, *_batch(instances_file, driver / "out", devset_repos, *ray)], env)
    assert _predictions(driver / "out") == _predictions(local / "out")
    assert _files(driver / "out") == _files(local / "out")  # every output file at the driver

    _run(
        _evaluate(local / "out" / "predictions.jsonl", instances_file, local, devset_repos),
        {**env, "RFSN_HOME": str(local / "home")},
    )
    _run([*inside, *_evaluate(driver / "out" / "predictions.jsonl", instances_file, driver, devset_repos, *ray)], env)
    verdicts = [
        {
            k: v
            for k, v in json.loads((root / "rfsn.r.json").read_text()).items()
            if k.endswith("_ids") or k.endswith("_instances")
        }
        for root in (local, driver)
    ]
    assert verdicts[0] == verdicts[1]
    logs = Path("logs") / "run_evaluation" / "r" / "rfsn"
    assert _files(driver / logs) == _files(local / logs)
    assert {"report.json", "test_output.txt", "patch.diff", "run_instance.log"} <= {
        p.name for p in (driver / logs / IDS[0]).iterdir()
    }

    # the second node dies mid-run; a new one takes its tasks again
    out = driver / "again"
    batch = subprocess.Popen(
        [*inside, *_batch(instances_file, out, devset_repos, *ray)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    node: Node = cluster["nodes"][1]
    deadline = time.monotonic() + 600
    while not (
        up := [
            c.name for c in managed(docker_client) if int(c.labels.get("rfsn.pid", "0")) in node.pids(node.namespace())
        ]
    ):
        assert time.monotonic() < deadline and batch.poll() is None, "no sandbox started on the node"
        time.sleep(0.5)
    killed = node.kill()  # a session's container is up: it becomes a leftover of the node
    assert killed
    cluster["second"]()
    stdout, stderr = batch.communicate(timeout=1200)
    assert batch.returncode == 0, stdout[-2000:] + stderr[-3000:]
    assert _predictions(out) == _predictions(local / "out")  # none lost, none twice
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(r["instance_id"] for r in results) == sorted(IDS), results  # no worker error
    assert _files(out) == _files(local / "out")
    # the dead node's containers were swept by the next worker's first sandbox on this host
    left = [c.name for c in managed(docker_client) if int(c.labels.get("rfsn.pid", "0")) in killed]
    assert up and left == [], up


@contextmanager
def _registry(storage: Path, network: Network) -> Iterator[str]:
    """A loopback registry for the Docker daemons (on the host's network) and the same one, on
    the same storage and port, inside ``network`` for the driver's start-up check."""
    with serving(storage) as shared:
        port = int(shared.split("/")[0].rsplit(":", 1)[1])
        inside = subprocess.Popen(
            [*network.enter(), "docker-registry", "serve", str(storage / "registry.yml")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while not network.answers(port):
                assert inside.poll() is None and time.monotonic() < deadline, "no registry inside"
                time.sleep(0.2)
            yield shared
        finally:
            inside.terminate()
            inside.wait(timeout=10)


def _images(client: Any) -> dict[str, str]:
    return {tag: image.id for image in client.images.list() for tag in image.tags}


def test_a_node_with_its_own_docker_daemon_pulls_what_the_other_node_has_and_builds_nothing(
    cluster: dict[str, Any], tmp_path: Path, instances_file: Path, devset_repos: Path, docker_client: Any
) -> None:
    """Node A uses the host's daemon, where the local run left every image; node B a daemon
    of its own, empty. With a registry, A's run pushes what it finds; then B alone runs the batch
    and the evaluation, pulling base, env and setup images and building or committing none."""
    driver: Path = cluster["driver"]
    env = {**cluster["env"], "RFSN_HOME": str(driver / "home")}
    inside: list[str] = cluster["network"].enter()
    local = tmp_path / "local"
    local_env = {**env, "RFSN_HOME": str(local / "home")}
    _run(_batch(instances_file, local / "out", devset_repos), local_env)
    _run(_evaluate(local / "out" / "predictions.jsonl", instances_file, local, devset_repos), local_env)
    (tmp_path / "registry").mkdir()
    with running() as host, _registry(tmp_path / "registry", cluster["network"]) as shared:
        ray = ("--executor", "ray", "--ray-address", cluster["address"], "--registry", shared)
        _run([*inside, *_batch(instances_file, driver / "a", devset_repos, *ray)], env)
        assert _predictions(driver / "a") == _predictions(local / "out")
        _run(
            [*inside, *_evaluate(driver / "a" / "predictions.jsonl", instances_file, driver / "a", devset_repos, *ray)],
            env,
        )

        cluster["nodes"][1].kill()  # node A leaves; node B, with the empty daemon, joins
        cluster["second"](DOCKER_HOST=host)
        started = int(time.time())
        _run([*inside, *_batch(instances_file, driver / "b", devset_repos, *ray)], env)
        _run([*inside, *_evaluate(driver / "b" / "predictions.jsonl", instances_file, driver, devset_repos, *ray)], env)
        with contextlib.closing(docker.DockerClient(base_url=host, timeout=60)) as node_b:
            theirs = _images(node_b)
            events = list(
                node_b.events(since=started, until=int(time.time()) + 1, decode=True, filters={"type": "image"})
            )
    assert _predictions(driver / "b") == _predictions(local / "out")
    assert _files(driver / "b") == _files(local / "out")
    verdicts = [
        {
            k: v
            for k, v in json.loads((root / "rfsn.r.json").read_text()).items()
            if k.endswith("_ids") or k.endswith("_instances")
        }
        for root in (local, driver)
    ]
    assert verdicts[0] == verdicts[1]
    # every image node B has is A's very image (a build or a commit would have another id),
    # pulled: B built and committed nothing, setup snapshots included (rfsn's commits are dated)
    ours = _images(docker_client)
    pulled = {e["Actor"]["ID"].split("/", 2)[2] for e in events if e["Action"] == "pull"}
    shared_tags = {tag for tag in theirs if tag in ours}
    assert {tag: ours[tag] for tag in shared_tags} == {tag: theirs[tag] for tag in shared_tags}, (pulled, theirs)
    assert shared_tags == pulled, (pulled, theirs)
    assert {tag.split(":")[0] for tag in pulled} >= {"rfsn/base-python", "rfsn/env-python"}, pulled
    assert set(theirs) == shared_tags, (pulled, theirs)
    print("node B pulled", sorted(pulled), "and made", sorted(set(theirs) - shared_tags))
    for name, out in (("local", local / "out"), ("node A", driver / "a"), ("node B", driver / "b")):
        for record in map(json.loads, (out / "results.jsonl").read_text().splitlines()):
            print(name, record["instance_id"], record["duration"], record["phases"])  # the figures
