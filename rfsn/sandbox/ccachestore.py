"""A repository's compile cache on the host, by the commit that added each entry, and the views of it
that a sandbox's setup or an env build reads.

Each entry a kept setup (or an env build) wrote is stored once per content, ``entries/<key>.<digest>``,
and named under that commit in ``commits/<commit>`` (``<key> <digest>`` lines). A view is a folder of
ccache's ``file`` storage layout holding, as hard links, only the entries recorded by the commit
being set up or built and by its ancestors (the commits ``git rev-list`` reaches from it in that
repository; where two of them wrote one key, the nearer one's). It guarantees that nothing compiled
from a later commit or another branch of the repository (an object of its code, a manifest naming
its paths and hashes) can be read or hit through the view; a setup removes its view when it ends.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from rfsn import hostgit
from rfsn.observability.logging import get_logger

#: a part of an entry's path in a view (ccache's keys are base32hex)
_NAME = re.compile(r"[0-9a-zA-Z]{1,64}")
#: a commit's name, as the index files are named
_COMMIT = re.compile(r"[0-9a-f]{40,64}")
log = get_logger(__name__)


def keep(store: Path, new: Path, commit: str) -> int:
    """Add the entries under ``new`` (a view's layout, written by a setup or build of ``commit``)
    to ``store`` and record them under ``commit``; how many were new to it. ``new`` is removed."""
    lines, added = [], 0
    for path in sorted(new.rglob("*")) if new.is_dir() else []:
        key = path.relative_to(new).as_posix()
        if path.is_symlink() or not path.is_file() or not all(map(_NAME.fullmatch, key.split("/"))):
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:24]
        blob = store / "entries" / f"{key}.{digest}"
        if not blob.exists():
            blob.parent.mkdir(parents=True, exist_ok=True)
            temporary = blob.with_name(f".{blob.name}.{uuid.uuid4().hex[:8]}")
            shutil.copyfile(path, temporary)
            os.replace(temporary, blob)
            added += 1
        lines.append(f"{key} {digest}\n")
    shutil.rmtree(new, ignore_errors=True)
    if lines and _COMMIT.fullmatch(commit):
        (store / "commits").mkdir(parents=True, exist_ok=True)
        descriptor = os.open(store / "commits" / commit, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:  # one append per setup: concurrent setups of one commit interleave whole records
            os.write(descriptor, "".join(lines).encode())
        finally:
            os.close(descriptor)
    if added:
        log.info("sandbox.compile_cache_stored", store=str(store), entries=added, commit=commit)
    return added


def view(store: Path, repo: Path, commit: str) -> Path:
    """A new folder beside ``store`` (``views/``) holding what ``commit``'s setups and its
    ancestors' wrote, ``commit`` named in ``repo``; the caller removes it."""
    folder = store.parent / "views" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    chosen: dict[str, str] = {}
    for ancestor in _indexed_ancestors(store, repo, commit):
        for line in (store / "commits" / ancestor).read_text().splitlines():
            key, _, digest = line.partition(" ")
            chosen.setdefault(key, digest)
    for key, digest in chosen.items():
        blob, link = store / "entries" / f"{key}.{digest}", folder / key
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(blob, link)
        except FileNotFoundError:  # an entry removed from the store: a miss
            continue
        except OSError:  # another filesystem: a copy
            shutil.copyfile(blob, link)
    return folder


def _indexed_ancestors(store: Path, repo: Path, commit: str) -> list[str]:
    """The commits recorded in ``store`` that ``commit`` reaches in ``repo``, nearest first."""
    index = store / "commits"
    recorded = {path.name for path in index.iterdir()} if index.is_dir() else set()
    if not recorded:
        return []
    done = hostgit.run(None, "-C", str(repo), "rev-list", commit)
    return [line for line in done.stdout.split() if line in recorded] if done.returncode == 0 else []


@contextmanager
def serving(store: Path, repo: Path, commit: str) -> Iterator[str]:
    """The view of ``store`` for ``commit`` (in ``repo``) over HTTP on loopback, as ccache's
    ``http`` storage reads and writes it: for an env build, which has no mounts. What the build
    compiles is kept under ``commit`` when it succeeds, as a kept setup's is."""
    folder = view(store, repo, commit)
    new = folder.with_name(f"{folder.name}-new")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(folder, new))
    threading.Thread(target=server.serve_forever, name="rfsn-ccache-store", daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()
        keep(store, new, commit)
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(new, ignore_errors=True)


def _handler(folder: Path, new: Path) -> type[BaseHTTPRequestHandler]:
    """Reads from ``folder`` then ``new``; writes to ``new``."""

    class Handler(BaseHTTPRequestHandler):
        def _key(self) -> str | None:
            parts = self.path.strip("/").split("/")
            return "/".join(parts) if len(parts) == 2 and all(map(_NAME.fullmatch, parts)) else None

        def do_GET(self) -> None:
            key = self._key()
            entry = next((root / key for root in (new, folder) if key and (root / key).is_file()), None)
            if entry is None:
                self.send_error(404)
                return
            body = entry.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)

        do_HEAD = do_GET

        def do_PUT(self) -> None:
            key = self._key()
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if key is None:
                self.send_error(400)
                return
            entry = new / key
            entry.parent.mkdir(parents=True, exist_ok=True)
            temporary = entry.with_name(f".{entry.name}.{uuid.uuid4().hex[:8]}")
            temporary.write_bytes(body)
            os.replace(temporary, entry)
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
