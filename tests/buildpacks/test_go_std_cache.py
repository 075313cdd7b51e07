"""The standard library a Go env's build compiled is warm in every container made from it (Go 1.20
and later ship it as source only)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from rfsn.buildpacks.go.buildpack import GoBuildpack
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings
from tests.buildpacks.conftest import FIXTURES

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_a_fresh_container_compiles_none_of_the_standard_library_suite32_go_tests(
    tmp_path: Path, docker_client: object
) -> None:
    repo = tmp_path / "words"
    shutil.copytree(FIXTURES / "go" / "words", repo)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    with open_sandbox(repo, GoBuildpack(), load_settings(), "docker") as box:
        # -x prints each tool go runs: a package taken from the cache is not compiled again
        built = box.exec(["go", "build", "-x", "net/http", "encoding/json", "testing"], timeout=600)
    assert built.exit_code == 0, built.output[-2000:]
    compiled = [line for line in built.output.splitlines() if "/compile " in line]
    assert compiled == [], f"{len(compiled)} packages compiled, the first: {compiled[0][:200]}"
