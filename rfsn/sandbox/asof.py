"""A Python package index as it was on a date: env builds resolve what the harness resolved.

An env recipe resolves its unpinned packages when its image is built, so the same spec gives
newer packages each year, and some of them break the project's old tests (an API removed or
moved): the dataset's verdicts were made with the packages of their day. With
``EnvRecipe.index_date`` set, the build's pip reads a loopback index (``asofindex``) that serves
PyPI's files uploaded before that date. A recipe that pins a release made later was known to work
when that release came out: the cutoff moves to the day after the newest release the recipe pins
exactly (what that release depends on may be as new as it). Pages are PEP 503 HTML rendered from
PyPI's JSON (PEP 691 and 700, which carry each file's upload time), so every pip reads them, old
ones included. Files are fetched from their usual host: only the listing is filtered.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
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

_PIN = re.compile(
    r"(?<![\w.-])([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?"
    r"\s*==\s*([A-Za-z0-9.+!_-]*[A-Za-z0-9+!_-](?:\.\*)?)"
)

Pin = tuple[str, str]
#: the index's page of what it served from after its date, one line a project (the build's last
#: step keeps it in the image, for the session's report)
LATER_PATH = "/rfsn/later"


def pins(texts: Iterable[str]) -> set[Pin]:
    """Every ``name==version`` the texts (build steps, requirement files) pin, normalized."""
    found: set[Pin] = set()
    for text in texts:
        for name, version in _PIN.findall(text):
            prefix = version.removesuffix(".*")
            try:
                found.add((canonicalize_name(name), str(Version(prefix)) + version[len(prefix) :]))
            except InvalidVersion:
                continue
    return found


def file_version(filename: str) -> str | None:
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def kept(
    project: str, files: Iterable[Mapping[str, Any]], before: datetime, pinned: set[Pin], floor: datetime | None = None
) -> list[Mapping[str, Any]]:
    """Pure: the files of ``project`` uploaded before ``before``, or of a version pinned; when
    there are none (deleted from PyPI since), those of its first release after ``before``. With
    a ``floor`` later than ``before``, also those of its first final release after ``floor`` (its
    newest, if none came after): the release pip takes unless a requirement bounds it."""
    name = canonicalize_name(project)
    out, later = [], []
    for file in files:
        uploaded = file.get("upload-time")
        when = datetime.fromisoformat(uploaded.replace("Z", "+00:00")) if uploaded else None
        if when is None or when < before or (name, file_version(file["filename"]) or "") in pinned:
            out.append(file)
        elif file_version(file["filename"]) is not None:
            later.append((when, file))
    if floor is not None and floor > before and (found := raised(later, floor)) is not None:
        return [*out, *(file for _, file in later if file_version(file["filename"]) == found[0])]
    if out or not later:
        return out
    first = file_version(min(later, key=lambda pair: pair[0])[1]["filename"])
    return [file for _, file in later if file_version(file["filename"]) == first]


def raised(files: Iterable[tuple[datetime, Mapping[str, Any]]], floor: datetime) -> tuple[str, datetime] | None:
    """Pure: the first final release among ``files`` (upload time, file) after ``floor``, or the
    newest if none came after, with when it was first uploaded (None: no final release)."""
    finals = [pair for pair in files if not _prerelease(pair[1]["filename"])]
    if not finals:
        return None
    since = [pair for pair in finals if pair[0] >= floor]
    _, file = min(since, key=lambda pair: pair[0]) if since else max(finals, key=lambda pair: pair[0])
    version = file_version(file["filename"]) or ""
    return version, min(when for when, f in finals if file_version(f["filename"]) == version)


def raised_cutoff(floor: datetime, tools: Mapping[str, Iterable[Mapping[str, Any]]]) -> datetime:
    """Pure: the day after the latest of the ``tools``' releases ``raised`` after ``floor`` (their
    files by name): the date a set of them and what they require existed together."""
    whens = [
        found[1] for files in tools.values() if (found := raised([(uploaded(f), f) for f in files], floor)) is not None
    ]
    return max(whens, default=floor) + timedelta(days=1)


def _prerelease(filename: str) -> bool:
    version = file_version(filename)
    return version is None or Version(version).is_prerelease


def uploaded(file: Mapping[str, Any]) -> datetime:
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
    return (
        f"<!DOCTYPE html><html><head><title>Links for {html.escape(project)}</title></head>"
        f"<body><h1>Links for {html.escape(project)}</h1>{''.join(links)}</body></html>\n"
    )


def cutoff(date: str) -> datetime:
    """The instant an ``index_date`` (``YYYY-MM-DD`` or an ISO datetime, UTC) names."""
    moment = datetime.fromisoformat(date.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def released(project: str, version: str, files: Iterable[Mapping[str, Any]]) -> datetime | None:
    """Pure: when ``version`` of ``project`` was first uploaded, from its files (None: never); a
    prefix pin (``8.*``) names its first final release."""
    spec = Specifier(f"=={version}")
    times = [
        file["upload-time"]
        for file in files
        if file.get("upload-time")
        and (found := file_version(file["filename"])) is not None
        and (found == version or spec.contains(found, prereleases=False))
    ]
    return cutoff(min(times)) if times else None


def effective(before: datetime, pin_releases: Iterable[datetime | None]) -> datetime:
    """Pure: ``before``, or the day after the newest pinned release if that is later."""
    later = [when + timedelta(days=1) for when in pin_releases if when is not None]
    return max([before, *later])
