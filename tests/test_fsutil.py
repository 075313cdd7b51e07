"""Nothing lost: atomic writes and appends keep readable files through a full disk or a crash."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from rfsn.controller.trajectory import Trajectory, read
from rfsn.errors import OutputError
from rfsn.fsutil import append_line, write_atomic
from rfsn.models import Finish, GateDecision


def full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_during_an_atomic_write_is_reported_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "result.json"
    write_atomic(target, '{"status": "fixed"}')
    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OutputError, match=r"result\.json: No space left on device"):
        write_atomic(target, '{"status": "not_fixed", "long": "' + "x" * 100_000 + '"}')
    assert target.read_text() == '{"status": "fixed"}'
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"], "a temporary file was left"


def test_an_unwritable_directory_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="cannot write"):
        write_atomic(blocker / "sub" / "x.json", "{}")


def test_dev_full_append_is_reported(tmp_path: Path) -> None:
    """A real ENOSPC from the kernel: /dev/full refuses every write."""
    fd = os.open("/dev/full", os.O_WRONLY)
    try:
        with pytest.raises(OutputError, match="No space left on device"):
            append_line(fd, Path("/dev/full"), '{"step": 1}')
    finally:
        os.close(fd)


def test_a_trajectory_cut_mid_line_by_a_crash_reads_back_its_whole_steps(tmp_path: Path) -> None:
    path = tmp_path / "trajectory.jsonl"
    with Trajectory(path) as trajectory:
        for step in (1, 2):
            trajectory.record(step, "patch", Finish(reason="done"), GateDecision(accepted=True), None, 0.1)
    with path.open("a") as fh:
        fh.write('{"step": 3, "phase": "pa')  # the process died here
    assert [r["step"] for r in read(path)] == [1, 2]


def test_a_held_lock_keeps_another_process_out_until_released(tmp_path: Path) -> None:
    import subprocess
    import sys

    from rfsn.fsutil import held

    lock = tmp_path / "locks" / "env.lock"
    probe = (
        "import fcntl, sys\nwith open(sys.argv[1], 'w') as f:\n"
        "    try:\n        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n    except OSError:\n"
        "        sys.exit(3)\n"
    )
    with held(lock):
        inside = subprocess.run([sys.executable, "-c", probe, str(lock)], check=False).returncode
    after = subprocess.run([sys.executable, "-c", probe, str(lock)], check=False).returncode
    assert (inside, after) == (3, 0)
