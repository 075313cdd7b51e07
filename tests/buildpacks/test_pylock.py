"""Dependencies as the project locked them: uv.lock decides the versions, not the newest release."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from rfsn.buildpacks.python import PythonBuildpack
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings

PYPROJECT = """\
[project]
name = "locked-demo"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = ["iniconfig{pin}"]

[dependency-groups]
tests = ["pytest>=7"]

[tool.uv]
package = false
"""
LOCK = """\
version = 1
requires-python = ">=3.9"

[[package]]
name = "iniconfig"
version = "1.1.1"
source = {{ registry = "https://pypi.org/simple" }}

[[package]]
name = "locked-demo"
version = "0.1.0"
source = {{ virtual = "." }}
dependencies = [{{ name = "iniconfig" }}]
"""


def _project(root: Path, pin: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT.format(pin=pin))
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "test_ok.py").write_text("def test_ok():\n    pass\n")
    return root


def test_a_uv_lock_is_installed_with_uv_and_its_content_keys_the_image(tmp_path: Path) -> None:
    repo = _project(tmp_path / "repo")
    (repo / "uv.lock").write_text(LOCK.format())
    recipe = PythonBuildpack().env_recipe(repo)
    assert dict(recipe.files)["uv.lock"] == LOCK.format()
    assert any("uv export --frozen" in step for step in recipe.steps)
    assert any("-r $RFSN_ENV/locked.txt" in step and "coverage" in step for step in recipe.steps)
    (repo / "uv.lock").write_text(LOCK.format().replace("1.1.1", "1.0.0"))
    assert PythonBuildpack().env_recipe(repo).key() != recipe.key()


def test_without_a_lock_the_static_reader_decides(tmp_path: Path) -> None:
    recipe = PythonBuildpack().env_recipe(_project(tmp_path / "repo"))
    assert recipe.files == () and any("iniconfig" in step for step in recipe.steps)


@pytest.mark.docker
@pytest.mark.slow
def test_the_sandbox_has_the_locked_version_not_the_newest(tmp_path: Path, docker_client: object) -> None:
    """Locked at iniconfig<2 by uv itself, then the pin is dropped from pyproject.toml without
    re-locking: the environment still gets the locked 1.x, where a fresh resolve would give 2.x."""
    uv = shutil.which("uv")
    assert uv, "uv is a dev dependency"
    repo = _project(tmp_path / "repo", pin="<2")
    subprocess.run([uv, "lock", "--quiet"], cwd=repo, check=True, timeout=300)
    (repo / "pyproject.toml").write_text(PYPROJECT.format(pin=""))
    settings = Settings(sandbox="docker", memory="1g", cpus=1.0, pids=256, test_timeout=120)
    with open_sandbox(repo, PythonBuildpack(), settings, "docker") as box:
        result = box.exec(["python", "-c", "import importlib.metadata as m; print(m.version('iniconfig'))"],
                          timeout=60)
    assert result.exit_code == 0 and result.output.strip().startswith("1."), result.output
