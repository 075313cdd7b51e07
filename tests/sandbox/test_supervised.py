"""The Docker sandbox's command supervisor (``docker.SUPERVISED``) run by the host's ``sh``: a
command's output is the command's alone, however soon it ends (real subprocesses)."""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from rfsn.sandbox.docker import INTERRUPT_GRACE, INTERRUPTS, SUPERVISED

pytestmark = pytest.mark.skipif(shutil.which("timeout") is None, reason="coreutils timeout")


def _outputs(runs: int) -> list[str]:
    """What ``runs`` supervised runs of ``echo done`` printed, one after another."""
    argv = ["sh", "-c", SUPERVISED, "sh", "30s", str(INTERRUPT_GRACE), str(INTERRUPTS), "echo", "done"]
    ran = (subprocess.run(argv, capture_output=True, text=True, timeout=60) for _ in range(runs))
    return [done.stdout + done.stderr for done in ran]


def test_a_command_that_ends_at_once_leaves_no_word_of_the_supervisor_in_its_output_registry_snapshot() -> None:
    """The watcher beside ``timeout`` may be stopped before it sets its trap; the shell then said
    "Terminated" in the command's output (a setup's ``cat`` read back ``run\\nTerminated``), about one
    run in twenty with four at once."""
    with ThreadPoolExecutor(4) as pool:
        outputs = [o for batch in pool.map(_outputs, [150] * 4) for o in batch]
    assert set(outputs) == {"done\n"}
