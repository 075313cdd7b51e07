"""A lock's devDependency whose locked release the registry does not have is left out, said so.

postcss/postcss at HEAD (pnpm: ``multiocular`` 0.8.4, the registry's newest is 0.8.3) and
ai/nanoid's 2021 bug (yarn: ``@size-limit/dual-publish`` 5.0.5 and ``dual-publish`` 2.0.0, both
unpublished) got no environment: their frozen installs failed on those tarballs' 404s.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from rfsn.buildpacks.node.package import install_steps
from tests.buildpacks.test_node_installs import run_step

pytestmark = pytest.mark.skipif(not Path("/usr/bin/node").is_file(), reason="the image's own Node is /usr/bin/node")

#: a stand-in pnpm that fails as pnpm 11 did on postcss's lock while package.json names multiocular
_PNPM = """#!/bin/sh
echo "pnpm $*" >> calls.log
if grep -q multiocular package.json; then
  printf 'Error: ERR_PNPM_TARBALL_HTTP_STATUS\\n\\n  \\303\\227 installing dependencies\\n'
  printf '  \\342\\225\\260\\342\\224\\200\\342\\226\\266 Tarball server returned HTTP 404 for https://registry.npmjs.org/\\n'
  printf '      multiocular/-/multiocular-0.8.4.tgz\\n\\n'
  exit 1
elif grep -q actions-up package.json; then
  printf '  \\342\\225\\260\\342\\224\\200\\342\\226\\266 Tarball server returned HTTP 404 for https://registry.npmjs.org/actions-\\n'
  printf '      up/-/actions-up-1.17.0.tgz\\n\\n'
  exit 1
fi
"""
#: a stand-in yarn 1 that fails as nanoid's 2021 lock did while package.json names dual-publish
_YARN = """#!/bin/sh
echo "yarn $*" >> calls.log
if grep -q '"@size-limit/dual-publish"' package.json; then
  printf '%s%s\n' 'error Error: https://registry.yarnpkg.com/@size-limit/dual-publish/' \
    '-/dual-publish-5.0.5.tgz: Request failed "404 Not Found"'
  exit 1
elif grep -q '"dual-publish"' package.json; then
  echo 'error Error: https://registry.yarnpkg.com/dual-publish/-/dual-publish-2.0.0.tgz: Request failed "404 Not Found"'
  exit 1
fi
"""


def _install(tmp_path: Path, manager: str, tool: str, package: dict[str, object]) -> subprocess.CompletedProcess[str]:
    (tmp_path / "package.json").write_text(json.dumps(package))
    lock = "pnpm-lock.yaml" if manager == "pnpm" else "yarn.lock"
    step = install_steps(manager, lock, package)[-1]  # type: ignore[arg-type]
    return run_step(f"export RFSN_ENV={tmp_path}/env; {step}", tmp_path, {manager: tool})


def test_a_devdependency_the_registry_has_not_is_left_out_and_the_lock_kept_postcss_head(tmp_path: Path) -> None:
    """And nanoid at HEAD: ``actions-up`` 1.17.0, its URL wrapped after a hyphen."""
    dev = {"multiocular": "^0.8.4", "actions-up": "^1.17.0", "vitest": "^4"}
    package = {"devDependencies": dev, "dependencies": {"nanoid": "^5"}}
    done = _install(tmp_path, "pnpm", _PNPM, package)
    assert done.returncode == 0, done.stdout + done.stderr
    left = json.loads((tmp_path / "package.json").read_text())
    assert left["devDependencies"] == {"vitest": "^4"} and left["dependencies"] == {"nanoid": "^5"}
    assert (tmp_path / "calls.log").read_text().splitlines()[-1].endswith("pnpm install --no-frozen-lockfile")
    said = "devDependencies left out, the registry has not their locked release: multiocular actions-up"
    assert (tmp_path / "env" / "notes.txt").read_text().strip() == said


def test_a_scoped_devdependency_of_a_yarn_lock_is_left_out_nanoid_2021(tmp_path: Path) -> None:
    """Its lock has a second: yarn stops at the first 404, and names ``dual-publish`` 2.0.0 once
    the first is left out."""
    package = {"devDependencies": {"@size-limit/dual-publish": "^5.0.5", "dual-publish": "^2.0.0", "jest": "^26"}}
    done = _install(tmp_path, "yarn", _YARN, package)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((tmp_path / "package.json").read_text())["devDependencies"] == {"jest": "^26"}
    said = "devDependencies left out, the registry has not their locked release: @size-limit/dual-publish dual-publish"
    assert (tmp_path / "env" / "notes.txt").read_text().strip() == said


def test_a_runtime_dependency_the_registry_has_not_is_not_left_out(tmp_path: Path) -> None:
    """The tests need what the code imports: the build fails, its line naming the 404."""
    done = _install(tmp_path, "pnpm", _PNPM, {"dependencies": {"multiocular": "^0.8.4"}})
    assert done.returncode == 1
    assert "multiocular" in json.loads((tmp_path / "package.json").read_text())["dependencies"]
    assert "HTTP 404" in done.stdout and not (tmp_path / "env").exists()


def test_pnpm_runs_the_test_script_without_installing_first_postcss_head(tmp_path: Path) -> None:
    """postcss at HEAD, its env built without multiocular: ``pnpm run /^test:/`` saw node_modules
    differ from the tree's lock and installed first, in the sandbox without network (14 min of DNS
    retries, then every script failed)."""
    from rfsn.buildpacks.node.buildpack import NodeBuildpack

    (tmp_path / "package.json").write_text(
        json.dumps({"scripts": {"test": "pnpm run /^test:/"}, "devDependencies": {"a": "1"}})
    )
    (tmp_path / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\n")
    env = dict(NodeBuildpack().env_recipe(tmp_path).env)
    assert env["pnpm_config_verify_deps_before_run"] == "false"


#: a stand-in yarn 1 that refuses, frozen, a lock package.json outgrew (lodash/lodash's of 2021)
_STALE_YARN = """#!/bin/sh
echo "yarn $*" >> calls.log
case "$*" in *--frozen-lockfile*)
  echo 'error Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`.'; exit 1;;
esac
"""


def test_a_lock_package_json_outgrew_installs_again_with_the_lock_updated_said_so_lodash_old(tmp_path: Path) -> None:
    """lodash/lodash's old commit (f299b52f): its yarn.lock lags its package.json; the frozen
    install failed, with and without scripts, and the row got no environment."""
    done = _install(tmp_path, "yarn", _STALE_YARN, {"devDependencies": {"mocha": "^8"}})
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "calls.log").read_text().splitlines()[-1] == "yarn install"
    said = "the lock does not match package.json: installed with the lock updated"
    assert (tmp_path / "env" / "notes.txt").read_text().strip() == said and said in done.stderr


@pytest.mark.skipif(not Path("/usr/bin/npm").exists(), reason="npm")
def test_npm_ci_on_a_lock_out_of_sync_installs_again_with_npm_install(tmp_path: Path) -> None:
    """The same for npm's lock, with npm itself: ``npm ci`` refuses a lock out of sync, offline."""
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "package.json").write_text(json.dumps({"name": "local", "version": "1.0.0"}))
    package = {"name": "p", "version": "1.0.0", "dependencies": {"local": "file:./local"}}
    (tmp_path / "package.json").write_text(json.dumps(package))
    lock = {"name": "p", "version": "1.0.0", "lockfileVersion": 3, "packages": {"": {"name": "p", "version": "1.0.0"}}}
    (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    step = install_steps("npm", "package-lock.json", package, npm="10.9.2")[-1]
    done = run_step(f"export RFSN_ENV={tmp_path}/env; {step}", tmp_path, {})
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "node_modules" / "local" / "package.json").is_file() and "in sync" in done.stdout
    assert "installed with the lock updated" in (tmp_path / "env" / "notes.txt").read_text()
