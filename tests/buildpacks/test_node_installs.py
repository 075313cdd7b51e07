"""How a Node project's dependencies get installed when its day's tools meet today's registry.

From the JavaScript sweep of issue 70: today's pnpm refused a lock of the commit's day on its
default release-age policy (postcss at HEAD); a pinned pnpm that needs a newer Node than the one
chosen died on a module the chosen Node lacks (magic-string at HEAD).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
import threading
from datetime import date
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest

from rfsn.buildpacks.node import enginepins, nodeversions
from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.nodereleases import manager_needs
from rfsn.buildpacks.node.package import install_steps
from rfsn.buildpacks.node.semver import satisfies
from tests.buildpacks.quiethttp import QuietHandler

#: a stand-in pnpm that refuses a lock as pnpm 12 does, unless its release-age policy is off
_AGE_GATED_PNPM = """#!/bin/sh
if [ "$pnpm_config_minimum_release_age" != 0 ]; then
  echo 'Error: ERR_PNPM_MINIMUM_RELEASE_AGE_VIOLATION'; exit 1
fi
echo "installed: $*"
"""


def run_step(step: str, tmp_path: Path, tools: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """An env build's step run on the host, with stand-in ``tools`` first on the PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, text in tools.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return subprocess.run(
        ["sh", "-c", f"set -e; {step.replace('cd $RFSN_ENV/files && ', '')}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
        check=False,
    )


def test_a_pnpm_lock_installs_without_todays_release_age_policy_postcss_head(tmp_path: Path) -> None:
    package = {"devDependencies": {"nanoid": "^3.3.17"}}
    step = install_steps("pnpm", "pnpm-lock.yaml", package)[-1]
    done = run_step(step, tmp_path, {"pnpm": _AGE_GATED_PNPM})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "installed: install --frozen-lockfile" in done.stdout
    assert "the install failed" not in done.stderr  # the first try, not the one without scripts


#: stand-ins: ``npm install -g pnpm@N`` installs a pnpm N, which installs a lock of its own era only
_GLOBAL_NPM = """#!/bin/sh
spec=$(eval echo \\${$#}); major=${spec#pnpm@}; [ "$major" = pnpm ] && major=10
refuse='{ echo ERR_PNPM_LOCKFILE_BREAKING_CHANGE; exit 1; }'
printf '#!/bin/sh\\ngrep -q "^lockfileVersion: %s" pnpm-lock.yaml || %s\\n' \\
  "$( [ "$major" = 7 ] && echo 5.4 || echo "'9.0'" )" "$refuse" > "$(dirname "$0")/pnpm"
chmod +x "$(dirname "$0")/pnpm"
"""


def test_a_pnpm_lock_of_an_earlier_era_installs_with_the_pnpm_that_wrote_it_ms_2022(tmp_path: Path) -> None:
    """vercel/ms at its 2022 commit: today's pnpm refused its lock ("The lockfileVersion of 5.4 is
    incompatible with this version of pnpm, which supports lockfileVersion 9.x")."""
    lock = "lockfileVersion: 5.4\n\nspecifiers:\n  jest: 28.1.0\n"
    (tmp_path / "pnpm-lock.yaml").write_text(lock)
    package = {"devDependencies": {"jest": "28.1.0"}}
    today = install_steps("pnpm", "pnpm-lock.yaml", package, lock_text="lockfileVersion: '9.0'\n")
    assert today[-2].endswith(" pnpm")
    *_, global_install, install = install_steps("pnpm", "pnpm-lock.yaml", package, lock_text=lock)
    assert global_install.endswith(" pnpm@7")
    done = run_step(f"{global_install} && {install}", tmp_path, {"npm": _GLOBAL_NPM})
    assert done.returncode == 0, done.stdout + done.stderr
    *_, global_install, install = install_steps("pnpm", "pnpm-lock.yaml", package)  # the lock unread: today's
    assert run_step(f"{global_install} && {install}", tmp_path, {"npm": _GLOBAL_NPM}).returncode != 0


def _package(tmp_path: Path, package: dict[str, object]) -> Path:
    (tmp_path / "package.json").write_text(json.dumps(package))
    return tmp_path


def test_a_pinned_pnpm_gets_a_node_it_runs_on_said_so_magic_string_head(tmp_path: Path) -> None:
    """pnpm 11 needs Node 22.13 (``node:sqlite``); the date alone gave Debian's 20, where it died."""
    repo = _package(tmp_path, {"packageManager": "pnpm@11.13.1+sha512.abc", "devDependencies": {"vitest": "^3"}})
    choice = nodeversions.choose(repo, date(2026, 8, 20))
    assert not choice.debian and satisfies(choice.version, ">=22.13")
    assert choice.why.endswith("; pnpm@11.13.1 (packageManager) runs on Node >=22.13")
    (repo / ".nvmrc").write_text("20\n")  # a pin it cannot run on: the nearest it runs on, said so
    pinned = nodeversions.choose(repo, date(2026, 8, 20))
    assert pinned.version[0] == 22 and "cannot be had" in pinned.why and "(packageManager)" in pinned.why


def test_a_pinned_manager_that_runs_on_the_chosen_node_changes_nothing(tmp_path: Path) -> None:
    repo = _package(tmp_path, {"packageManager": "pnpm@9.15.0", "devDependencies": {"vitest": "^3"}})
    choice = nodeversions.choose(repo, date(2026, 8, 20))
    assert choice.debian and "packageManager" not in choice.why
    assert manager_needs("yarn@1.22.22") == ("yarn@1.22.22", ">=4.0.0") and manager_needs("bun@1.0.0") is None


_PACKUMENTS = {
    "mocha": {"3.5.3": ">= 0.10.x", "4.0.0": ">= 4.0.0", "10.0.0": ">= 12.0.0", "11.0.0-beta.1": None},
    "left": {"1.0.0": None, "1.1.0": None},
    "@scope/thing": {"1.0.0": ">=0.10", "2.0.0": ">=18"},
    "should": {"1.0.0": None, "4.0.0": None, "7.0.0": None, "13.0.0": None},
    "dbg": {"1.0.0": None, "1.0.2beta": None, "4.0.0": ">=6"},  # a version semver cannot read
}
#: each package's dist-tags (else none)
_TAGS: dict[str, dict[str, str]] = {}
#: each release's own dependencies (else none)
_DEPENDENCIES = {("mocha", "3.5.3"): {"dbg": "*"}}
#: the time of each release's packed files: npm 5 on writes 1985-10-26 (499162500)
_PACKED = {"1.0.0": 1300000000, "4.0.0": 1400000000, "7.0.0": 1450000000, "13.0.0": 499162500}


def _tarball(mtime: int) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        info = tarfile.TarInfo("package/package.json")
        info.size, info.mtime = 2, mtime
        tar.addfile(info, io.BytesIO(b"{}"))
    return out.getvalue()


needs_node = pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None, reason="node, npm")


class _Registry(QuietHandler):
    def do_GET(self) -> None:
        name = unquote(self.path.lstrip("/"))
        base = f"http://127.0.0.1:{self.server.server_port}"
        if name.endswith(".tgz"):
            body = _tarball(_PACKED.get(name.rsplit("/", 1)[-1].removesuffix(".tgz"), 499162500))
        elif name in _PACKUMENTS:
            versions = {
                v: {
                    "version": v,
                    "dist": {"tarball": f"{base}/{name}/-/{v}.tgz"},
                    "dependencies": _DEPENDENCIES.get((name, v), {}),
                    **({"engines": {"node": e}} if e else {}),
                }
                for v, e in _PACKUMENTS[name].items()
            }
            body = json.dumps({"name": name, "versions": versions, "dist-tags": _TAGS.get(name, {})}).encode()
        else:
            self.send_error(404)
            return
        self.send_body(body)


@needs_node
def test_an_unbounded_dependency_gets_its_newest_release_that_runs_on_the_node_strip_ansi_2014(
    tmp_path: Path,
) -> None:
    """strip-ansi 683be59 (2014, Node 0.10): ``"mocha": "*"`` installed today's mocha, which dies
    on Node 0.10 (SyntaxError), and no test was read. The script, run for real against a loopback
    registry, pins what says it does not run there and leaves the rest as written."""
    package = {
        "devDependencies": {"mocha": "*", "left": "^1.0.0", "@scope/thing": "latest", "fork": "github:x/y"},
    }
    done = _pin(tmp_path, package, "0.10.48")
    assert done.returncode == 0, done.stderr
    pinned = json.loads((tmp_path / "package.json").read_text())["devDependencies"]
    assert pinned == {"mocha": "3.5.3", "left": "^1.0.0", "@scope/thing": "1.0.0", "fork": "github:x/y"}
    assert "rfsn: mocha@* -> 3.5.3, the newest whose engines.node takes Node 0.10.48" in done.stderr
    # mocha 1.18.2's ``debug: "*"`` gave debug 4 on Node 0.10 (SyntaxError): a dependency's range
    # is held by npm's overrides
    assert json.loads((tmp_path / "package.json").read_text())["overrides"] == {"dbg": "1.0.0"}


@needs_node
def test_before_npm_5_a_release_of_the_day_is_read_from_its_tarball_not_the_registrys_time(tmp_path: Path) -> None:
    """This registry's ``time`` dates every old release 2024 or later (the day a mirror stored
    it), so ``npm --before`` falls back to today's; a tarball packed before npm 5 keeps its files'
    times, and those after it (1985-10-26) are after any such day."""
    done = _pin(tmp_path, {"devDependencies": {"should": "*", "left": "^1.0.0"}}, "0.10.48", "2014-06-01")
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "package.json").read_text())["devDependencies"]["should"] == "4.0.0"
    later = _pin(tmp_path / "later", {"devDependencies": {"should": "*"}}, "0.10.48", "2019-06-01")
    assert "should" not in later.stderr  # after npm 5 the tarball cannot tell: as written


def _pin(
    where: Path, package: dict[str, object], *args: str, notes: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The pins script run for real on ``package`` against the loopback registry (the build's
    notes into ``notes``)."""
    where.mkdir(exist_ok=True)
    (where / "package.json").write_text(json.dumps(package))
    (where / enginepins.SCRIPT).write_text(enginepins.ENGINE_PINS_JS)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        return subprocess.run(
            ["node", enginepins.SCRIPT, *args],
            capture_output=True,
            text=True,
            cwd=where,
            env={
                **os.environ,
                "npm_config_registry": f"http://127.0.0.1:{server.server_port}/",
                **({"RFSN_NOTES": str(notes)} if notes else {}),
            },
            check=False,
            timeout=60,
        )
    finally:
        server.shutdown()
        server.server_close()


def test_the_pins_run_before_an_install_without_a_lockfile_on_a_registry_node_only(tmp_path: Path) -> None:
    repo = _package(tmp_path, {"engines": {"node": "0.10"}, "devDependencies": {"mocha": "*"}})
    recipe = NodeBuildpack().env_recipe(repo)
    pins = enginepins.engine_pins_step("0.10.48")
    assert recipe.steps.index(pins) == len(recipe.steps) - 2 and enginepins.SCRIPT in dict(recipe.files)
    (repo / "package.json").write_text(json.dumps({"engines": {"node": ">=18"}, "devDependencies": {"mocha": "*"}}))
    debian = NodeBuildpack().env_recipe(repo).steps  # Debian's 20: the script only for the git fallback
    assert not any(step.startswith(pins.partition(" 0.10")[0]) for step in debian)
    assert "RFSN_GIT_UNREACHABLE=1" in debian[-1]


_GIT_FAILING_NPM = """#!/bin/sh
if grep -q forked-lib package.json; then
  echo 'npm error command git --no-replace-objects ls-remote ssh://git@github.com/someone/forked-lib.git'; exit 128
fi
echo "installed: $*"
"""


@pytest.mark.skipif(not Path("/usr/bin/node").is_file(), reason="the image's own Node is /usr/bin/node")
def test_without_a_lockfile_a_git_hosted_dependency_that_cannot_be_fetched_is_left_out_said_so_micromatch_head(
    tmp_path: Path,
) -> None:
    """micromatch at HEAD: a benchmark tool from GitHub (``time-require``) that the build cannot
    fetch cost the whole environment; without a lockfile the install runs again without it."""
    package = {"devDependencies": {"left": "^1.0.0", "fork": "github:someone/forked-lib#fix"}}
    (tmp_path / "package.json").write_text(json.dumps(package))
    step = install_steps("npm", None, package, "8.11.0")[-1].replace("cd $RFSN_ENV/files && ", "")
    done = run_step(f"export RFSN_ENV={tmp_path}/env; {step}", tmp_path, {"npm": _GIT_FAILING_NPM})
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((tmp_path / "package.json").read_text())["devDependencies"] == {"left": "^1.0.0"}
    said = "git-hosted dependencies left out, they could not be fetched: fork (github:someone/forked-lib#fix)"
    assert (tmp_path / "env" / "notes.txt").read_text().strip() == said
    locked = install_steps("npm", "package-lock.json", package, "8.11.0")[-1]
    assert "again without them" not in locked  # a lockfile must stay in step with package.json


def test_a_mocha_test_whose_file_mocha_never_named_runs_by_its_title_strip_ansi_2014() -> None:
    """mocha 1.18 names no test's file: its id is ``" > title"``; run by that id, the empty file
    went to mocha as a path (``Error: must provide pattern``) and the test read as not collected;
    then mocha 1.18 took the anchored pattern as a literal string and ran none."""
    command = NodeBuildpack(runner="mocha").test_command([" > should strip color from ls command"], "/r/report")
    assert "" not in command and command[-2:] == ["--grep", "should strip color from ls command"]
    # mocha 1.x greps a string literally: one test's plain title is given as it is, else a pattern
    two = NodeBuildpack(runner="mocha").test_command([" > a", " > b (c)"], "/r/report")
    assert two[-2:] == ["--grep", "^(?:a|b\\ \\(c\\))$"]


def _npm_tarball(version: str) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, text in (("bin/npm-cli.js", f"console.log('{version}')\n"), ("bin/npx-cli.js", "\n")):
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(text)
            tar.addfile(info, io.BytesIO(text.encode()))
    return out.getvalue()


@pytest.mark.skipif(not Path("/usr/bin/node").is_file(), reason="the image's own Node is /usr/bin/node")
def test_the_images_own_node_gets_its_npm_from_the_registry_not_from_apt_p_limit_head(tmp_path: Path) -> None:
    """p-limit at HEAD (Debian's Node 20): Debian's npm package and its ~400 node-* packages took
    the env build past the row's 20 minutes under load; the npm of that Node line is one tarball."""
    from rfsn.buildpacks.node.package import ENSURE_NPM, IMAGE_NPM

    body = _npm_tarball(IMAGE_NPM)

    class Registry(QuietHandler):
        def do_GET(self) -> None:
            if self.path != f"/npm/-/npm-{IMAGE_NPM}.tgz":
                self.send_error(404)
                return
            self.send_body(body)

    tools = tmp_path / "tools"  # what the step needs, and no npm
    tools.mkdir()
    for name in ("mkdir", "tar", "gzip", "ln", "rm", "sh"):
        (tools / name).symlink_to(shutil.which(name) or name)
    (tools / "apt-get").write_text(f"#!/bin/sh\necho apt-get >> {tmp_path}/apt.log\nexit 1\n")
    (tools / "apt-get").chmod(0o755)
    step = ENSURE_NPM.replace("/tmp/", f"{tmp_path}/").replace("/usr/local", str(tmp_path / "local"))
    (tmp_path / "local" / "bin").mkdir(parents=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {"PATH": str(tools), "npm_config_registry": f"http://127.0.0.1:{server.server_port}/"}
        done = subprocess.run(["sh", "-c", step], capture_output=True, text=True, env=env, check=False, timeout=60)
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0 and not (tmp_path / "apt.log").exists(), done.stdout + done.stderr
    npm = subprocess.run(["/usr/bin/node", str(tmp_path / "local/bin/npm")], capture_output=True, text=True)
    assert npm.stdout.strip() == IMAGE_NPM
