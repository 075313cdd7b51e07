"""A uv workspace: the members the project depends on are installed from the checkout beside it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.python import uvworkspace
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings

HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
ROOT = """\
[project]
name = "demo"
version = "1.0"
requires-python = ">=3.9"
dependencies = ["demo-types"]

[tool.uv.workspace]
members = ["src/demo-types", "examples/*"]
exclude = ["examples/skipped"]

[tool.uv.sources]
demo-types = { workspace = true }
demo-story = { workspace = true }

[tool.hatch.build.targets.wheel]
packages = ["src/demo"]
"""


def _member(root: Path, where: str, name: str, module: str, dependencies: str = "") -> None:
    (root / where / module).mkdir(parents=True)
    (root / where / module / "__init__.py").write_text("VALUE = 1\n")
    text = f'[project]\nname = "{name}"\nversion = "1.0"\ndependencies = [{dependencies}]\n'
    (root / where / "pyproject.toml").write_text(
        text + HATCH + f'[tool.hatch.build.targets.wheel]\npackages = ["{module}"]\n'
    )


def _workspace(root: Path) -> Path:
    (root / "src" / "demo").mkdir(parents=True)
    (root / "src" / "demo" / "__init__.py").write_text("from demo_types import VALUE\n")
    (root / "pyproject.toml").write_text(ROOT + HATCH)
    (root / "tests").mkdir()
    (root / "tests" / "test_value.py").write_text(
        "from demo import VALUE\n\ndef test_value():\n    assert VALUE == 1\n"
    )
    _member(root, "src/demo-types", "demo-types", "demo_types", '"iniconfig"')
    _member(root, "examples/story", "demo-story", "demo_story")
    _member(root, "examples/skipped", "demo-story", "demo_story")  # excluded: not the member
    _member(root, "examples/other", "demo-other", "demo_other")  # a member the project does not name
    return root


def test_the_workspace_members_the_project_names_are_installed_beside_it_python_sdk_2026(tmp_path: Path) -> None:
    """modelcontextprotocol/python-sdk: ``mcp`` imports ``mcp_types`` from the workspace member
    src/mcp-types; the lock export leaves members out and only ``-e .`` was installed, so pytest
    stopped with a usage error (``No module named 'mcp_types'``, from a filterwarnings entry)."""
    repo = _workspace(tmp_path / "repo")
    assert uvworkspace.members(repo) == ["examples/story", "src/demo-types"]
    command = PythonBuildpack().setup_commands(repo)[0]
    assert command[-6:] == ["-e", ".", "-e", "examples/story", "-e", "src/demo-types"]


def test_a_project_without_workspace_sources_installs_itself_alone(tmp_path: Path) -> None:
    repo = _workspace(tmp_path / "repo")
    (repo / "pyproject.toml").write_text(ROOT.split("[tool.uv.sources]")[0] + HATCH)
    assert uvworkspace.members(repo) == []
    assert PythonBuildpack().setup_commands(repo)[0][-2:] == ["-e", "."]


@pytest.mark.docker
@pytest.mark.slow
def test_a_locked_uv_workspace_imports_its_member_in_the_sandbox(tmp_path: Path, docker_client: object) -> None:
    """Locked by uv itself: the member's dependency comes from the lock, the member from the checkout."""
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    assert uv, "uv is a dev dependency"
    repo = _workspace(tmp_path / "repo")
    subprocess.run([uv, "lock", "--quiet"], cwd=repo, check=True, timeout=300)
    settings = Settings(sandbox="docker", memory="1g", cpus=1.0, pids=256, test_timeout=120)
    probe = "import importlib.metadata as m, demo; print(demo.VALUE, m.version('iniconfig') != '')"
    with open_sandbox(repo, PythonBuildpack(), settings, "docker") as box:
        result = box.exec(["python", "-c", probe], timeout=60)
    assert result.exit_code == 0 and result.output.split() == ["1", "True"], result.output
