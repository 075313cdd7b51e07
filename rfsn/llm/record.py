"""The record of a session's model exchanges, and replay from it.

Every exchange is a JSON line ``{"key", "request", "reply"}``; the key is a
hash of the whole request (provider, model, messages, output limit,
temperature). Replay answers each request from the record, in order for
repeated requests, and never calls a model: a request the record does not
hold is an error.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from rfsn.errors import ConfigError
from rfsn.llm.base import Message, Reply

RECORD = "llm.jsonl"


def request_key(provider: str, model: str, messages: list[Message], max_tokens: int,
                temperature: float) -> tuple[str, dict[str, Any]]:
    request = {"provider": provider, "model": model, "max_tokens": max_tokens,
               "temperature": temperature, "messages": [m.model_dump() for m in messages]}
    blob = json.dumps(request, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest(), request


class Recorder:
    def __init__(self, path: Path, replay_from: Path | None = None) -> None:
        self.path = path
        self.replaying = replay_from is not None
        self._answers: dict[str, list[Reply]] = defaultdict(list)
        if replay_from is not None:
            source = replay_from / RECORD if replay_from.is_dir() else replay_from
            if not source.is_file():
                raise ConfigError(f"--replay: no model record at {source}")
            for line in source.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                self._answers[entry["key"]].append(Reply.model_validate(entry["reply"]))

    def write(self, provider: str, model: str, messages: list[Message], max_tokens: int,
              temperature: float, reply: Reply) -> None:
        key, request = request_key(provider, model, messages, max_tokens, temperature)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as sink:
            sink.write(json.dumps({"key": key, "request": request,
                                   "reply": reply.model_dump()}) + "\n")

    def replay(self, provider: str, model: str, messages: list[Message], max_tokens: int,
               temperature: float) -> Reply:
        key, _ = request_key(provider, model, messages, max_tokens, temperature)
        answers = self._answers.get(key)
        if not answers:
            raise ConfigError(f"--replay: the record holds no answer to this request ({key[:12]}); "
                              f"a replayed session never calls a model")
        reply = answers.pop(0)
        self.write(provider, model, messages, max_tokens, temperature, reply)
        return reply
