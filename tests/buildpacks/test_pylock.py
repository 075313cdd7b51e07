"""Dependencies as the project locked them: uv.lock decides the versions, not the newest release."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.pylock import FORMATS, lock_format
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
    assert any("lock-tool/bin/uv export --frozen" in step for step in recipe.steps)
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
    # a dev dependency: in rfsn's environment, which need not be on PATH
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    assert uv, "uv is a dev dependency"
    repo = _project(tmp_path / "repo", pin="<2")
    subprocess.run([uv, "lock", "--quiet"], cwd=repo, check=True, timeout=300)
    (repo / "pyproject.toml").write_text(PYPROJECT.format(pin=""))
    settings = Settings(sandbox="docker", memory="1g", cpus=1.0, pids=256, test_timeout=120)
    with open_sandbox(repo, PythonBuildpack(), settings, "docker") as box:
        result = box.exec(["python", "-c", "import importlib.metadata as m; print(m.version('iniconfig'))"], timeout=60)
    assert result.exit_code == 0 and result.output.strip().startswith("1."), result.output


LOCKS = Path(__file__).parent / "fixtures" / "locks"
PDM_PYPROJECT = """\
[project]
name = "pdm-demo"
version = "0.1.0"
dependencies = []

[dependency-groups]
test = ["iniconfig==2.0.0"]
"""
PDM_LOCK = """\
[metadata]
groups = ["default", "test"]
lock_version = "4.5.0"

[[package]]
name = "iniconfig"
version = "2.0.0"
requires_python = ">=3.7"
"""


def _locked_project(root: Path, kind: str) -> Path:
    """A project whose only dependency (iniconfig) is reachable through its lock alone."""
    root.mkdir(parents=True)
    if kind == "pdm":
        (root / "pyproject.toml").write_text(PDM_PYPROJECT)
        (root / "pdm.lock").write_text(PDM_LOCK)
    else:
        for fixture in (LOCKS / kind).iterdir():
            shutil.copy(fixture, root / fixture.name)
    (root / "tests").mkdir()
    (root / "tests" / "test_ok.py").write_text("import iniconfig\n\n\ndef test_ok():\n    pass\n")
    return root


@pytest.mark.parametrize(
    ("kind", "lock", "manifest", "tool", "export"),
    [
        (
            "poetry",
            "poetry.lock",
            "pyproject.toml",
            "poetry-plugin-export",
            "poetry export --format=requirements.txt --without-hashes --all-groups",
        ),
        ("pdm", "pdm.lock", "pyproject.toml", "pdm", "pdm export --format=requirements --no-hashes --group=:all"),
        ("pipenv", "Pipfile.lock", "Pipfile", "pipenv", "pipenv requirements --dev"),
    ],
)
def test_each_lock_is_exported_by_its_own_tool_in_a_throwaway_venv(
    tmp_path: Path, kind: str, lock: str, manifest: str, tool: str, export: str
) -> None:
    repo = _locked_project(tmp_path / kind, kind)
    recipe = PythonBuildpack().env_recipe(repo)
    files = dict(recipe.files)
    assert set(files) == {lock, manifest} and files[lock] == (repo / lock).read_text()
    install_tool, run_export, install = recipe.steps[1:]
    # the image's Python, not the project's venv first on PATH (tomlkit 2020: its 3.8 has no
    # poetry 2, `Requires-Python >=3.9`)
    assert install_tool.startswith(
        "/usr/bin/python3 -m venv $RFSN_ENV/lock-tool && env -u PIP_TRUSTED_HOST "
        "PIP_INDEX_URL=https://pypi.org/simple "
        "$RFSN_ENV/lock-tool/bin/python -m pip"
    )
    assert tool in install_tool and "$RFSN_ENV/venv/" not in install_tool
    assert f"$RFSN_ENV/lock-tool/bin/{export} > $RFSN_ENV/locked.txt.all && rm -rf $RFSN_ENV/lock-tool" in run_export
    assert "$RFSN_ENV/locked.txt.all > $RFSN_ENV/locked.txt && " in run_export
    # the lock's own index (pipenv's `-i URL`) is not the build's: left out, said
    assert "--index-url|--extra-index-url" in run_export and "names its package index" in run_export
    # the tooling rfsn runs is added; the lock has no pytest or coverage
    assert "$RFSN_ENV/venv/bin/python -m pip install -r $RFSN_ENV/locked.txt" in install
    assert "the nearest of its series" in install  # a pinned release the index lost (pyenv.nearest_pins)
    assert "pytest" in install and "coverage" in install and "iniconfig" not in install
    # the image tag is the hash of what was resolved
    (repo / lock).write_text((repo / lock).read_text().replace("2.0.0", "1.1.1"))
    assert PythonBuildpack().env_recipe(repo).key() != recipe.key()


def test_the_most_trusted_lock_wins_and_an_unusable_one_is_passed_over(tmp_path: Path) -> None:
    repo = _locked_project(tmp_path / "repo", "poetry")
    assert lock_format(repo) is FORMATS[1]
    (repo / "uv.lock").write_text(LOCK.format())
    assert lock_format(repo) is FORMATS[0]
    (repo / "uv.lock").write_text("not = [toml")
    assert lock_format(repo) is FORMATS[1]
    # tomlkit 2020: a lock of poetry 1.0 (no lock-version) is one today's poetry cannot read
    # ("The lock file is not compatible with the current version of Poetry"): the build failed
    lock = (repo / "poetry.lock").read_text()
    (repo / "poetry.lock").write_text(lock.replace('lock-version = "2.1"\n', ""))
    assert lock_format(repo) is None
    (repo / "poetry.lock").write_text("")
    assert lock_format(repo) is None
    assert not any("lock-tool" in step for step in PythonBuildpack().env_recipe(repo).steps)


def test_a_pipfile_lock_without_its_pipfile_is_not_used(tmp_path: Path) -> None:
    repo = _locked_project(tmp_path / "repo", "pipenv")
    (repo / "Pipfile").unlink()
    assert lock_format(repo) is None


def test_poetry_exports_the_test_extras_and_locked_tooling_is_not_overridden(tmp_path: Path) -> None:
    repo = _locked_project(tmp_path / "repo", "poetry")
    pyproject = (repo / "pyproject.toml").read_text()
    (repo / "pyproject.toml").write_text(pyproject + "\n[tool.poetry.extras]\ntests = []\ndocs = []\n")
    lock = (repo / "poetry.lock").read_text()
    (repo / "poetry.lock").write_text(lock + '\n[[package]]\nname = "PyTest"\nversion = "7.0.0"\n')
    steps = PythonBuildpack().env_recipe(repo).steps
    assert "--extras=tests" in steps[2] and "--extras=docs" not in steps[2]
    install = steps[3].split()
    assert "pytest" not in install and "'coverage>=7.4'" in install


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["poetry", "pipenv"])
def test_the_sandbox_has_exactly_the_version_the_lock_pins(tmp_path: Path, docker_client: object, kind: str) -> None:
    """iniconfig is only in the lock's test/dev group (the static reader would not install it at
    all), poetry's pyproject allows any iniconfig>=1, and the lock says 2.0.0, not the newest."""
    repo = _locked_project(tmp_path / kind, kind)
    settings = Settings(sandbox="docker", memory="1g", cpus=1.0, pids=256, test_timeout=120)
    probe = (
        "import importlib.metadata as m, importlib.util as u; "
        "print(m.version('iniconfig'), m.version('pytest') != '', u.find_spec('poetry'), u.find_spec('pipenv'))"
    )
    with open_sandbox(repo, PythonBuildpack(), settings, "docker") as box:
        result = box.exec(["python", "-c", probe], timeout=60)
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["2.0.0", "True", "None", "None"], result.output


def test_a_name_the_tooling_and_the_build_requirements_both_give_is_handed_to_pip_once_pipenv_2019(
    tmp_path: Path,
) -> None:
    """A 2018-2020 Pipfile.lock project whose pyproject.toml requires setuptools>=41.0: the pip of
    its day refused `setuptools setuptools>=41.0` ("Double requirement given: setuptools>=41.0
    (already in setuptools)")."""
    repo = _locked_project(tmp_path / "pipenv", "pipenv")
    (repo / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools>=41.0", "wheel"]\n')
    install = PythonBuildpack().env_recipe(repo).steps[-1]
    words = shlex.split(install.split(" > $RFSN_ENV/pip.log")[0])
    assert [w for w in words if w.startswith(("setuptools", "wheel"))] == ["setuptools>=41.0,>=68", "wheel"], install


@pytest.mark.docker
@pytest.mark.slow
def test_a_pipfile_lock_that_lists_the_project_itself_as_an_editable_path_builds_shellingham_2026(
    tmp_path: Path, docker_client: object
) -> None:
    """shellingham's Pipfile has ``shellingham = {path = '.', editable = true}``: pipenv exports
    ``-e .``, and pip, in the image's directory of the manifest and the lock alone, stopped on
    "file:/// does not appear to be a Python project". A local path is the session's to install."""
    repo = _locked_project(tmp_path / "pipenv", "pipenv")
    pipfile = (repo / "Pipfile").read_text()
    (repo / "Pipfile").write_text(pipfile.replace("[packages]\n", "[packages]\ndemo = {path = '.', editable = true}\n"))
    lock = (repo / "Pipfile.lock").read_text()
    demo = '"default": {"demo": {"editable": true, "path": "."}}'
    (repo / "Pipfile.lock").write_text(lock.replace('"default": {}', demo))
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1"\n'
        '[build-system]\nrequires = ["setuptools>=61"]\n'
        'build-backend = "setuptools.build_meta"\n'
        "[tool.setuptools]\npy-modules = []\n"
    )
    settings = Settings(sandbox="docker", memory="1g", cpus=1.0, pids=256, test_timeout=120)
    with open_sandbox(repo, PythonBuildpack(), settings, "docker") as box:
        result = box.exec(["python", "-c", "import importlib.metadata as m; print(m.version('iniconfig'))"], timeout=60)
    assert result.exit_code == 0 and result.output.split() == ["2.0.0"], result.output


@pytest.mark.docker
@pytest.mark.slow
def test_the_index_a_pipfile_lock_names_is_not_used_the_build_index_is_shellingham_2022(
    tmp_path: Path, docker_client: object
) -> None:
    """shellingham's 2022 Pipfile.lock names ``https://pypi.python.org/simple``: pipenv exports
    it as ``-i URL``, which pip took over the build's index, and the first pin failed: "No
    matching distribution found for appdirs==1.4.4". Here the lock's index cannot be reached."""
    repo = _locked_project(tmp_path / "pipenv", "pipenv")
    lock = (repo / "Pipfile.lock").read_text()
    (repo / "Pipfile.lock").write_text(lock.replace("https://pypi.org/simple", "http://127.0.0.1:9/simple"))
    settings = Settings(sandbox="docker", memory="1g", cpus=1.0, pids=256, test_timeout=120)
    with open_sandbox(repo, PythonBuildpack(), settings, "docker") as box:
        result = box.exec(["python", "-c", "import importlib.metadata as m; print(m.version('iniconfig'))"], timeout=60)
        notes = box.environment
    assert result.exit_code == 0 and result.output.split() == ["2.0.0"], result.output
    assert any("names its package index (-i http://127.0.0.1:9/simple)" in note for note in notes), notes
