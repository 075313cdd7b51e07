"""One request to a warm server in the sandbox: a JSON line over its unix socket, a JSON line back.

The socket lives in the sandbox's scratch directory, which the host sees too, so
a request costs no ``docker exec``. The run's output is in the file the request
named (``output``), read back here.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

from rfsn.errors import SandboxError
from rfsn.inputs import MAX_FILE_BYTES, json_value
from rfsn.models import ExecResult, truncate_output

#: seconds a reply may come after the run's own timeout (the server kills the run at its timeout)
GRACE = 30.0


class ServerGone(SandboxError):
    """The server did not answer: its socket is gone, it closed the connection, or it sent no JSON."""


def ask(socket_path: Path, request: dict[str, Any], timeout: float) -> dict[str, Any]:
    """The server's reply to ``request`` (``timeout``: the run's, the server enforces it)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout + GRACE)
            conn.connect(str(socket_path))
            conn.sendall(json.dumps(request).encode() + b"\n")
            reply = json_value(conn.makefile("rb").readline(MAX_FILE_BYTES))
    except (OSError, ValueError) as exc:  # ValueError: JSONDecodeError, an empty line included
        raise ServerGone(str(exc)) from exc
    if not isinstance(reply, dict):
        raise ServerGone(f"not a reply: {reply!r}")
    return reply


def run_through(
    socket_path: Path, request: dict[str, Any], argv: list[str], output: Path, timeout: float
) -> ExecResult | None:
    """``argv`` as run by the server: its reply and the output it wrote to ``output``; None
    when the server declined the run (``{"cold": true}``: the caller runs it cold)."""
    started = time.monotonic()
    reply = ask(socket_path, request, timeout)
    if reply.get("cold"):
        return None
    text = output.read_text(encoding="utf-8", errors="replace") if output.exists() else ""
    return ExecResult(
        argv=argv,
        exit_code=int(reply["exit_code"]),
        output=truncate_output(text),
        duration=time.monotonic() - started,
        timed_out=bool(reply["timed_out"]),
    )
