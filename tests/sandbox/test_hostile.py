"""Hostile repositories in a real container: each attack is contained and reported.

Every test builds a small repository whose test suite attacks the sandbox
(forks, allocates, loops, fills disks, floods output, looks around for the
network, privileges and secrets) and checks that the run comes back as a
failed, errored or timed-out test with a clear reason, that the container
still answers afterwards, and that no container is left.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest

from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.sandbox.output import Lines, capped
from rfsn.settings import Settings
from tests.sandbox.conftest import SharedEnvPython
from tests.sandbox.projects import make_project

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("no_container_left")]


@pytest.fixture
def hostile_settings() -> Settings:
    """Made per test, so its rfsn home is this run's (``RFSN_HOME``, set after collection)."""
    return Settings(sandbox="docker", memory="256m", cpus=1.0, pids=64, tmp_size="32m", test_timeout=60)


FORK_BOMB = """\
import os, time

def test_fork_bomb():
    children = []
    try:
        while True:
            pid = os.fork()
            if pid == 0:
                time.sleep(60)
                os._exit(0)
            children.append(pid)
    finally:
        for pid in children:
            os.kill(pid, 9)
"""
MEMORY_BOMB = """\
def test_memory_bomb():
    hoard = []
    while True:
        hoard.append(bytearray(16 * 2**20))
"""
INFINITE_LOOP = """\
def test_spins_forever():
    while True:
        pass
"""
DISK_FILLER = """\
import os

def fill(path):
    with open(path, "wb") as f:
        while True:
            f.write(b"x" * 2**20)

def test_fills_tmp():
    fill("/tmp/filler")

def test_fills_testbed():
    fill(os.path.join(os.getcwd(), "filler"))
"""
OUTPUT_FLOOD = """\
import sys

def test_floods():
    line = "flood " * 170 + "\\n"
    for _ in range(100_000):  # about 100 MB
        sys.stdout.write(line)
    assert False
"""
LOOKS_AROUND = """\
import json, os

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return line.split()[1]

def writable():
    # every directory (not descended into) and file the sandbox user may write
    found = []
    for root, dirs, files in os.walk("/"):
        if root == "/":
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "testbed", "rfsn")]
        if os.access(root, os.W_OK):
            found.append(root)
            dirs[:] = []
            continue
        found += [p for f in files if os.access(p := os.path.join(root, f), os.W_OK)
                  and not os.path.islink(p)]
    return sorted(found)

def test_looks_around():
    seen = {
        "writable": writable(),
        "interfaces": sorted(os.listdir("/sys/class/net")),
        "proc_net_dev": sorted(l.split(":")[0].strip() for l in open("/proc/net/dev").readlines()[2:]),
        "cap_eff": status("CapEff"), "cap_bnd": status("CapBnd"), "no_new_privs": status("NoNewPrivs"),
        "uid": os.getuid(), "env": dict(os.environ),
        "mounts": [" ".join(line.split()[1:3]) for line in open("/proc/self/mounts")],
    }
    try:
        open("/usr/rfsn-planted", "w").close()
        seen["root_fs"] = "writable"
    except OSError as exc:
        seen["root_fs"] = exc.strerror
    with open("seen.json", "w") as f:
        json.dump(seen, f)
"""


def hostile(tmp_path: Path, text: str) -> Path:
    return make_project(tmp_path / "hostile", {"tests/test_hostile.py": text})


def still_answers(box: object) -> None:
    result = box.exec(["echo", "alive"], timeout=30)  # type: ignore[attr-defined]
    assert result.exit_code == 0 and "alive" in result.output


def test_fork_bomb_hits_the_pids_limit(
    tmp_path: Path, shared_pack: SharedEnvPython, hostile_settings: Settings
) -> None:
    with open_sandbox(hostile(tmp_path, FORK_BOMB), shared_pack, hostile_settings, "docker") as box:
        report = run_tests(box, shared_pack, timeout=60)
        assert report.tests == {"tests/test_hostile.py::test_fork_bomb": "failed"}
        assert "Resource temporarily unavailable" in report.log
        still_answers(box)


def test_memory_bomb_is_killed_and_reported(
    tmp_path: Path, shared_pack: SharedEnvPython, hostile_settings: Settings
) -> None:
    test_id = "tests/test_hostile.py::test_memory_bomb"
    with open_sandbox(hostile(tmp_path, MEMORY_BOMB), shared_pack, hostile_settings, "docker") as box:
        report = run_tests(box, shared_pack, [test_id], timeout=60)
        assert report.tests[test_id] in ("error", "failed") and not report.ok
        if report.exit_code == 137:  # the OOM killer took the runner
            assert report.reason.startswith("killed") and report.tests[test_id] == "error"
        else:  # or Python got a MemoryError first
            assert "MemoryError" in report.log
        still_answers(box)


def test_infinite_loop_without_per_test_timeout_times_out(
    tmp_path: Path, shared_pack: SharedEnvPython, hostile_settings: Settings
) -> None:
    test_id = "tests/test_hostile.py::test_spins_forever"
    with open_sandbox(hostile(tmp_path, INFINITE_LOOP), shared_pack, hostile_settings, "docker") as box:
        started = time.monotonic()
        report = run_tests(box, shared_pack, [test_id], timeout=5)
        assert time.monotonic() - started < 30
        assert report.timed_out and report.tests == {test_id: "error"}
        assert report.reason.startswith("timed out")
        still_answers(box)


def test_disk_fillers_hit_the_tmp_and_file_size_limits(
    tmp_path: Path, shared_pack: SharedEnvPython, hostile_settings: Settings
) -> None:
    settings = hostile_settings.model_copy(update={"file_size": "64m"})
    repo = hostile(tmp_path, DISK_FILLER)
    with open_sandbox(repo, shared_pack, settings, "docker") as box:
        report = run_tests(box, shared_pack, timeout=60)
        assert report.tests == {
            "tests/test_hostile.py::test_fills_tmp": "failed",
            "tests/test_hostile.py::test_fills_testbed": "failed",
        }
        assert "No space left on device" in report.log and "File too large" in report.log
        assert (repo / "filler").stat().st_size <= 64 * 2**20
        still_answers(box)


def test_output_flood_is_capped_without_buffering_it(
    tmp_path: Path, shared_pack: SharedEnvPython, hostile_settings: Settings
) -> None:
    with open_sandbox(hostile(tmp_path, OUTPUT_FLOOD), shared_pack, hostile_settings, "docker") as box:
        tracemalloc.start()
        try:
            report = run_tests(box, shared_pack, timeout=120)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert report.tests == {"tests/test_hostile.py::test_floods": "failed"}
        assert len(report.log) < 2_100_000 and "bytes cut" in report.log
        assert peak < 40 * 2**20, f"rfsn held {peak / 2**20:.0f} MiB of a 100 MB flood"


def test_no_network_no_privileges_no_host_secrets(
    tmp_path: Path, shared_pack: SharedEnvPython, hostile_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-ant-hostile-test-0123456789abcdef"
    for name in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN"):
        monkeypatch.setenv(name, secret)
    repo = hostile(tmp_path, LOOKS_AROUND)
    with open_sandbox(repo, shared_pack, hostile_settings, "docker") as box:
        report = run_tests(box, shared_pack, timeout=60)
    assert report.ok, report.log[-2000:]
    seen = json.loads((repo / "seen.json").read_text())
    assert seen["interfaces"] == ["lo"] and seen["proc_net_dev"] == ["lo"]
    assert int(seen["cap_eff"], 16) == 0 and int(seen["cap_bnd"], 16) == 0
    assert seen["no_new_privs"] == "1" and seen["uid"] != 0
    assert seen["root_fs"] == "Permission denied"
    # beyond /testbed and the scratch directory: the tmpfs mounts and the env, nothing else
    assert seen["writable"] == ["/opt/rfsn", "/run/lock", "/tmp", "/var/tmp"]
    assert all(f"{path} tmpfs" in seen["mounts"] for path in ("/tmp", "/var/tmp", "/run/lock"))
    assert secret not in json.dumps(seen["env"])
    assert not {"ANTHROPIC_API_KEY", "OPENAI_API_KEY", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN"} & set(seen["env"])


def test_capped_keeps_head_and_tail_within_the_limit() -> None:
    chunks = (bytes([65 + i % 26]) * 1000 for i in range(1000))
    text, overran = capped(chunks, limit=10_000)
    assert not overran and text.startswith("A" * 1000) and text.endswith("L" * 1000)
    assert "[990000 bytes cut]" in text and len(text) < 10_100
    assert capped(iter([b"short"]), limit=100) == ("short", False)


def test_a_line_held_for_its_newline_is_bounded() -> None:
    """stdout and stderr merge a line at a time, but a stream that never ends a line (a flood
    without newlines) is passed on past ``hold`` bytes, never held whole."""
    lines = Lines(hold=100)
    assert lines.feed(1, b"test a ... ") == b""
    assert lines.feed(2, b"error: x\n") == b"error: x\n"
    assert lines.feed(1, b"ok\ntest b") == b"test a ... ok\n"
    assert lines.feed(1, b"x" * 200) == b"test b" + b"x" * 200  # past the bound: passed on
    assert lines.feed(2, b"tail") == b"" and lines.rest() == b"tail" and lines.rest() == b""
