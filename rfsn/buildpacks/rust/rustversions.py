"""Which Rust a crate's environment runs: Debian's rustc and cargo nearest what the project declares.

Read, never run: ``rust-toolchain``/``rust-toolchain.toml``'s channel (a version pins it; stable,
beta or nightly names none Debian has), and the floors ``rust-version`` (the package's or the
workspace's), the edition (2018: 1.31, 2021: 1.56, 2024: 1.85) and Cargo.lock's format (v3: 1.53,
v4: 1.78) set. A pinned version Debian ships serves; else the nearest later one; else, at least
the floor, the newest released by the commit's date where a Cargo.lock pins the crates of then
(Rust keeps old code building; without one, today's crates want today's Rust), else the
oldest that is late enough; a floor none reaches gives the newest, said so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rfsn.buildpacks.base import BaseImage
from rfsn.fsutil import read_toml

Version = tuple[int, int]


@dataclass(frozen=True)
class DebianRust:
    """rustc and cargo of a Debian release (its backports?)."""

    full: str
    release: str
    backports: bool = False


#: X.Y -> Debian's rustc/cargo of that version, as the mirror's Packages indices list them (2026-11)
DEBIAN_RUST: dict[str, DebianRust] = {
    "1.48": DebianRust("1.48.0", "bullseye"),
    "1.63": DebianRust("1.63.0", "bookworm"),
    "1.85": DebianRust("1.85.1", "trixie"),
    "1.97": DebianRust("1.97.1", "trixie", True),
}
EDITIONS = {"2015": (1, 0), "2018": (1, 31), "2021": (1, 56), "2024": (1, 85)}
LOCK_FORMATS = {3: (1, 53), 4: (1, 78)}
_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?$")
_LOCK_FORMAT = re.compile(r"^version\s*=\s*(\d+)\s*$", re.M)


def released(version: Version) -> date:
    """The day Rust 1.N came out: every six weeks since 1.1 (2015-06-25)."""
    return date(2015, 6, 25) + timedelta(weeks=6 * (version[1] - 1))


def parse(text: str) -> Version | None:
    match = _VERSION.match(text.strip())
    return (int(match[1]), int(match[2])) if match else None


@dataclass(frozen=True)
class RustChoice:
    """The Rust of an environment (an X.Y of ``DEBIAN_RUST``) and why."""

    version: str
    why: str


def _channel(repo: Path) -> str | None:
    """The channel ``rust-toolchain(.toml)`` names (``1.70.0``, ``stable``, ``nightly-2023-01-01``)."""
    toml = repo / "rust-toolchain.toml"
    if toml.is_file():
        channel = (read_toml(toml).get("toolchain") or {}).get("channel")
        return str(channel) if channel else None
    plain = repo / "rust-toolchain"
    if not plain.is_file():
        return None
    text = plain.read_text(encoding="utf-8", errors="replace")
    if "[toolchain]" in text:  # the TOML form under the old name
        match = re.search(r'^channel\s*=\s*"([^"]+)"', text, re.M)
        return match[1] if match else None
    return next((line.strip() for line in text.splitlines() if line.strip()), None)


def floors(repo: Path) -> list[tuple[Version, str]]:
    """Each oldest Rust the project's files allow, with where it comes from."""
    manifest = read_toml(repo / "Cargo.toml")
    package, workspace = manifest.get("package") or {}, (manifest.get("workspace") or {}).get("package") or {}
    found: list[tuple[Version, str]] = []
    for table, where in ((package, "rust-version"), (workspace, "workspace rust-version")):
        value = table.get("rust-version")
        if isinstance(value, str) and (version := parse(value)):
            found.append((version, f"{where} {value}"))
    for table in (package, workspace):
        edition = table.get("edition")
        if isinstance(edition, str) and edition in EDITIONS:
            found.append((EDITIONS[edition], f"edition {edition}"))
    lock = repo / "Cargo.lock"
    text = lock.read_text(encoding="utf-8", errors="replace")[:2000] if lock.is_file() else ""
    if (match := _LOCK_FORMAT.search(text)) and int(match[1]) in LOCK_FORMATS:
        found.append((LOCK_FORMATS[int(match[1])], f"Cargo.lock version {match[1]}"))
    return found


def parse_key(version: str) -> Version:
    major, minor = version.split(".")
    return int(major), int(minor)


def choose(repo: Path, day: date | None) -> RustChoice:
    """The Rust of ``repo``'s environment (``day``: the commit's date; None: today). Never fails."""
    # crates a Cargo.lock does not pin resolve as crates.io is today: today's Rust builds them
    locked = (repo / "Cargo.lock").is_file()
    when, shipped = (day if locked else None) or date.today(), sorted(DEBIAN_RUST, key=parse_key)
    channel, found = _channel(repo), floors(repo)
    floor = max((v for v, _ in found), default=(1, 0))
    said = "; ".join([*([f"rust-toolchain {channel}"] if channel else []), *(w for _, w in found)]) or "nothing"
    pin = parse(channel) if channel else None
    if channel and pin is not None:
        later = [v for v in shipped if parse_key(v) >= max(pin, floor)]
        pick = later[0] if later else shipped[-1]
        how = (
            ""
            if parse_key(pick) == pin
            else (f", Debian ships no Rust {channel}" + ("; the nearest later one" if later else "; the newest"))
        )
        return RustChoice(pick, f"Rust {_said(pick)}: the project declares {said}{how}")
    allowed = [v for v in shipped if parse_key(v) >= floor]
    dated = [v for v in allowed if released(parse_key(v)) <= when]
    pick = dated[-1] if dated else allowed[0] if allowed else shipped[-1]
    how = (
        f"the newest released by {when}"
        if dated
        else f"none released by {when} is late enough, the oldest"
        if allowed
        else "none is late enough, the newest"
    )
    nightly = f"; {channel} cannot be had" if channel and channel != "stable" else ""
    return RustChoice(pick, f"Rust {_said(pick)}: the project declares {said}{nightly}; {how}")


def _said(version: str) -> str:
    found = DEBIAN_RUST[version]
    return f"{found.full} (Debian's rustc and cargo, {found.release}{'-backports' * found.backports})"


def rust_image(choice: RustChoice) -> BaseImage:
    """Debian's rustc and cargo of ``choice`` with a C toolchain (build scripts, ``cc``) and git."""
    found = DEBIAN_RUST[choice.version]
    own = () if found.backports else ("cargo", "rustc")
    return BaseImage(
        runtime="rust",
        version=choice.version,
        registry_image=f"rust:{choice.version}-slim-{found.release}",
        debian_release=found.release,
        debian_backports=("cargo", "rustc") if found.backports else (),
        debian_packages=(*own, "gcc", "libc6-dev", "git", "ca-certificates", "procps"),
    )
