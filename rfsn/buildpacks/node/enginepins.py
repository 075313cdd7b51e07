"""Direct dependencies of the commit's day that run on the Node chosen, where no lockfile pins
them: an unbounded range (``"mocha": "*"``) of an old project resolves to today's release, which
has dropped that Node (npm prefers releases whose ``engines`` accept the Node *it* runs on, not
the tests' one), and ``npm --before`` cannot date releases where the registry's ``time`` is the
day a mirror stored them (every release 2024 or later). Each direct dependency is pinned to the
newest release in range that says it runs on the chosen Node and, for a day before npm 5, whose
tarball was packed by then (npm before 5 kept its files' times), when that is not the newest in
range; below them, a dependency's range the same way (the date only for a range open above, as
``*``), held by npm's ``overrides`` (``enginepins.cjs``, on the image's own Node, before the install).
A range no release on the registry meets (a release it no longer lists) gets the nearest release
above it, a tag the registry does not list (``next``) its latest release, said in the build's notes."""

from __future__ import annotations

import shlex
from importlib import resources

from rfsn.buildpacks.base import BUILD_NOTES

#: the script's name in ``$RFSN_ENV/files`` (a recipe file)
SCRIPT = "rfsn-engine-pins.cjs"
ENGINE_PINS_JS = resources.files(__package__).joinpath("enginepins.cjs").read_text(encoding="utf-8")


def engine_pins_step(node: str, before: str = "") -> str:
    """The step pinning ``$RFSN_ENV/files/package.json``'s direct dependencies for Node ``node``
    (and releases packed before the day ``before``, YYYY-MM-DD, when one is given)."""
    day = f" {shlex.quote(before)}" if before else ""
    return f'cd $RFSN_ENV/files && RFSN_NOTES="{BUILD_NOTES}" /usr/bin/node {SCRIPT} {node}{day} && rm -f {SCRIPT}'
