"""Which Java a Maven project's environment runs: Debian's OpenJDK nearest the release it declares.

Read from the root pom, never run: the properties ``maven.compiler.release``/``source``/``target``
(any ``*.compiler.release``-style one a parent's plugin configuration reads, ``java.version``,
``jdk.version``...) and the compiler plugin's own ``<release>``/``<source>``/``<target>``, outside
profiles; ``1.8`` is 8. The highest named is the release the project compiles for: the oldest
Debian JDK at least that serves (a JDK compiles for older releases, never newer ones); none late
enough gives the newest, said so. A pom that declares none gets the newest JDK released by the
commit's date (Maven's compiler defaults of the day compile for old releases a new JDK refuses).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rfsn.buildpacks.base import BaseImage


@dataclass(frozen=True)
class DebianJdk:
    """An OpenJDK Debian ships: its full version, release date and the Debian release."""

    full: str
    released: date
    release: str


#: feature release -> openjdk-N-jdk-headless of a Debian release, as the mirror's Packages
#: indices list them (2026-11; bullseye also has 17, bookworm's is taken for its newer Maven)
DEBIAN_JDK: dict[int, DebianJdk] = {
    11: DebianJdk("11.0.24", date(2018, 9, 25), "bullseye"),
    17: DebianJdk("17.0.19", date(2021, 9, 14), "bookworm"),
    21: DebianJdk("21.0.13", date(2023, 9, 19), "trixie"),
    25: DebianJdk("25.0.5", date(2025, 9, 16), "trixie"),
}
#: properties naming the Java release, by the end of their name
_PROPERTY = re.compile(
    r"(?:^|\.)(?:compiler\.(?:release|source|target)|java\.(?:version|release)|"
    r"jdk\.version|javaVersion|java\.source|java\.target)$"
)
_COMPILER_TAGS = ("release", "source", "target")
_REF = re.compile(r"^\$\{([^}]+)\}$")


@dataclass(frozen=True)
class JavaChoice:
    """The JDK of an environment (a key of ``DEBIAN_JDK``) and why."""

    version: int
    why: str


def release_number(text: str) -> int | None:
    """``1.8`` -> 8, ``17`` -> 17; anything else (a ``${ref}`` left unresolved) -> None."""
    match = re.fullmatch(r"\s*(?:1\.)?(\d+)\s*", text)
    return int(match[1]) if match else None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, *path: str) -> list[ET.Element]:
    found = [element]
    for name in path:
        found = [c for e in found for c in e if name in ("*", _local(c.tag))]
    return found


def declared(repo: Path) -> list[tuple[int, str]]:
    """Each Java release the root pom names, with where (``maven.compiler.release 17``)."""
    try:
        project = ET.parse(repo / "pom.xml").getroot()
    except (OSError, ET.ParseError):
        return []
    properties = {_local(p.tag): (p.text or "").strip() for p in _child(project, "properties", "*")}
    found = [
        (n, f"{name} {value}")
        for name, value in properties.items()
        if _PROPERTY.search(name) and (n := release_number(value)) is not None
    ]
    plugins = [
        *_child(project, "build", "plugins", "plugin"),
        *_child(project, "build", "pluginManagement", "plugins", "plugin"),
    ]
    for plugin in plugins:
        if any((a.text or "").strip() == "maven-compiler-plugin" for a in _child(plugin, "artifactId")):
            for tag in _COMPILER_TAGS:
                for value in (c.text or "" for c in _child(plugin, "configuration", tag)):
                    ref = _REF.match(value.strip())
                    number = release_number(properties.get(ref[1], "") if ref else value)
                    if number is not None:
                        found.append((number, f"the compiler plugin's <{tag}> {number}"))
    return found


def choose(repo: Path, day: date | None) -> JavaChoice:
    """The JDK of ``repo``'s environment (``day``: the commit's date; None: today). Never fails."""
    found, shipped = declared(repo), sorted(DEBIAN_JDK)
    if not found:
        when = day or date.today()
        dated = [v for v in shipped if DEBIAN_JDK[v].released <= when]
        pick = dated[-1] if dated else shipped[0]
        how = f"the newest released by {when}" if dated else f"none released by {when} can be had, the oldest"
        return JavaChoice(pick, f"Java {_said(pick)}: the pom declares no Java release; {how}")
    wanted = max(n for n, _ in found)
    said = "; ".join(dict.fromkeys(w for _, w in found))
    later = [v for v in shipped if v >= wanted]
    if later and later[0] == wanted:
        return JavaChoice(wanted, f"Java {_said(wanted)}: the pom declares {said}")
    if later:
        return JavaChoice(
            later[0],
            f"Java {_said(later[0])}: the pom declares {said}; Debian ships no JDK {wanted}, the nearest later one",
        )
    return JavaChoice(
        shipped[-1],
        f"Java {_said(shipped[-1])}: the pom declares {said}; no JDK that late is shipped by Debian, the newest",
    )


def _said(version: int) -> str:
    found = DEBIAN_JDK[version]
    return f"{found.full} (Debian's openjdk-{version}-jdk-headless, {found.release})"


def java_image(choice: JavaChoice) -> BaseImage:
    """Debian's OpenJDK of ``choice`` with Debian's Maven of the same release, and git."""
    found = DEBIAN_JDK[choice.version]
    return BaseImage(
        runtime="java",
        version=str(choice.version),
        registry_image=f"maven:3-eclipse-temurin-{choice.version}",
        debian_release=found.release,
        debian_packages=(f"openjdk-{choice.version}-jdk-headless", "maven", "git", "ca-certificates", "procps"),
    )
