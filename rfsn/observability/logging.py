"""structlog, configured once: readable lines on stderr, JSON lines to a file.

Context (session_id, instance_id, phase, step) is bound through contextvars
with ``bind(...)`` and appears on every event logged while it is bound.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import structlog

from rfsn.fsutil import SHARED_MODE, append_line

_json_sink: _LineSink | None = None
_extra_sinks: list[_LineSink] = []
_render_json = structlog.processors.JSONRenderer()


def _tee_json(logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    sinks = [_json_sink, *_extra_sinks] if _json_sink is not None else _extra_sinks
    if sinks:
        line = str(_render_json(logger, method, dict(event)))
        for sink in sinks:
            sink.write(line)
    return event


class _LineSink:
    """A JSON-lines file written one whole line at a time (``fsutil.append_line``)."""

    def __init__(self, path: Path, mode: int | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666 if mode is None else mode)
        if mode is not None:
            os.fchmod(self.fd, mode)  # the same mode whatever the umask

    def write(self, line: str) -> None:
        append_line(self.fd, self.path, line, sync=False)

    def close(self) -> None:
        os.close(self.fd)


@contextmanager
def events_to(path: Path) -> Iterator[None]:
    """Also write every event logged inside the block as a JSON line to ``path``."""
    sink = _LineSink(path, SHARED_MODE)
    _extra_sinks.append(sink)
    try:
        yield
    finally:
        _extra_sinks.remove(sink)
        sink.close()


_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Never log ``value`` (an API key): every event has it replaced by ``[redacted]``."""
    if len(value) >= 8:
        _secrets.add(value)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        for secret in _secrets:
            value = value.replace(secret, "[redacted]")
        return value
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub(v) for v in value)
    return value


def _redact(logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    if _secrets:
        for key, value in event.items():
            event[key] = _scrub(value)
    return event


def _console_filter(threshold: int) -> Any:
    """Events below ``threshold`` still reach the JSON sinks, but not the console."""

    def drop_below(logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        if logging.getLevelNamesMapping().get(method.upper(), logging.INFO) < threshold:
            raise structlog.DropEvent
        return event

    return drop_below


def configure(level: str = "info", json_file: Path | None = None, console: bool = True) -> None:
    """Configure structlog for this process. Calling it again replaces the setup.

    ``level`` is the console's; JSON sinks (``json_file``, ``events_to``) get
    every event from info up.
    """
    global _json_sink
    if _json_sink is not None:
        _json_sink.close()
        _json_sink = None
    if json_file is not None:
        _json_sink = _LineSink(json_file)
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty()) if console else structlog.processors.JSONRenderer()
    )
    threshold = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact,
            _tee_json,
            _console_filter(threshold),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(min(threshold, logging.INFO)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def bind(**context: Any) -> None:
    structlog.contextvars.bind_contextvars(**context)


def unbind(*keys: str) -> None:
    structlog.contextvars.unbind_contextvars(*keys)


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
