"""LocalSandbox: process-group kills on timeout, a memory limit, environments built once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from rfsn.buildpacks.base import EnvRecipe
from rfsn.buildpacks.python.pyrecipe import python_image
from rfsn.sandbox.local import LocalSandbox, ensure_env_dir

SPAWNER = """
import subprocess, sys, time
for _ in range(3):
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", sys.argv[1]])
print("spawned", flush=True)
time.sleep(300)
"""


def alive_with_marker(marker: str) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if marker in line and "ps -eo" not in line]


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    box = LocalSandbox(tmp_path, None, {}, "2g")
    marker = f"rfsn-spawner-{os.getpid()}"
    (tmp_path / f"{marker}.py").write_text(SPAWNER)
    started = time.monotonic()
    result = box.exec([sys.executable, f"{marker}.py", marker], timeout=2)
    assert result.timed_out and "spawned" in result.output
    assert time.monotonic() - started < 15
    deadline = time.monotonic() + 5
    while alive_with_marker(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive_with_marker(marker) == []  # the child and its three grandchildren
    box.close()
    assert not box.scratch.exists()


def test_a_background_child_holding_the_output_does_not_hang(tmp_path: Path) -> None:
    box = LocalSandbox(tmp_path, None, {}, "2g")
    script = (
        "import subprocess; p = subprocess.Popen(['sleep', '60'], start_new_session=True); "
        "print('pid', p.pid, flush=True)"
    )
    started = time.monotonic()
    result = box.exec([sys.executable, "-c", script], timeout=2)
    assert time.monotonic() - started < 15
    assert result.exit_code == 0 and not result.timed_out
    os.kill(int(result.output.split()[1]), signal.SIGKILL)


def test_a_command_past_its_timeout_is_interrupted_though_rfsn_was_started_with_ctrl_c_ignored(tmp_path: Path) -> None:
    """A background job of a non-interactive shell inherits SIGINT ignored, and so did every command
    rfsn ran: the timeout's Ctrl-C was lost and pytest wrote no report (CI run of 8844d37)."""
    box = LocalSandbox(tmp_path, None, {}, "2g")
    script = "import time\ntry:\n    time.sleep(60)\nexcept KeyboardInterrupt:\n    print('interrupted', flush=True)\n"
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        result = box.exec([sys.executable, "-c", script], timeout=2)
    finally:
        signal.signal(signal.SIGINT, before)
        box.close()
    assert result.timed_out and "interrupted" in result.output, result.output


def test_memory_limit(tmp_path: Path) -> None:
    box = LocalSandbox(tmp_path, None, {}, "256m")
    result = box.exec([sys.executable, "-c", "x = bytearray(1024 * 1024 * 1024); print('allocated')"], timeout=60)
    assert result.exit_code != 0 and "MemoryError" in result.output
    small = box.exec([sys.executable, "-c", "x = bytearray(10 * 1024 * 1024); print('ok')"], timeout=60)
    assert small.exit_code == 0, small.output


def test_missing_program(tmp_path: Path) -> None:
    result = LocalSandbox(tmp_path, None, {}, "1g").exec(["no-such-program-xyz"], timeout=5)
    assert result.exit_code == 127


def test_env_dir_is_built_once_and_reused(tmp_path: Path) -> None:
    counter = tmp_path / "builds"
    recipe = EnvRecipe(
        buildpack="test",
        base=python_image("3.11"),
        steps=(f"echo built >> {counter}", "mkdir -p $RFSN_ENV/bin", "cp $RFSN_ENV/files/tool.sh $RFSN_ENV/bin/tool"),
        env=(("TOOL", "$RFSN_ENV/bin/tool"),),
        files=(("tool.sh", "echo tool\n"),),
    )
    first = ensure_env_dir(recipe, tmp_path / "envs", timeout=60)
    second = ensure_env_dir(recipe, tmp_path / "envs", timeout=60)
    assert first == second and counter.read_text() == "built\n"
    box = LocalSandbox(tmp_path, first, dict(recipe.env), "1g")
    result = box.exec(["bash", "-c", 'bash "$TOOL"; echo "$RFSN_ENV"'], timeout=10)
    assert result.output.split() == ["tool", str(first)]


def test_failed_env_step_is_retried_next_time(tmp_path: Path) -> None:
    import pytest

    from rfsn.errors import SandboxError

    flag = tmp_path / "ok"
    recipe = EnvRecipe(buildpack="test", base=python_image("3.11"), steps=(f"test -e {flag}",))
    with pytest.raises(SandboxError, match="environment step failed"):
        ensure_env_dir(recipe, tmp_path / "envs", timeout=60)
    flag.touch()
    assert ensure_env_dir(recipe, tmp_path / "envs", timeout=60).is_dir()
