"""The record of a session's model exchanges, and replay from it.

Every exchange is a JSON line ``{"key", "request", "reply", "cached"}``; the
key is a hash of the whole request (provider, model, messages, tools, output
limit, temperature), and the reply holds its text, tool calls and usage.
``cached`` marks a reply the response cache answered (no tokens were spent
on it). Replay answers each request from the record, in order for repeated
requests, and never calls a model: a request the record does not hold is an
error.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rfsn.errors import ConfigError
from rfsn.fsutil import PRIVATE_MODE, append_line
from rfsn.inputs import json_lines, read_bounded
from rfsn.llm.base import Message, Reply, Tool

RECORD = "llm.jsonl"


def request_key(
    provider: str, model: str, messages: list[Message], max_tokens: int, temperature: float, tools: Sequence[Tool] = ()
) -> tuple[str, dict[str, Any]]:
    request: dict[str, Any] = {
        "provider": provider,
        "model": model,
        "max_tokens": max_tokens,
        "temperature": temperature,
        "messages": [m.model_dump() for m in messages],
    }
    if tools:  # absent, not empty, without tools: a record made before tools keeps its keys
        request["tools"] = [t.model_dump() for t in tools]
    blob = json.dumps(request, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest(), request


class Recorder:
    def __init__(self, path: Path, replay_from: Path | None = None) -> None:
        self.path = path
        self.replaying = replay_from is not None
        self._answers: dict[str, list[tuple[Reply, bool]]] = defaultdict(list)
        if replay_from is not None:
            source = replay_from / RECORD if replay_from.is_dir() else replay_from
            if not source.is_file():
                raise ConfigError(f"--replay: no model record at {source}")
            for number, entry in json_lines(read_bounded(source), str(source)):
                try:
                    self._answers[entry["key"]].append(
                        (Reply.model_validate(entry["reply"]), bool(entry.get("cached")))
                    )
                except (KeyError, TypeError, ValidationError) as exc:
                    raise ConfigError(
                        f"{source}:{number}: not a line of a model record ({type(exc).__name__}: {str(exc)[:100]})"
                    ) from exc

    def write(self, key: str, request: dict[str, Any], reply: Reply, cached: bool = False) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_MODE)
        try:  # a whole line or none, on a full disk too
            append_line(
                fd,
                self.path,
                json.dumps({"key": key, "request": request, "reply": reply.model_dump(), "cached": cached}),
                sync=False,
            )
        finally:
            os.close(fd)

    def replay(self, key: str, request: dict[str, Any]) -> tuple[Reply, bool]:
        """The recorded reply to this request, and whether the cache had answered it."""
        answers = self._answers.get(key)
        if not answers:
            raise ConfigError(
                f"--replay: the record holds no answer to this request ({key[:12]}); "
                f"a replayed session never calls a model"
            )
        reply, cached = answers.pop(0)
        self.write(key, request, reply, cached)
        return reply, cached
