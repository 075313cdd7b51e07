"""A command's output as the sandbox keeps it: stdout and stderr merged a whole line at a time,
its middle cut out past a limit."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable

from rfsn.models.results import MAX_OUTPUT


class Lines:
    """stdout and stderr merged a whole line at a time. The daemon reads the two pipes apart, so
    a line written in two parts (libtest's ``test NAME ... `` before the test ends, ``ok`` after)
    could be split by the other stream's next line, and its status lost to a parser. A part
    without its newline waits (at most ``hold`` bytes) until the rest of its line arrives."""

    def __init__(self, hold: int = 64 * 1024) -> None:
        self.hold = hold
        self.partial: dict[int, bytes] = {}

    def feed(self, stream: int, data: bytes) -> bytes:
        """What of ``stream``'s ``data`` can be passed on now: its complete lines."""
        held = self.partial.get(stream, b"") + data
        cut = len(held) if len(held) > self.hold else held.rfind(b"\n") + 1
        self.partial[stream] = held[cut:]
        return held[:cut]

    def rest(self) -> bytes:
        """The parts still waiting for their newline (the streams ended, or the reading did)."""
        rest = b"".join(self.partial.values())
        self.partial.clear()
        return rest


def capped(chunks: Iterable[bytes], limit: int = MAX_OUTPUT, deadline: float | None = None) -> tuple[str, bool]:
    """The stream decoded, its middle cut out past ``limit`` bytes; never holds more than ``limit``.

    Returns the text and whether ``deadline`` (monotonic) passed while reading.
    """
    half = limit // 2
    head = bytearray()
    tail: deque[bytes] = deque()
    tail_size = total = 0
    for chunk in chunks:
        total += len(chunk)
        room = half - len(head)
        if room > 0:
            head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            tail.append(chunk)
            tail_size += len(chunk)
            while tail and tail_size - len(tail[0]) >= half:
                tail_size -= len(tail.popleft())
        if deadline is not None and time.monotonic() > deadline:
            return _joined(head, tail, half, total), True
    return _joined(head, tail, half, total), False


def _joined(head: bytearray, tail: deque[bytes], half: int, total: int) -> str:
    rest = b"".join(tail)
    if len(head) + len(rest) == total:
        return (bytes(head) + rest).decode("utf-8", "replace")
    kept = rest[-half:]
    cut = total - len(head) - len(kept)
    return f"{head.decode('utf-8', 'replace')}\n... [{cut} bytes cut] ...\n{kept.decode('utf-8', 'replace')}"
