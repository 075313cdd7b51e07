"""Fixtures for the gate tests: a small adversarial git repository and the devset."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.gate import Gate, GateContext, GatePolicy
from rfsn.models import Phase
from tests.paths import DEVSET

FILES = {
    "pkg/__init__.py": "",
    "pkg/mod.py": "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n",
    "pkg/data.txt": "hello\n",
    "tests/__init__.py": "",
    "tests/test_mod.py": (
        "from pkg.mod import add\n\n\n"
        "def test_add():\n    assert add(1, 2) == 3\n\n\n"
        "class TestMul:\n    def test_mul(self):\n        assert True\n"
    ),
    "src/lib.rs": (
        "pub fn add(a: i32, b: i32) -> i32 {\n    a - b\n}\n\n"
        "#[cfg(test)]\nmod tests {\n    use super::*;\n\n"
        "    #[test]\n    fn adds() {\n        assert_eq!(add(1, 2), 3);\n    }\n}\n"
    ),
    "web/app.js": "export const add = (a, b) => a - b;\n",
    "web/app.test.js": "import { add } from './app.js';\ntest('adds', () => { expect(add(1, 2)).toBe(3); });\n",
    "pyproject.toml": '[project]\nname = "pkg"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n',
    "tox.ini": "[tox]\nenvlist = py311\n\n[pytest]\ntestpaths = tests\n",
    "setup.cfg": "[metadata]\nname = pkg\n\n[tool:pytest]\ntestpaths = tests\n",
    ".github/workflows/ci.yml": "on: push\n",
    ".env": "TOKEN=x\n",
    "README.md": "# pkg\n",
    "package-lock.json": "{}\n",
    "noeol.py": "x = 1",
}


def git(repo: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.invalid",
    )
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def make_repo(root: Path) -> Path:
    """A git checkout with code, tests, config, and symlinks that lead in and out."""
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("top secret\n")
    repo = root / "repo"
    for rel, text in FILES.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    (repo / "escape_dir").symlink_to(outside, target_is_directory=True)
    (repo / "escape_file").symlink_to(outside / "secret.txt")
    (repo / "pkg" / "up").symlink_to("../..", target_is_directory=True)
    (repo / "inside_dir").symlink_to("pkg", target_is_directory=True)
    (repo / "inside_file").symlink_to("pkg/mod.py")
    (repo / "etc_link").symlink_to("/etc", target_is_directory=True)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    return repo


@pytest.fixture(scope="session")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared read-only repository (the gate never writes)."""
    return make_repo(tmp_path_factory.mktemp("gate"))


@pytest.fixture
def fresh_repo(tmp_path: Path) -> Path:
    """A repository a test may change on disk (e.g. to simulate an earlier applied edit)."""
    return make_repo(tmp_path)


@pytest.fixture(scope="session")
def gate() -> Gate:
    return Gate(GatePolicy())


def ctx(workspace: Path, phase: Phase | str = Phase.PATCH, **kw: object) -> GateContext:
    return GateContext(workspace=workspace, phase=Phase(phase), **kw)


@pytest.fixture(scope="session")
def devset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """The 25 devset repositories, materialized once, and their instances."""
    out = tmp_path_factory.mktemp("devset") / "repos"
    subprocess.run([sys.executable, str(DEVSET / "materialize.py"), str(out)], check=True, capture_output=True)
    instances = [json.loads(line) for line in (DEVSET / "instances.jsonl").read_text().splitlines() if line.strip()]
    return out, instances
