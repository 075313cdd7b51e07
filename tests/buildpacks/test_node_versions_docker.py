"""A project that declares an old Node runs its tests on that Node, from the npm registry.

Mocha 1.x-4.x suites of 2014-2018 projects ran on Node 20 and their reports were lost; here a
project of 2018 (``engines.node`` 8.x, mocha 3) gets Node 8 and the npm it bundled, and each test
is read: the runtime's version is asserted from inside the sandbox by a test of the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.buildpacks.test_e2e_docker import _needs_docker  # noqa: F401  (skips without a daemon)

pytestmark = pytest.mark.docker

SUITE = """\
var assert = require('assert');
describe('the runtime', function () {
  it('is the node the project declares', function () { assert.equal(process.version.split('.')[0], 'v8'); });
  it('fails where the code is wrong', function () { assert.equal(1 + 1, 3); });
});
"""


def _project(root: Path, package: dict[str, object], files: dict[str, str], day: str = "2018-03-01T12:00:00Z") -> Path:
    root.mkdir()
    (root / "package.json").write_text(json.dumps(package))
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    env = {**os.environ, "GIT_AUTHOR_DATE": day, "GIT_COMMITTER_DATE": day}
    for argv in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", day[:4]],
    ):
        subprocess.run(argv, cwd=root, check=True, env=env)
    return root


def test_engines_node_8_and_mocha_3_run_on_node_8_with_every_test_read(tmp_path: Path) -> None:
    repo = _project(
        tmp_path / "old",
        {
            "name": "old",
            "version": "1.0.0",
            "engines": {"node": "8.x"},
            "scripts": {"test": "mocha"},
            "devDependencies": {"mocha": "3.5.3"},
        },
        {"test/runtime.js": SUITE},
    )
    proc = subprocess.run(
        [sys.executable, "-c", "from rfsn.cli import main; main()", "test", str(repo), "--sandbox", "docker", "--json"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    assert dict(json.loads(proc.stdout)["tests"]) == {
        "test/runtime.js > the runtime > is the node the project declares": "passed",
        "test/runtime.js > the runtime > fails where the code is wrong": "failed",
    }
