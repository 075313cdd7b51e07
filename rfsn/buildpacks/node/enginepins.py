"""Direct dependencies of the commit's day that run on the Node chosen, where no lockfile pins
them: an unbounded range (``"mocha": "*"``) of an old project resolves to today's release, which
has dropped that Node (npm prefers releases whose ``engines`` accept the Node *it* runs on, not
the tests' one), and ``npm --before`` cannot date releases where the registry's ``time`` is the
day a mirror stored them (every release 2024 or later). Each direct dependency is pinned to the
newest release in range that says it runs on the chosen Node and, for a day before npm 5, whose
tarball was packed by then (npm before 5 kept its files' times), when that is not the newest in
range; below them, each range the same way, held by npm's ``overrides`` (one release a name that
every range met of it takes, else ``name@range``; ``enginepins.cjs``, on the image's own Node).
A range no release on the registry meets (a release it no longer lists) gets the nearest release
above it, a tag the registry does not list (``next``) its latest release, a dependency's git host
branch (today's head, a host the build may not reach) the registry's release of the day, said in
the build's notes.
Where package.json holds ``overrides`` that an npm before 8.3 ignores, the dated npm installs
(``overrides_install``); a runner the test script calls undeclared is added (``with_runner``)."""

from __future__ import annotations

import shlex
from importlib import resources
from typing import Any

from rfsn.buildpacks.base import BUILD_NOTES
from rfsn.buildpacks.node.npmfetch import BEFORE_NPM, DATED_NPM, DATED_NPM_CLI, FETCH_DATED_NPM, OVERRIDES_NPM
from rfsn.buildpacks.node.package import DEP_KEYS
from rfsn.buildpacks.node.semver import Version

#: the script's name in ``$RFSN_ENV/files`` (a recipe file)
SCRIPT = "rfsn-engine-pins.cjs"
#: npm's peer-dependency checks came with 7
PEERS_NPM = (7, 0, 0)
_HAS_OVERRIDES = "/usr/bin/node -e \"process.exit(require('./package.json').overrides ? 0 : 1)\""
#: the runners published under their own name
RUNNER_PACKAGES = frozenset({"vitest", "jest", "mocha", "ava", "tap", "tape"})
ENGINE_PINS_JS = resources.files(__package__).joinpath("enginepins.cjs").read_text(encoding="utf-8")


def engine_pins_step(node: str, before: str = "") -> str:
    """The step pinning ``$RFSN_ENV/files/package.json``'s direct dependencies for Node ``node``
    (and releases packed before the day ``before``, YYYY-MM-DD, when one is given)."""
    day = f" {shlex.quote(before)}" if before else ""
    return f'cd $RFSN_ENV/files && RFSN_NOTES="{BUILD_NOTES}" /usr/bin/node {SCRIPT} {node}{day}'


def git_substitution(node: str, before: str = "") -> str:
    """The command (in ``$RFSN_ENV/files``) that, once an install failed to fetch from a git host,
    puts the registry's release of each git-hosted dependency's name in its place (package.json's
    own; a dependency's through ``overrides``), each said in the build's notes; it exits 1 where it
    changed nothing (``githosted.naming_git_failures`` runs it)."""
    day = f" {shlex.quote(before)}" if before else ""
    return f'RFSN_NOTES="{BUILD_NOTES}" RFSN_GIT_UNREACHABLE=1 /usr/bin/node {SCRIPT} {node}{day}'


def overrides_install(install: str, npm: Version) -> str:
    """``install`` (``cd $RFSN_ENV/files && ...``, by the npm ``npm``), where package.json holds
    ``overrides`` and that npm predates them, by the dated npm (on the image's own Node; the
    era's Node runs the tests); an era before npm 7 keeps its peer rule (``--legacy-peer-deps``:
    peers neither installed nor checked). An npm before ``--before`` has the dated one already."""
    if not BEFORE_NPM <= npm < OVERRIDES_NPM:
        return install
    cd, _, command = install.partition(" && ")
    peers = " --legacy-peer-deps" if npm < PEERS_NPM else ""
    era = ".".join(map(str, npm))
    said = f"npm {era} ignores package.json's overrides (they came with npm 8.3): npm {DATED_NPM} installed"
    dated = (
        f'{FETCH_DATED_NPM} && {cd} && npm() {{ {DATED_NPM_CLI} "$@"{peers}; }} && RFSN_READS_OVERRIDES=1'
        f' && echo {shlex.quote(f"rfsn: {said}")} >&2 && echo {shlex.quote(said)} >> "{BUILD_NOTES}"'
    )
    return f"{cd} && if {_HAS_OVERRIDES}; then {dated}; fi && {command}"


def with_runner(package: dict[str, Any], runner: str) -> tuple[dict[str, Any], str]:
    """``package`` with ``runner``, which its test script calls and no dependency declares (a
    global install of its day), as a devDependency ``*`` (the pins pick the release), and a note
    saying so; else ``package`` unchanged and no note."""
    declared = {name for key in DEP_KEYS for name in (package.get(key) or {})}
    if runner not in RUNNER_PACKAGES or runner in declared:
        return package, ""
    note = f"{runner}: the test script runs it and no dependency declares it (a global install of its day): {runner}@*"
    return {**package, "devDependencies": {**(package.get("devDependencies") or {}), runner: "*"}}, note
