"""Direct dependencies that run on the Node chosen: an unbounded range (``"mocha": "*"``) of an
old project resolves to today's release, which has dropped that Node; npm prefers releases whose
``engines`` accept the Node *it* runs on, not the one the tests run on. Where no lockfile pins
them, each direct dependency whose newest release in range says it does not run on the chosen
Node is pinned to the newest that does (the registry's metadata; ``enginepins.cjs``, run on the
image's own Node before the install)."""

from __future__ import annotations

from importlib import resources

#: the script's name in ``$RFSN_ENV/files`` (a recipe file)
SCRIPT = "rfsn-engine-pins.cjs"
ENGINE_PINS_JS = resources.files(__package__).joinpath("enginepins.cjs").read_text(encoding="utf-8")


def engine_pins_step(node: str) -> str:
    """The step pinning ``$RFSN_ENV/files/package.json``'s direct dependencies for Node ``node``."""
    return f"cd $RFSN_ENV/files && /usr/bin/node {SCRIPT} {node} && rm -f {SCRIPT}"
