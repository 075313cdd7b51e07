"""Which tests a Go test binary's "test timed out" panic stopped, and which it only cut short.

``go test -timeout`` limits the whole binary, not one test: when it fires, only a test whose own
elapsed time reached the limit ran too long (``TIMEOUT``); the others still running had not failed
and must run again. Go 1.20+ names each running test and its own elapsed time after the panic
(``running tests:`` then ``\\tTestTwo (2s)``); before, the tests started and not ended when the
panic was printed are the running ones, their elapsed time read from test2json's timestamps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_TIMED_OUT = re.compile(r"^panic: test timed out after (?P<limit>\S+)$")
_RUNNING = re.compile(r"^\t(?P<test>\S+) \((?P<elapsed>[0-9.hmµuns]+)\)\n?$")
_UNIT = re.compile(r"(?P<n>[0-9.]+)(?P<unit>h|ms|us|µs|ns|m|s)")
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_ENDS = {"pass", "fail", "skip"}


def go_seconds(duration: str) -> float:
    """Seconds of a Go ``time.Duration`` as Go prints it (``3s``, ``1m0s``, ``1.5s``)."""
    return sum(float(m["n"]) * _SECONDS[m["unit"]] for m in _UNIT.finditer(duration))


@dataclass
class TimedOut:
    """A package whose test binary timed out: the message, the tests that ran past the limit
    (``timed_out``) and those it cut short (``cut``), as ``<package>/<test>`` ids."""

    package: str
    reason: str
    timed_out: list[str] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)


def _when(event: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(event.get("Time")))
    except ValueError:
        return None


def timed_out_packages(events: Iterable[dict[str, Any]]) -> dict[str, TimedOut]:
    """Each timed-out package of ``go test -json``'s events, by import path."""
    started: dict[str, dict[str, datetime | None]] = {}
    found: dict[str, TimedOut] = {}
    limits: dict[str, float] = {}
    estimated: dict[str, dict[str, float]] = {}  # from the timestamps
    named: dict[str, dict[str, float]] = {}  # from the ``running tests:`` lines
    for event in events:
        package, test, action = event.get("Package"), event.get("Test"), event.get("Action")
        if not package:
            continue
        if package in found:
            text = (event.get("Output") or "") if action == "output" else ""
            if text == "running tests:\n":
                named.setdefault(package, {})
            elif package in named and (running := _RUNNING.match(text)):
                named[package][running["test"]] = go_seconds(running["elapsed"])
        elif test and action == "run":
            started.setdefault(package, {})[test] = _when(event)
        elif test and action in _ENDS:
            started.get(package, {}).pop(test, None)
        elif action == "output" and (panic := _TIMED_OUT.match((event.get("Output") or "").rstrip("\n"))):
            found[package] = TimedOut(package, panic.group(0).removeprefix("panic: "))
            limits[package], now = go_seconds(panic["limit"]), _when(event)
            estimated[package] = {
                t: round((now - at).total_seconds()) if now and at else 0.0
                for t, at in started.get(package, {}).items()
            }
    for package, timed in found.items():
        for test, elapsed in named.get(package, estimated[package]).items():
            (timed.timed_out if elapsed >= limits[package] else timed.cut).append(f"{package}/{test}")
    return found
