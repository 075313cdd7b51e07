"""A Python package index as it was on a date: env builds resolve what the harness resolved.

An env recipe resolves its unpinned packages when its image is built, so the same spec gives
newer packages each year, and some of them break the project's old tests (pytest 8 dropped
nose-style ``setup()``, docutils 0.22 moved ``roman``): the dataset's verdicts were made with
the packages of their day. With ``EnvRecipe.index_date`` set, the build's pip reads a loopback
index that serves PyPI's files uploaded before that date. A recipe that pins a release made
later was known to work when that release came out: the cutoff moves to the day after the
newest release the recipe pins exactly (sphinx's spec pins ``tox==4.16.0``, of 2024-07-02,
and tox needs a cachetools of 2024-03). Pages are PEP 503 HTML rendered
from PyPI's JSON (PEP 691 and 700, which carry each file's upload time), so every pip reads
them, old ones included. Files are fetched from their usual host: only the listing is filtered.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import ssl
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from packaging.specifiers import Specifier
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from rfsn.buildpacks.python.pyenv import PYPI, RAISED_VIEW
from rfsn.observability.logging import get_logger

log = get_logger(__name__)

UPSTREAM = PYPI
_JSON = "application/vnd.pypi.simple.v1+json"
_PIN = re.compile(r"(?<![\w.-])([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?"
                  r"\s*==\s*([A-Za-z0-9.+!_-]*[A-Za-z0-9+!_-](?:\.\*)?)")

Pin = tuple[str, str]
#: the index's page of what it served from after its date, one line a project (the build's last
#: step keeps it in the image, for the session's report)
LATER_PATH = "/rfsn/later"
#: the loopback index's ports (below Linux's ephemeral range, which starts at 32768)
_PORTS = (20000, 32000)


def pins(texts: Iterable[str]) -> set[Pin]:
    """Every ``name==version`` the texts (build steps, requirement files) pin, normalized."""
    found: set[Pin] = set()
    for text in texts:
        for name, version in _PIN.findall(text):
            prefix = version.removesuffix(".*")
            try:
                found.add((canonicalize_name(name), str(Version(prefix)) + version[len(prefix):]))
            except InvalidVersion:
                continue
    return found


def _version(filename: str) -> str | None:
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def kept(project: str, files: Iterable[Mapping[str, Any]], before: datetime,
         pinned: set[Pin], floor: datetime | None = None) -> list[Mapping[str, Any]]:
    """Pure: the files of ``project`` uploaded before ``before``, or of a version pinned; when
    there are none (deleted from PyPI since), those of its first release after ``before``. With
    a ``floor`` later than ``before``, also those of its first final release after ``floor`` (its
    newest, if none came after): the release pip takes unless a requirement bounds it."""
    name = canonicalize_name(project)
    out, later = [], []
    for file in files:
        uploaded = file.get("upload-time")
        when = datetime.fromisoformat(uploaded.replace("Z", "+00:00")) if uploaded else None
        if when is None or when < before or (name, _version(file["filename"]) or "") in pinned:
            out.append(file)
        elif _version(file["filename"]) is not None:
            later.append((when, file))
    if floor is not None and floor > before and (found := raised(later, floor)) is not None:
        return [*out, *(file for _, file in later if _version(file["filename"]) == found[0])]
    if out or not later:
        return out
    first = _version(min(later, key=lambda pair: pair[0])[1]["filename"])
    return [file for _, file in later if _version(file["filename"]) == first]


def raised(files: Iterable[tuple[datetime, Mapping[str, Any]]], floor: datetime) -> tuple[str, datetime] | None:
    """Pure: the first final release among ``files`` (upload time, file) after ``floor``, or the
    newest if none came after, with when it was first uploaded (None: no final release)."""
    finals = [pair for pair in files if not _prerelease(pair[1]["filename"])]
    if not finals:
        return None
    since = [pair for pair in finals if pair[0] >= floor]
    _, file = min(since, key=lambda pair: pair[0]) if since else max(finals, key=lambda pair: pair[0])
    version = _version(file["filename"]) or ""
    return version, min(when for when, f in finals if _version(f["filename"]) == version)


def raised_cutoff(floor: datetime, tools: Mapping[str, Iterable[Mapping[str, Any]]]) -> datetime:
    """Pure: the day after the latest of the ``tools``' releases ``raised`` after ``floor`` (their
    files by name): the date a set of them and what they require existed together."""
    whens = [found[1] for files in tools.values()
             if (found := raised([(_uploaded(f), f) for f in files], floor)) is not None]
    return max(whens, default=floor) + timedelta(days=1)


def _prerelease(filename: str) -> bool:
    version = _version(filename)
    return version is None or Version(version).is_prerelease


def _uploaded(file: Mapping[str, Any]) -> datetime:
    uploaded = file.get("upload-time")
    return cutoff(uploaded) if uploaded else datetime.min.replace(tzinfo=UTC)


def render(project: str, files: Iterable[Mapping[str, Any]]) -> str:
    """Pure: a PEP 503 project page of ``files`` (PEP 691 JSON entries)."""
    links = []
    for file in files:
        href = file["url"] + "".join(f"#{k}={v}" for k, v in list(file.get("hashes", {}).items())[:1])
        attrs = f' href="{html.escape(href)}"'
        if file.get("requires-python"):
            attrs += f' data-requires-python="{html.escape(file["requires-python"])}"'
        if file.get("yanked"):
            reason = file["yanked"] if isinstance(file["yanked"], str) else ""
            attrs += f' data-yanked="{html.escape(reason)}"'
        links.append(f"<a{attrs}>{html.escape(file['filename'])}</a><br/>")
    return (f"<!DOCTYPE html><html><head><title>Links for {html.escape(project)}</title></head>"
            f"<body><h1>Links for {html.escape(project)}</h1>{''.join(links)}</body></html>\n")


def cutoff(date: str) -> datetime:
    """The instant an ``index_date`` (``YYYY-MM-DD`` or an ISO datetime, UTC) names."""
    moment = datetime.fromisoformat(date.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def released(project: str, version: str, files: Iterable[Mapping[str, Any]]) -> datetime | None:
    """Pure: when ``version`` of ``project`` was first uploaded, from its files (None: never); a
    prefix pin (``8.*``) names its first final release."""
    spec = Specifier(f"=={version}")
    times = [file["upload-time"] for file in files if file.get("upload-time")
             and (found := _version(file["filename"])) is not None
             and (found == version or spec.contains(found, prereleases=False))]
    return cutoff(min(times)) if times else None


def effective(before: datetime, pin_releases: Iterable[datetime | None]) -> datetime:
    """Pure: ``before``, or the day after the newest pinned release if that is later."""
    later = [when + timedelta(days=1) for when in pin_releases if when is not None]
    return max([before, *later])


@contextmanager
def serving(date: str, pinned: set[Pin], ca_bundle: Path | None,
            upstream: str = UPSTREAM, floors: Mapping[str, str] | None = None) -> Iterator[str]:
    """A loopback index of ``upstream`` as of ``date``; yields its URL (``.../simple``).
    ``floors``: project -> a date whose first release after it the index serves too (``kept``).
    The URL names what the index serves and is the same from build to build where its port is
    free: a build's steps see it (a build argument), so Docker reuses their layers only then."""
    import httpx

    key = hashlib.sha256(json.dumps([date, sorted(pinned), sorted((floors or {}).items()), upstream])
                         .encode()).hexdigest()[:16]

    verify = ssl.create_default_context(cafile=str(ca_bundle)) if ca_bundle else True
    client = httpx.Client(verify=verify, follow_redirects=True, timeout=60.0, headers={"Accept": _JSON})

    def files(project: str) -> list[Mapping[str, Any]]:
        answer = client.get(f"{upstream}/{project}/")
        return answer.json().get("files", []) if answer.status_code == 200 else []

    try:
        before = effective(cutoff(date), (released(name, version, files(name))
                                          for name, version in sorted(pinned)))
    except httpx.HTTPError:
        before = cutoff(date)  # the build's own pip will say what it cannot reach
    log.info("image.index", date=date, cutoff=before.isoformat(), pins=len(pinned))
    floors_by_name = {canonicalize_name(name): cutoff(day) for name, day in (floors or {}).items()}

    later: list[str] = []
    views: dict[tuple[str, str], datetime] = {}
    lock = threading.Lock()

    def view(day: str, names: str) -> datetime:
        """The cutoff of ``/raised/DAY/NAMES`` (``raised_cutoff``), asked of upstream once."""
        with lock:
            if (day, names) not in views:
                at = max(before, raised_cutoff(cutoff(day), {n: files(n) for n in names.split(",")}))
                views[(day, names)] = at
                later.append(f"{names.replace(',', ', ')} and what they require: as PyPI had them before "
                             f"{at.date()}, the day after their first releases after {day} (the "
                             f"environment's Python), not before {date}")
            return views[(day, names)]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == f"/{key}{LATER_PATH}":
                self._send("".join(f"{line}\n" for line in later), "text/plain")
                return
            parts = self.path.strip("/").split("/")[1:] if self.path.startswith(f"/{key}/") else []
            project = parts[-1] if parts else ""
            raised_view = (len(parts) == 5 and f"/{parts[0]}" == RAISED_VIEW and parts[3] == "simple")
            if raised_view:
                try:
                    at = view(parts[1], parts[2])
                except (httpx.HTTPError, ValueError) as exc:
                    self.send_error(502, str(exc)[:200])
                    return
                self._page(project, at, None, str(at.date()))
                return
            if not self.path.startswith(f"/{key}/simple/") or not project:
                self.send_error(404)
                return
            self._page(project, before, floors_by_name.get(canonicalize_name(project)), date)

        def _page(self, project: str, before: datetime, floor: datetime | None, date: str) -> None:
            try:
                answer = client.get(f"{upstream}/{project}/")
            except httpx.HTTPError as exc:
                self.send_error(502, str(exc)[:200])
                return
            if answer.status_code != 200:
                self.send_error(answer.status_code)
                return
            served = kept(project, answer.json().get("files", []), before, pinned, floor)
            newer = sorted({v for f in served if (v := _version(f["filename"])) and _uploaded(f) >= before})
            if newer and not any(canonicalize_name(project) == name for name, _ in pinned):
                note = (f"{canonicalize_name(project)}: nothing on PyPI before {date}, its first "
                        f"release after it ({newer[0]})") if floor is None or floor <= before else (
                        f"{canonicalize_name(project)}: {newer[-1]}, its first release after "
                        f"{floor.date()} (the environment's Python), not one of before {date}")
                if note not in later:
                    later.append(note)
                    log.warning("image.index_later", project=project, version=newer[0])
            self._send(render(project, served), "text/html")

        def _send(self, text: str, kind: str) -> None:
            body = text.encode()
            self.send_response(200)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    try:  # a port of its own; one in use (another build's) gives a URL of this build only
        server = ThreadingHTTPServer(("127.0.0.1", _PORTS[0] + int(key, 16) % (_PORTS[1] - _PORTS[0])), Handler)
    except OSError:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="rfsn-asof-index", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{key}/simple"
    finally:
        server.shutdown()
        server.server_close()
        client.close()
