"""The containers this process has created and not yet removed, closed on the way out.

A stop signal can land anywhere: after the daemon created a container but before the
code that would close it holds it (the rest of a constructor, the step into a ``try``),
or in the middle of the removal itself. Each Docker sandbox registers here the moment
its container exists (with stop signals held back) and leaves once it is removed;
:func:`close_all` closes whatever is still registered. It runs at interpreter exit and
from a batch worker that is ending on SIGTERM (which exits without running atexit).
"""

from __future__ import annotations

import atexit
import contextlib
import signal
from collections.abc import Callable, Iterator

#: the signals that stop rfsn; held back while a container is created or removed
STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})

_live: dict[int, Callable[[], None]] = {}


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block ends: a daemon request cut short by one leaves a
    container created (or still there) after we stopped waiting. A pending signal is
    delivered when the block ends."""
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def register(key: int, close: Callable[[], None]) -> None:
    _live[key] = close


def unregister(key: int) -> None:
    _live.pop(key, None)


def close_all() -> None:
    """Close every registered sandbox (each close unregisters itself)."""
    for close in list(_live.values()):
        with contextlib.suppress(Exception):
            close()


atexit.register(close_all)
