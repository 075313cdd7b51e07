"""Start rfsn as a real child process, as a user's shell would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def _interruptible() -> None:
    # A job started in the background of a non-interactive shell (`cmd &`, nohup) inherits
    # SIGINT ignored, and Python then never raises KeyboardInterrupt. A shell in the
    # foreground gives its child the default disposition; so does this.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_rfsn(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "rfsn", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_interruptible,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )


def stop(proc: subprocess.Popen[str]) -> None:
    """Kill `proc` if it still runs and reap it, closing its pipes."""
    if proc.poll() is None:
        proc.kill()
    proc.communicate()
