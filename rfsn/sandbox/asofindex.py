"""The loopback index of ``asof``: a server of PyPI's pages as of a date, for an env build."""

from __future__ import annotations

import hashlib
import json
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple

from packaging.utils import canonicalize_name

from rfsn.buildpacks.datedindex import PYPI, RAISED_VIEW
from rfsn.observability.logging import get_logger
from rfsn.sandbox.asof import (
    LATER_PATH,
    Pin,
    cutoff,
    effective,
    file_version,
    kept,
    raised_cutoff,
    released,
    render,
    uploaded,
)

log = get_logger(__name__)

UPSTREAM = PYPI
_JSON = "application/vnd.pypi.simple.v1+json"
#: the loopback index's ports (below Linux's ephemeral range, which starts at 32768)
_PORTS = (20000, 32000)


@contextmanager
def serving(
    date: str,
    pinned: set[Pin],
    ca_bundle: Path | None,
    upstream: str = UPSTREAM,
    floors: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """A loopback index of ``upstream`` as of ``date``; yields its URL (``.../simple``).
    ``floors``: project -> a date whose first release after it the index serves too (``kept``).
    The URL names what the index serves and is the same from build to build where its port is
    free: a build's steps see it (a build argument), so Docker reuses their layers only then."""
    import httpx

    key = hashlib.sha256(
        json.dumps([date, sorted(pinned), sorted((floors or {}).items()), upstream]).encode()
    ).hexdigest()[:16]

    verify = ssl.create_default_context(cafile=str(ca_bundle)) if ca_bundle else True
    client = httpx.Client(verify=verify, follow_redirects=True, timeout=60.0, headers={"Accept": _JSON})
    index = _Index(client, upstream, date, pinned, floors or {})
    try:  # a port of its own; one in use (another build's) gives a URL of this build only
        server = ThreadingHTTPServer(
            ("127.0.0.1", _PORTS[0] + int(key, 16) % (_PORTS[1] - _PORTS[0])), _handler(index, key)
        )
    except OSError:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(index, key))
    thread = threading.Thread(target=server.serve_forever, name="rfsn-asof-index", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{key}/simple"
    finally:
        server.shutdown()
        server.server_close()
        client.close()


class _Index:
    """What the loopback index serves: ``upstream``'s pages as of the cutoff (``date``, moved on
    by the releases ``pinned`` names), the raised views, and the notes on what it served from later."""

    def __init__(self, client: Any, upstream: str, date: str, pinned: set[Pin], floors: Mapping[str, str]) -> None:
        import httpx

        self.client, self.upstream, self.date, self.pinned = client, upstream, date, pinned
        try:
            self.before = effective(
                cutoff(date), (released(name, version, self.files(name)) for name, version in sorted(pinned))
            )
        except httpx.HTTPError:
            self.before = cutoff(date)  # the build's own pip will say what it cannot reach
        log.info("image.index", date=date, cutoff=self.before.isoformat(), pins=len(pinned))
        self.floors = {canonicalize_name(name): cutoff(day) for name, day in floors.items()}
        self.later: list[str] = []
        self.views: dict[tuple[str, str], datetime] = {}
        self.lock = threading.Lock()

    def files(self, project: str) -> list[Mapping[str, Any]]:
        answer = self.client.get(f"{self.upstream}/{project}/")
        return answer.json().get("files", []) if answer.status_code == 200 else []

    def view(self, day: str, names: str) -> datetime:
        """The cutoff of ``/raised/DAY/NAMES`` (``raised_cutoff``), asked of upstream once."""
        with self.lock:
            if (day, names) not in self.views:
                at = max(self.before, raised_cutoff(cutoff(day), {n: self.files(n) for n in names.split(",")}))
                self.views[(day, names)] = at
                self.later.append(
                    f"{names.replace(',', ', ')} and what they require: as PyPI had them before "
                    f"{at.date()}, the day after their first releases after {day} (the "
                    f"environment's Python), not before {self.date}"
                )
            return self.views[(day, names)]

    def answer(self, path: str, key: str) -> Reply:
        """The reply to a request of ``path`` (``/KEY/...``)."""
        import httpx

        if path == f"/{key}{LATER_PATH}":
            return Reply(200, "".join(f"{line}\n" for line in self.later), "text/plain")
        parts = path.strip("/").split("/")[1:] if path.startswith(f"/{key}/") else []
        project = parts[-1] if parts else ""
        if len(parts) == 5 and f"/{parts[0]}" == RAISED_VIEW and parts[3] == "simple":
            try:
                at = self.view(parts[1], parts[2])
            except (httpx.HTTPError, ValueError) as exc:
                return Reply(502, str(exc)[:200])
            return self.page(project, at, None, str(at.date()))
        if not path.startswith(f"/{key}/simple/") or not project:
            return Reply(404)
        return self.page(project, self.before, self.floors.get(canonicalize_name(project)), self.date)

    def page(self, project: str, before: datetime, floor: datetime | None, date: str) -> Reply:
        """``project``'s page as of ``before`` (and ``floor``), noting a release served from later."""
        import httpx

        try:
            answer = self.client.get(f"{self.upstream}/{project}/")
        except httpx.HTTPError as exc:
            return Reply(502, str(exc)[:200])
        if answer.status_code != 200:
            return Reply(answer.status_code)
        served = kept(project, answer.json().get("files", []), before, self.pinned, floor)
        newer = sorted({v for f in served if (v := file_version(f["filename"])) and uploaded(f) >= before})
        if newer and not any(canonicalize_name(project) == name for name, _ in self.pinned):
            note = (
                (
                    f"{canonicalize_name(project)}: nothing on PyPI before {date}, its first "
                    f"release after it ({newer[0]})"
                )
                if floor is None or floor <= before
                else (
                    f"{canonicalize_name(project)}: {newer[-1]}, its first release after "
                    f"{floor.date()} (the environment's Python), not one of before {date}"
                )
            )
            if note not in self.later:
                self.later.append(note)
                log.warning("image.index_later", project=project, version=newer[0])
        return Reply(200, render(project, served), "text/html")


def _handler(index: _Index, key: str) -> type[BaseHTTPRequestHandler]:
    """The request handler of a server of ``index`` under ``/KEY``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            reply = index.answer(self.path, key)
            if reply.status != 200:
                self.send_error(reply.status, reply.text)
                return
            body = (reply.text or "").encode()
            self.send_response(200)
            self.send_header("Content-Type", f"{reply.kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


class Reply(NamedTuple):
    """The index's answer to one request: a status, the page (or the error's message), its type."""

    status: int
    text: str | None = None
    kind: str = "text/html"
