"""Progress lines for logs: when output is not a terminal, say every so often what is going on.

A live display redraws in place on a terminal; in a CI log or a file it shows
nothing until the end. ``Heartbeat`` fills that silence: a daemon thread prints
one line (phase, step, elapsed, budget left: whatever ``status`` returns) every
``interval`` seconds, and nothing at all on a terminal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType

from rich.console import Console

from rfsn.observability.console import console as plain_console
from rfsn.observability.console import shown

#: seconds between two progress lines (the promise is "at least every 30 seconds")
INTERVAL = 20.0


def clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class Heartbeat:
    """Print ``prefix status()`` every ``interval`` seconds while the block runs, off a terminal."""

    def __init__(
        self, prefix: str, status: Callable[[float], str], console: Console | None = None, interval: float = INTERVAL
    ) -> None:
        self.prefix, self.status, self.interval = prefix, status, interval
        self.console = console or plain_console(stderr=True)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.say(time.monotonic() - self._started)

    def say(self, elapsed: float) -> None:
        """One progress line, as it is and on one line."""
        self.console.print(
            f"{self.prefix}: {shown(self.status(elapsed))}", markup=False, highlight=False, emoji=False, soft_wrap=True
        )

    def __enter__(self) -> Heartbeat:
        self._started = time.monotonic()
        if not self.console.is_terminal:
            self._thread = threading.Thread(target=self._run, name="rfsn-heartbeat", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
