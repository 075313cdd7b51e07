"""A lock rfsn takes is released, and its file removed, on every path: a failed ``rfsn sandbox
bootstrap`` left ``rfsn-<image>.lock`` in $TMPDIR, owned by the user who failed, in every other
user's way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.fsutil import held
from tests.paths import ROOT


def test_a_block_that_fails_leaves_no_lock_file(tmp_path: Path) -> None:
    lock = tmp_path / "rfsn-image.lock"
    with pytest.raises(RuntimeError), held(lock):
        assert lock.exists()
        raise RuntimeError("debootstrap failed")
    assert not lock.exists()
    with held(lock):  # and it can be taken again
        pass
    assert list(tmp_path.iterdir()) == []


_CONTENDER = """
import sys
from pathlib import Path
from rfsn.fsutil import held
lock, inside = Path(sys.argv[1]), Path(sys.argv[2])
for _ in range(200):
    with held(lock):
        inside.mkdir()  # FileExistsError if another process is inside too
        inside.rmdir()
"""


def test_processes_that_remove_the_lock_file_still_take_turns(tmp_path: Path) -> None:
    """Removing the file on release must not let a waiter and a newcomer in at once."""
    args = [sys.executable, "-c", _CONTENDER, str(tmp_path / "x.lock"), str(tmp_path / "inside")]
    procs = [subprocess.Popen(args, cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    assert list(tmp_path.iterdir()) == []
