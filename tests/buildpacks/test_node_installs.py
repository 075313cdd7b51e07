"""How a Node project's dependencies get installed when its day's tools meet today's registry.

From the JavaScript sweep of issue 70: today's pnpm refused a lock of the commit's day on its
default release-age policy (postcss at HEAD); a pinned pnpm that needs a newer Node than the one
chosen died on a module the chosen Node lacks (magic-string at HEAD).
"""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

from rfsn.buildpacks.node import nodeversions
from rfsn.buildpacks.node.nodereleases import manager_needs
from rfsn.buildpacks.node.package import install_steps
from rfsn.buildpacks.node.semver import satisfies

#: a stand-in pnpm that refuses a lock as pnpm 12 does, unless its release-age policy is off
_AGE_GATED_PNPM = """#!/bin/sh
if [ "$pnpm_config_minimum_release_age" != 0 ]; then
  echo 'Error: ERR_PNPM_MINIMUM_RELEASE_AGE_VIOLATION'; exit 1
fi
echo "installed: $*"
"""


def _run_step(step: str, tmp_path: Path, tools: dict[str, str]) -> subprocess.CompletedProcess[str]:
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
    done = _run_step(step, tmp_path, {"pnpm": _AGE_GATED_PNPM})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "installed: install --frozen-lockfile" in done.stdout
    assert "the install failed" not in done.stderr  # the first try, not the one without scripts


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
