"""The Node releases an environment can have, and what each line shipped with: the binaries the
npm registry publishes (``nodepublished``), each line's first release day and the npm its last
release bundled, nvm's names of the LTS lines, and the image's own Debian nodejs."""

from __future__ import annotations

import re
from datetime import date

from rfsn.buildpacks.node.nodepublished import PUBLISHED
from rfsn.buildpacks.node.semver import Version, parse

#: the nodejs of the base image's Debian release (trixie)
DEBIAN_NODE: Version = (20, 19, 2)
PUBLISHED_VERSIONS: tuple[Version, ...] = tuple(v for w in PUBLISHED.split() if (v := parse(w)))
#: each release line -> the day its first release came out
RELEASED: dict[str, date] = {
    "0.8": date(2012, 6, 25),
    "0.10": date(2013, 3, 11),
    "0.12": date(2015, 2, 6),
    "4": date(2015, 9, 8),
    "5": date(2015, 10, 29),
    "6": date(2016, 4, 26),
    "7": date(2016, 10, 25),
    "8": date(2017, 5, 30),
    "9": date(2017, 10, 31),
    "10": date(2018, 4, 24),
    "11": date(2018, 10, 23),
    "12": date(2019, 4, 23),
    "13": date(2019, 10, 22),
    "14": date(2020, 4, 21),
    "15": date(2020, 10, 20),
    "16": date(2021, 4, 20),
    "17": date(2021, 10, 19),
    "18": date(2022, 4, 19),
    "19": date(2022, 10, 18),
    "20": date(2023, 4, 18),
    "21": date(2023, 10, 17),
    "22": date(2024, 4, 24),
    "23": date(2024, 10, 16),
    "24": date(2025, 5, 6),
    "25": date(2025, 10, 15),
    "26": date(2026, 4, 22),
}
#: each line -> the npm its last release bundled
BUNDLED_NPM: dict[str, str] = {
    "0.8": "1.2.30",
    "0.10": "2.15.1",
    "0.12": "2.15.11",
    "4": "2.15.11",
    "5": "3.8.6",
    "6": "3.10.10",
    "7": "4.2.0",
    "8": "6.13.4",
    "9": "5.6.0",
    "10": "6.14.12",
    "11": "6.7.0",
    "12": "6.14.16",
    "13": "6.14.4",
    "14": "6.14.18",
    "15": "7.7.6",
    "16": "8.19.4",
    "17": "8.11.0",
    "18": "10.8.2",
    "19": "9.6.3",
    "20": "10.8.2",
    "21": "10.5.0",
    "22": "10.9.2",
    "23": "10.9.2",
    "24": "11.3.0",
    "25": "11.6.2",
    "26": "11.6.2",
}
#: nvm's names of the LTS lines
CODENAMES = {
    "argon": "4",
    "boron": "6",
    "carbon": "8",
    "dubnium": "10",
    "erbium": "12",
    "fermium": "14",
    "gallium": "16",
    "hydrogen": "18",
    "iron": "20",
    "jod": "22",
    "krypton": "24",
}


def line(version: Version) -> str:
    return f"0.{version[1]}" if version[0] == 0 else str(version[0])


def line_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split("."))


#: the ``engines.node`` of the package managers a ``packageManager`` pin installs, from the release
#: named on (the npm registry's metadata of pnpm and yarn, read on 2026-11-29)
MANAGER_NODE: dict[str, tuple[tuple[Version, str], ...]] = {
    "pnpm": (
        ((2, 0, 0), ">=6"),
        ((3, 0, 0), ">=8"),
        ((3, 1, 1), ">=8.15"),
        ((4, 0, 0), ">=10"),
        ((4, 12, 1), ">=10.13"),
        ((5, 8, 0), ">=10.14"),
        ((5, 9, 0), ">=10.16"),
        ((6, 0, 0), ">=12.17"),
        ((7, 0, 0), ">=14.19"),
        ((7, 2, 1), ">=14.6"),
        ((8, 0, 0), ">=16.14"),
        ((9, 0, 0), ">=18.12"),
        ((11, 0, 0), ">=22.13"),
        ((12, 0, 0), ">=18"),
    ),
    "yarn": (((0, 22, 0), ">=4.0.0"), ((2, 4, 3), ">=10")),
}


def manager_needs(pinned: str) -> tuple[str, str] | None:
    """(the pin, the Node range it runs on) of a ``packageManager`` pin (``pnpm@11.13.1+sha512...``);
    None when it names no release of a manager known here, or one that runs on any Node."""
    name, _, rest = pinned.partition("@")
    version = parse(rest.partition("+")[0])
    ranges = [spec for since, spec in MANAGER_NODE.get(name, ()) if version and since <= version]
    return (pinned.partition("+")[0], ranges[-1]) if ranges else None


#: the pnpm major that wrote each ``lockfileVersion`` of pnpm-lock.yaml (today's reads 9.0 only)
PNPM_OF_LOCK = {"5.1": "4", "5.2": "5", "5.3": "6", "5.4": "7", "6.0": "8", "6.1": "8"}


def lock_pnpm(text: str) -> str:
    """``pnpm@MAJOR``, the pnpm of the lock's era (``lockfileVersion``), else ``pnpm`` (today's)."""
    match = re.search(r"^lockfileVersion:\s*['\"]?([\d.]+)", text, re.MULTILINE)
    major = PNPM_OF_LOCK.get(match.group(1)) if match else None
    return f"pnpm@{major}" if major else "pnpm"
