"""The engine pins read versions and ranges with the newest semver at hand, not the era's npm's
that is first on the PATH when the chosen Node is an old one from the registry.

pillarjs/path-to-regexp 9e03f85 (2014, Node 0.10.48, npm 2.15.1): a dependency in the tree has a
release ``1.0.2beta``; npm 2's semver (5.1) throws on a version it cannot read, the script stopped
("engine pins skipped: Invalid Version: 1.0.2beta"), mocha 1.18's ``debug: "*"`` got today's
debug and mocha died on Node 0.10 (``SyntaxError: Unexpected token )``): no test was read.
vercel/ms 116024f (2012, Node 0.8.28, npm 1.2.30): semver 1.1.4 gives ``validRange("*") == ""``
(falsy: read as no range) and knows no ``^``: nothing was pinned, today's mocha died on Node 0.8
(``SyntaxError: Unexpected reserved word``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.buildpacks.test_node_installs import _pin, needs_node

#: semver 5's ``satisfies``: a version it cannot parse is an error, not a mismatch
_SEMVER_5 = """\
const today = require(%s);
module.exports = Object.assign({}, today, { satisfies(version, range) {
  if (!today.valid(version)) throw new TypeError('Invalid Version: ' + version);
  return today.satisfies(version, range);
} });
"""
#: semver 1's ``validRange``: ``*`` is the empty range, ``^`` is no range
_SEMVER_1 = """\
const today = require(%s);
module.exports = Object.assign({}, today, { validRange(range) {
  if (range === '*' || range === '') return '';
  return /^\\^/.test(range) ? null : today.validRange(range);
} });
"""


def _era_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, version: str) -> None:
    """An era's npm first on the PATH, its semver ``module`` (``version``) wrapping today's."""
    npm = Path(shutil.which("npm") or "npm").resolve()
    era = tmp_path / "era-npm"
    (era / "bin").mkdir(parents=True)
    (era / "bin" / "npm").write_text("#!/bin/sh\n")
    (era / "bin" / "npm").chmod(0o755)
    semver = era / "node_modules" / "semver"
    semver.mkdir(parents=True)
    (semver / "index.js").write_text(module % json.dumps(str(npm.parent.parent / "node_modules" / "semver")))
    (semver / "package.json").write_text(json.dumps({"name": "semver", "version": version}))
    node = Path(shutil.which("node") or "node").parent
    monkeypatch.setenv("PATH", f"{era / 'bin'}:{node}")  # the era's npm first, as on a registry Node


@needs_node
def test_a_release_whose_version_semver_cannot_read_is_no_candidate_path_to_regexp_2014(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _era_npm(tmp_path, monkeypatch, _SEMVER_5, "5.1.0")
    done = _pin(tmp_path / "project", {"devDependencies": {"mocha": "*"}}, "0.10.48")
    assert done.returncode == 0 and "skipped" not in done.stderr, done.stderr
    pinned = json.loads((tmp_path / "project" / "package.json").read_text())
    assert pinned["devDependencies"] == {"mocha": "3.5.3"} and pinned["overrides"] == {"dbg": "1.0.0"}


@needs_node
def test_the_newest_semver_at_hand_reads_the_ranges_not_the_eras_vercel_ms_2012(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _era_npm(tmp_path, monkeypatch, _SEMVER_1, "1.1.4")
    done = _pin(tmp_path / "project", {"devDependencies": {"mocha": "*", "left": "^1.0.0"}}, "0.10.48")
    assert done.returncode == 0, done.stderr
    pinned = json.loads((tmp_path / "project" / "package.json").read_text())
    assert pinned["devDependencies"] == {"mocha": "3.5.3", "left": "^1.0.0"} and pinned["overrides"] == {"dbg": "1.0.0"}
