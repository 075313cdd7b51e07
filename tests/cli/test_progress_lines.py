"""Off a terminal, long commands say what they are doing at least every 30 seconds."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

from rfsn.batch.outcome import Outcome, Status
from rfsn.batch.progress import RunProgress
from rfsn.observability.heartbeat import INTERVAL, Heartbeat
from tests.cli.test_true_cause import CODE, make_repo

ROOT = Path(__file__).resolve().parents[2]


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=False, width=200), out


def test_heartbeat_prints_lines_off_a_terminal_only() -> None:
    """A heartbeat prints its status line while the block runs when output is a file, never on a terminal."""
    console, out = _console()
    with Heartbeat("rfsn", lambda elapsed: f"working, elapsed {elapsed:.1f}", console, interval=0.05):
        time.sleep(0.3)
    assert out.getvalue().count("rfsn: working, elapsed") >= 3
    terminal = io.StringIO()
    with Heartbeat("rfsn", lambda e: "x", Console(file=terminal, force_terminal=True), interval=0.05):
        time.sleep(0.2)
    assert "rfsn: x" not in terminal.getvalue()
    assert INTERVAL <= 30


def test_run_progress_line_names_step_elapsed_and_what_is_left() -> None:
    """A batch or evaluation run's progress line says how many instances are done, how long it ran, what is left."""
    console, out = _console()
    with RunProgress(3, "batch", "fixed", "not fixed", console=console, interval=0.05) as progress:
        progress.advance(Outcome(instance_id="a", status=Status.FIXED))
        time.sleep(0.2)
    assert re.search(r"rfsn: batch: 1/3 instances done \(fixed 1\), elapsed \d+s, 2 left", out.getvalue())


def test_repair_prints_progress_lines_when_output_is_not_a_terminal(tmp_path: Path) -> None:
    """`rfsn repair` piped to a file prints phase, step, elapsed and budget left within 30 seconds."""
    # the hang is at collection, where no per-test limit cuts it: the session runs to its budget
    # (28 s), past the first progress line (20 s), however fast the rest of rfsn gets
    hang = {"tests/test_hang.py": "import time\n\ntime.sleep(600)\n\n\ndef test_hangs():\n    pass\n"}
    repo = make_repo(tmp_path, {**CODE, **hang})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the run's rfsn home: its local env is shared
    argv = [sys.executable, "-m", "rfsn", "repair", str(repo), "--sandbox", "local", "--timeout", "28", "--out", "out"]
    line = re.compile(r"rfsn: repair: phase \w+, step \d+/\d+, \d+ candidates, elapsed \d+s, budget left \d+s")
    seen: list[str] = []
    with subprocess.Popen(
        argv,
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stderr is not None
        for text in proc.stderr:  # read as printed; the first progress line is all the test needs
            seen.append(text)
            if line.search(text):
                proc.terminate()  # the rest of the budget would only repeat it
                break
        proc.communicate(timeout=300)
    assert line.search(seen[-1] if seen else ""), "".join(seen)[-2000:]
