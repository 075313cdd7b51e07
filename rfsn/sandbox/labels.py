"""Labels on everything rfsn creates in Docker, so nothing outlives a crash."""

from __future__ import annotations

import os
import socket

MANAGED = "rfsn.managed"
SESSION = "rfsn.session"
PID = "rfsn.pid"
HOST = "rfsn.host"
RUN = "rfsn.run"
#: the environment variable that names a run for every process of it
RUN_VARIABLE = "RFSN_RUN"


def run() -> str:
    """The run a container belongs to: ``RFSN_RUN`` where the processes of one run are named as
    one (the test suite names its own and its children's), else this process on this host."""
    return os.environ.get(RUN_VARIABLE) or f"{socket.gethostname()}:{os.getpid()}"


def for_session(session_id: str) -> dict[str, str]:
    return {MANAGED: "1", SESSION: session_id, PID: str(os.getpid()), HOST: socket.gethostname(), RUN: run()}


def owner_alive(labels: dict[str, str]) -> bool:
    """Whether the process that created a container still runs (on this host)."""
    if labels.get(HOST) != socket.gethostname():
        return True  # not ours to judge
    try:
        os.kill(int(labels.get(PID, "0")), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return int(labels.get(PID, "0")) > 0
