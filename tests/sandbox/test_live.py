"""Stop signals held while a container is created or removed (rfsn.sandbox.live)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from rfsn.sandbox import live


class Stopped(BaseException):
    pass


@pytest.fixture
def raising_term() -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise Stopped(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    yield
    signal.signal(signal.SIGTERM, previous)


def busy(seconds: float) -> None:
    """Run bytecode, where Python runs a pending handler."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass


@pytest.mark.usefixtures("raising_term")
def test_a_signal_in_the_block_is_raised_as_it_ends() -> None:
    reached_end = False
    with pytest.raises(Stopped), live.signals_held():
        os.kill(os.getpid(), signal.SIGTERM)
        busy(0.2)
        reached_end = True
    assert reached_end


@pytest.mark.usefixtures("raising_term")
def test_a_signal_another_thread_receives_is_held_too() -> None:
    """The kernel gives a process-directed signal to any thread that does not block it;
    Python still runs the handler in the main thread, so the hold must be there."""
    done = threading.Event()
    other = threading.Thread(target=done.wait, daemon=True)
    other.start()
    reached_end = False
    try:
        with pytest.raises(Stopped), live.signals_held():
            for _ in range(20):  # a few tries: the kernel picks the thread
                os.kill(os.getpid(), signal.SIGTERM)
                busy(0.05)
            reached_end = True
    finally:
        done.set()
        other.join()
    assert reached_end


@pytest.mark.usefixtures("raising_term")
def test_holds_nest_and_the_handler_comes_back() -> None:
    with pytest.raises(Stopped), live.signals_held():
        with live.signals_held():
            os.kill(os.getpid(), signal.SIGTERM)
            busy(0.05)
        busy(0.05)  # still held by the outer block
    assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    with pytest.raises(Stopped):
        os.kill(os.getpid(), signal.SIGTERM)
        busy(0.05)


def test_in_another_thread_the_block_runs_as_is() -> None:
    ran: list[bool] = []

    def body() -> None:
        with live.signals_held():
            ran.append(True)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert ran == [True]
