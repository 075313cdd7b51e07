"""The response cache: a reply is paid for once, whichever session asks again.

An sqlite file under the rfsn home, keyed by the hash of the whole request
(``record.request_key``) and by how many times the same session has asked it
before: a session that samples the same request three times gets three
replies, and the next session that asks the same three times gets the same
three, free. The cache is scoped by the server it was answered by (its base
URL): the same model name behind another server is another model. WAL mode and
a busy timeout make it safe for concurrent batch workers; each operation opens
its own connection. Switching a new file to WAL takes a lock that sqlite does
not wait for, so creating the file is retried while another worker holds it.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tenacity import retry, retry_if_exception, stop_after_delay, wait_random

from rfsn.llm.base import Reply

FILE = "llm-cache.sqlite"
BUSY_SECONDS = 30.0


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


class ResponseCache:
    def __init__(self, path: Path, scope: str = "") -> None:
        self.path, self.scope = path, scope
        self._asked: Counter[str] = Counter()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._create()

    @retry(
        retry=retry_if_exception(_locked),
        stop=stop_after_delay(BUSY_SECONDS),
        wait=wait_random(0.01, 0.1),
        reraise=True,
    )
    def _create(self) -> None:
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, reply TEXT NOT NULL, created REAL NOT NULL)"
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    def _slot(self, key: str) -> str:
        return f"{self.scope}|{key}:{self._asked[key]}"

    def get(self, key: str) -> Reply | None:
        """The cached reply to this request's next asking in this session, if any."""
        with self._connect() as db:
            row = db.execute("SELECT reply FROM replies WHERE key = ?", (self._slot(key),)).fetchone()
        if row is None:
            return None
        self._asked[key] += 1
        return Reply.model_validate_json(row[0])

    def put(self, key: str, reply: Reply) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO replies VALUES (?, ?, ?)",
                (self._slot(key), reply.model_dump_json(), time.time()),
            )
        self._asked[key] += 1
