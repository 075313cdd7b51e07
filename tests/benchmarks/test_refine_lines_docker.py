"""A refine whose runs on the Node rfsn chooses flip no test tries the other lines of the
project's CI matrix, and keeps the one that sees the fix as the row's ``runtime``.

tapjs/signal-exit fc854f8 (2015, jsbugs design row, "fixes for node 0.10.x"): its matrix listed
0.12 and 0.10; rfsn ran 0.12 only, where no test flips. Here a project whose bug shows only on
the older line of its matrix (16, 14: Nodes from the npm registry, no dependencies, its test
file run with plain ``node``) is refined for real, in Docker.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.benchmarks.test_history import mine
from tests.buildpacks.test_e2e_docker import _needs_docker  # noqa: F401  (skips without a daemon)

pytestmark = pytest.mark.docker

_BUGGY = "module.exports = () => (Number(process.versions.node.split('.')[0]) >= 16 ? 'ok' : 'bug')\n"
_FIXED = "module.exports = () => 'ok'\n"
_TEST = "require('assert').strictEqual(require('./index')(), 'ok')\n"


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2022-01-10T12:00:00Z", "GIT_COMMITTER_DATE": "2022-01-10T12:00:00Z"}
    done = subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True, text=True)
    return done.stdout


def _row(repos: Path) -> dict[str, object]:
    repo = repos / "acme__lines"
    repo.mkdir(parents=True)
    (repo / "package.json").write_text(json.dumps({"name": "lines", "scripts": {"test": "node test.js"}}))
    (repo / ".travis.yml").write_text("language: node_js\nnode_js:\n  - '16'\n  - '14'\n")
    (repo / "index.js").write_text(_BUGGY)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    base = _git(repo, "rev-parse", "HEAD").strip()
    (repo / "test.js").write_text(_TEST)
    _git(repo, "add", "-N", "test.js")
    test_patch = _git(repo, "diff")
    (repo / "test.js").unlink()
    (repo / "index.js").write_text(_FIXED)
    patch = _git(repo, "diff")
    _git(repo, "checkout", "-q", "--", "index.js")
    return {
        "instance_id": "acme__lines-1",
        "repo": "acme/lines",
        "base_commit": base,
        "patch": patch,
        "test_patch": test_patch,
        "FAIL_TO_PASS": ["test.js"],
        "PASS_TO_PASS": [],
    }


def test_the_matrix_line_that_sees_the_fix_is_kept_signal_exit_fc854f8(tmp_path: Path) -> None:
    repos = tmp_path / "repos"
    row = _row(repos)
    out = mine.refine_row(row, repos, 600)
    assert out["refined"] == "ok", out["refined"]
    assert (out["runtime"], out["FAIL_TO_PASS"]) == ("14", ["test.js"])
