"""The engine pins read versions with the semver of the npm on the PATH, the era's npm's when the
chosen Node is an old one from the registry.

pillarjs/path-to-regexp 9e03f85 (2014, Node 0.10.48, npm 2.15.1): a dependency in the tree has a
release ``1.0.2beta``; npm 2's semver (5.1) throws on a version it cannot read, the script stopped
("engine pins skipped: Invalid Version: 1.0.2beta"), mocha 1.18's ``debug: "*"`` got today's
debug and mocha died on Node 0.10 (``SyntaxError: Unexpected token )``): no test was read.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.buildpacks.test_node_installs import _pin, needs_node

#: semver 5's ``satisfies``: a version it cannot parse is an error, not a mismatch
_ERA_SEMVER = """\
const today = require(%s);
module.exports = Object.assign({}, today, { satisfies(version, range) {
  if (!today.valid(version)) throw new TypeError('Invalid Version: ' + version);
  return today.satisfies(version, range);
} });
"""


@needs_node
def test_a_release_whose_version_semver_cannot_read_is_no_candidate_path_to_regexp_2014(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    npm = Path(shutil.which("npm") or "npm").resolve()
    era = tmp_path / "era-npm"
    (era / "bin").mkdir(parents=True)
    (era / "bin" / "npm").write_text("#!/bin/sh\n")
    (era / "bin" / "npm").chmod(0o755)
    (era / "node_modules" / "semver").mkdir(parents=True)
    today = json.dumps(str(npm.parent.parent / "node_modules" / "semver"))
    (era / "node_modules" / "semver" / "index.js").write_text(_ERA_SEMVER % today)
    node = Path(shutil.which("node") or "node").parent
    monkeypatch.setenv("PATH", f"{era / 'bin'}:{node}")  # the era's npm first, as on a registry Node
    done = _pin(tmp_path / "project", {"devDependencies": {"mocha": "*"}}, "0.10.48")
    assert done.returncode == 0 and "skipped" not in done.stderr, done.stderr
    pinned = json.loads((tmp_path / "project" / "package.json").read_text())
    assert pinned["devDependencies"] == {"mocha": "3.5.3"} and pinned["overrides"] == {"dbg": "1.0.0"}
