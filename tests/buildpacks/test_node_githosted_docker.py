"""A dependency fetched from a git host the build cannot reach installs as the registry's release
of its name, for real: the fixture project (``fixtures/node/github-dep``) depends on
``github:jonschlinkert/is-number#7.0.0``; no git host answers here, the registry has is-number
7.0.0 (the tag's version), and its tests run green with the substitution in the build's notes.
Before, the dependency was left out and every test failed on ``Cannot find module 'is-number'``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.buildpacks.conftest import FIXTURES
from tests.buildpacks.test_e2e_docker import _needs_docker  # noqa: F401  (skips without a daemon)

pytestmark = pytest.mark.docker


def test_a_github_dependency_installs_as_the_registrys_release_of_its_tag_said_in_the_notes(tmp_path: Path) -> None:
    repo = tmp_path / "github-dep"
    shutil.copytree(FIXTURES / "node" / "github-dep", repo)
    day = "2024-06-03T12:00:00Z"
    env = {**os.environ, "GIT_AUTHOR_DATE": day, "GIT_COMMITTER_DATE": day}
    for argv in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "uses is-number"],
    ):
        subprocess.run(argv, cwd=repo, check=True, env=env)
    log = tmp_path / "log.jsonl"
    argv = ["test", str(repo), "--sandbox", "docker", "--json", "--log-file", str(log)]
    proc = subprocess.run(
        [sys.executable, "-c", "from rfsn.cli import main; main()", *argv], capture_output=True, text=True, timeout=1800
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert dict(json.loads(proc.stdout)["tests"]) == {
        "test/is-number.test.js > a numeric string is a number": "passed",
        "test/is-number.test.js > a word is not a number": "passed",
    }
    events = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    notes = [n for e in events if e.get("event") == "sandbox.environment_built" for n in e["notes"]]
    assert (
        "rfsn: is-number@github:jonschlinkert/is-number#7.0.0: a git host the build could not fetch from;"
        " the registry's release of its tag (7.0.0)"
    ) in notes
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True)
    assert status.stdout == ""  # the working tree's package.json is as the user left it
