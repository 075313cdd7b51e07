"""Which Go a module's environment runs: the one its go.mod declares, from Debian's packages.

go.mod's ``toolchain goX.Y.Z`` names the Go the project builds with, its ``go X.Y[.Z]`` line the
oldest that may build it (a minimum since Go 1.21, which refuses an older one). The declared X.Y
serves when Debian ships it at that patch or later; else the nearest later one; else (none is
later) the newest, said so. Without a ``go`` line: the newest Go released by the commit's date.
``GOTOOLCHAIN=local`` keeps go from fetching another toolchain itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rfsn.buildpacks.base import BaseImage

Version = tuple[int, ...]


@dataclass(frozen=True)
class DebianGo:
    """A Go that Debian ships: its full version, release date, Debian release (its backports?)."""

    full: str
    released: date
    release: str
    backports: bool = False


#: X.Y -> the golang-X.Y-go Debian ships (the release's own suite or its backports), as the
#: mirror's Packages indices list them (2026-11)
DEBIAN_GO: dict[str, DebianGo] = {
    "1.15": DebianGo("1.15.15", date(2020, 8, 11), "bullseye"),
    "1.19": DebianGo("1.19.8", date(2022, 8, 2), "bookworm"),
    "1.21": DebianGo("1.21.13", date(2023, 8, 8), "bookworm", True),
    "1.22": DebianGo("1.22.12", date(2024, 2, 6), "bookworm", True),
    "1.23": DebianGo("1.23.5", date(2024, 8, 13), "bookworm", True),
    "1.24": DebianGo("1.24.4", date(2025, 2, 11), "trixie"),
    "1.25": DebianGo("1.25.12", date(2025, 8, 12), "trixie", True),
    "1.26": DebianGo("1.26.11", date(2026, 2, 10), "trixie", True),
    "1.27": DebianGo("1.27.4", date(2026, 8, 11), "trixie", True),
}
NEWEST = max(DEBIAN_GO, key=lambda v: tuple(map(int, v.split("."))))
_GO_LINE = re.compile(r"^go\s+(\d+(?:\.\d+){0,2})(?:rc\d+|beta\d+)?\s*(?://.*)?$", re.M)
_TOOLCHAIN = re.compile(r"^toolchain\s+go(\d+(?:\.\d+){0,2})\S*\s*(?://.*)?$", re.M)


@dataclass(frozen=True)
class GoChoice:
    """The Go of an environment (an X.Y of ``DEBIAN_GO``) and why."""

    version: str
    why: str

    @property
    def debian(self) -> DebianGo:
        return DEBIAN_GO[self.version]


def parse(text: str) -> Version:
    """``1.21.3`` -> (1, 21, 3); ``1`` -> (1, 0)."""
    parts = tuple(int(p) for p in text.split("."))
    return parts if len(parts) > 1 else (*parts, 0)


def declared(repo: Path) -> tuple[str | None, str | None]:
    """(the ``go`` line's version, the ``toolchain`` line's) of ``repo``'s go.mod, as written."""
    try:
        text = (repo / "go.mod").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None, None
    go, toolchain = _GO_LINE.search(text), _TOOLCHAIN.search(text)
    return (go[1] if go else None), (toolchain[1] if toolchain else None)


def _xy(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def _serves(wanted: Version) -> list[str]:
    """The X.Y Debian ships that are ``wanted`` or later (a shipped patch below it is not), oldest first."""
    return sorted((v for v in DEBIAN_GO if parse(DEBIAN_GO[v].full) >= wanted), key=parse)


def choose(repo: Path, day: date | None) -> GoChoice:
    """The Go of ``repo``'s environment (``day``: the commit's date; None: today). Never fails: a
    Go that cannot be had gives the nearest one, said so."""
    go, toolchain = declared(repo)
    newest = NEWEST
    said = "; ".join(f"{k} {v}" for k, v in (("toolchain", toolchain and f"go{toolchain}"), ("go", go)) if v)
    wanted = max((parse(v) for v in (go, toolchain) if v), default=None)  # a toolchain below go is not one
    if wanted is None:
        when = day or date.today()
        dated = [v for v in DEBIAN_GO if DEBIAN_GO[v].released <= when]
        pick = max(dated, key=parse) if dated else min(DEBIAN_GO, key=parse)
        how = f"released by {when}" if dated else f"none released by {when} can be had, the oldest"
        return GoChoice(pick, f"Go {_said(pick)}: go.mod declares no go version; {how}")
    found = _serves(wanted)
    if found and _xy(parse(found[0])) == _xy(wanted):
        return GoChoice(found[0], f"Go {_said(found[0])}: go.mod declares {said}")
    if found:
        return GoChoice(
            found[0],
            f"Go {_said(found[0])}: go.mod declares {said}; Debian ships no Go "
            f"{'.'.join(map(str, wanted))} (nor a later patch of it), the nearest later one",
        )
    return GoChoice(
        newest,
        f"Go {_said(newest)}: go.mod declares {said}; no Go that late is shipped by "
        f"Debian (the newest is {DEBIAN_GO[newest].full}), the nearest",
    )


def _said(version: str) -> str:
    found = DEBIAN_GO[version]
    return f"{found.full} (Debian's golang-{version}-go, {found.release}{'-backports' * found.backports})"


def go_path(version: str) -> str:
    """The PATH of an image with Debian's golang-X.Y-go: its bin first (the registry image's
    /usr/local/go/bin next, where that is the base)."""
    return f"/usr/lib/go-{version}/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def go_image(choice: GoChoice) -> BaseImage:
    """The base image of ``choice``: Debian's golang-X.Y-go with a C toolchain (cgo) and git."""
    found, package = choice.debian, f"golang-{choice.version}-go"
    return BaseImage(
        runtime="go",
        version=choice.version,
        registry_image=f"golang:{choice.version}-{found.release}",
        debian_release=found.release,
        debian_backports=(package,) if found.backports else (),
        debian_packages=(
            *(() if found.backports else (package,)),
            "gcc",
            "libc6-dev",
            "git",
            "ca-certificates",
            "procps",
        ),
    )
