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
import threading
from collections.abc import Callable, Iterator

#: the signals that stop rfsn; held back while a container is created or removed
STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})

_live: dict[int, Callable[[], None]] = {}


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block ends: a daemon request cut short by one leaves a
    container created (or still there) after we stopped waiting. A signal that arrives in
    the block is raised again as it ends.

    Held where Python runs its handlers: in the main thread, between bytecodes. Blocking
    the signal for this thread (``pthread_sigmask``) is not enough: the kernel then hands
    it to another thread (a heartbeat, a warm runner), and the main thread still runs the
    handler at its next bytecode, inside the block. In another thread no handler can
    interrupt the block, so there is nothing to hold."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    held = [signum for signum, handler in previous.items() if handler is not None and handler != signal.SIG_IGN]
    for signum in held:
        signal.signal(signum, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        for signum in held:
            signal.signal(signum, previous[signum])
        for number in dict.fromkeys(received):
            signal.raise_signal(number)


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
