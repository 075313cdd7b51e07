"""A Python Debian does not ship comes from a python-build-standalone archive the user provides:
built here from the interpreter running these tests, then used by a real env image build."""

from __future__ import annotations

import gzip
import sys
import sysconfig
import tarfile
from pathlib import Path
from typing import Any

import pytest

from rfsn.buildpacks.python import pyarchives
from rfsn.buildpacks.python.swebench import specs

SPEC = {"python": "3.11", "install": "", "test_cmd": "pytest -rA"}
#: what an install_only archive leaves out of the interpreter's tree, to keep this one small
SKIP = ("test/", "idlelib/", "tkinter/", "turtledemo/", "site-packages/", "config-")
#: every file's time in the archive, and the archive's own (2026-01-01, the release in its name)
STAMP = 1767225600


def _archive(directory: Path) -> Path:
    """The running interpreter in python-build-standalone's install_only layout (``python/``)."""
    prefix = Path(sys.base_prefix)
    if prefix == Path("/usr"):
        pytest.skip("the running Python is the system's (/usr): it cannot be packaged on its own")
    version = ".".join(map(str, sys.version_info[:3]))
    path = directory / f"cpython-{version}+20260101-x86_64-unknown-linux-gnu-install_only.tar.gz"
    stdlib = Path(sysconfig.get_paths(vars={"base": str(prefix), "installed_base": str(prefix)})["stdlib"])

    lib = f"python/{stdlib.relative_to(prefix)}/"
    skipped = tuple(lib + name for name in SKIP)

    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        if "__pycache__" in info.name or (info.name.startswith(skipped) and info.name != lib + "site-packages"):
            return None
        info.mtime = STAMP
        return info

    # the same bytes on every run, so the env image built from it is built once and reused after
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=STAMP) as packed,
        tarfile.open(fileobj=packed, mode="w") as tar,
    ):
        tar.add(str(prefix), arcname="python", filter=keep)
    return path


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The running interpreter's archive, packed once for the tests that build from it."""
    return _archive(tmp_path_factory.mktemp("archives"))


def test_an_archive_is_found_by_version_newest_patch_first(tmp_path: Path) -> None:
    for name in (
        "cpython-3.8.9+20240101-x86_64-unknown-linux-gnu-install_only.tar.gz",
        "cpython-3.8.18+20240107-x86_64-unknown-linux-gnu-install_only.tar.gz",
        "cpython-3.10.13+20240107-x86_64-unknown-linux-gnu-install_only.tar.gz",
        "cpython-3.8.20+20240107-aarch64-unknown-linux-gnu-install_only.tar.gz",
    ):
        (tmp_path / name).write_bytes(b"")
    assert pyarchives.find(tmp_path, "3.8") == tmp_path / (
        "cpython-3.8.18+20240107-x86_64-unknown-linux-gnu-install_only.tar.gz"
    )
    assert pyarchives.find(tmp_path, "3.7") is None
    assert pyarchives.find(None, "3.8") is None


def test_without_an_archive_a_python_debian_lacks_is_an_env_failure_naming_it(tmp_path: Path) -> None:
    with pytest.raises(specs.EnvUnavailable, match=r"Python 3\.8 is not shipped by Debian.*RFSN_PYTHON_ARCHIVES"):
        specs.render_recipe({**SPEC, "python": "3.8"}, registry=False, archives=tmp_path)


@pytest.mark.docker
@pytest.mark.slow
def test_the_env_of_a_python_debian_lacks_runs_the_archives_interpreter(
    docker_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rfsn_home: Path, packed: Path
) -> None:
    """Debian is made not to ship this Python, so the recipe must take it from the archive: the
    venv inside runs the archive's exact release, not Debian's."""
    from rfsn.buildpacks.python.buildpack import PythonBuildpack
    from rfsn.sandbox import open_sandbox
    from rfsn.settings import Settings

    archive = tmp_path / packed.name
    archive.hardlink_to(packed)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    monkeypatch.setattr(specs, "DEBIAN_PYTHON", {k: v for k, v in specs.DEBIAN_PYTHON.items() if k != version})
    recipe = specs.render_recipe({**SPEC, "python": version}, registry=False, archives=tmp_path)
    assert recipe.python_archive == pyarchives.digest(archive)
    assert "python_archive_path" not in recipe.model_dump()  # the host's path is no part of the key

    class Pack(PythonBuildpack):
        def env_recipe(self, repo: Path) -> Any:
            return recipe

        def setup_commands(self, repo: Path) -> list[list[str]]:
            return []

    (tmp_path / "repo").mkdir()
    settings = Settings(sandbox="docker", home=rfsn_home, memory="1g", cpus=1.0, pids=256, setup_timeout=600)
    with open_sandbox(tmp_path / "repo", Pack(), settings, "docker") as box:
        result = box.exec(["python", "-c", "import sys, pytest; print(sys.version.split()[0])"], timeout=60)
        # what setuptools does for a C extension under Python < 3.8: link libpython, which must
        # be the archive's (the linker's trace names the file it took), not Debian's or none
        linked = box.exec(
            [
                "sh",
                "-c",
                "printf 'int main(void){return 0;}' | gcc -x c - "
                f"-lpython{version} -o /tmp/linked -Wl,-t | grep libpython | xargs realpath",
            ],
            timeout=120,
        )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ".".join(map(str, sys.version_info[:3]))
    assert linked.exit_code == 0 and linked.output.strip().startswith(
        f"{pyarchives.PYTHON_HOME}/lib/libpython{version}"
    ), linked.output


def test_an_archive_holding_another_python_than_its_name_says_fails_the_build(
    docker_client: Any, tmp_path: Path, rfsn_home: Path, packed: Path
) -> None:
    """The name is only a claim: the build checks the venv's interpreter, and an archive named
    for 3.8 that holds this Python is an image build failure naming both, never a run on it."""
    from rfsn.errors import ImageError
    from rfsn.sandbox.images import BuildOptions, ensure_env_image

    claimed = "3.8" if sys.version_info[:2] != (3, 8) else "3.10"
    (tmp_path / f"cpython-{claimed}.1+20260101-x86_64-unknown-linux-gnu-install_only.tar.gz").hardlink_to(packed)
    recipe = specs.render_recipe({**SPEC, "python": claimed}, registry=False, archives=tmp_path)
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    with pytest.raises(ImageError, match=rf"the archive runs Python {running}, not {claimed}"):
        ensure_env_image(docker_client, recipe, BuildOptions("auto", step_timeout=600))
