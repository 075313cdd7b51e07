"""How a Node project's dependencies get installed when its day's tools meet today's registry.

From the JavaScript sweep of issue 70: today's pnpm refused a lock of the commit's day on its
default release-age policy (postcss at HEAD); a pinned pnpm that needs a newer Node than the one
chosen died on a module the chosen Node lacks (magic-string at HEAD).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from rfsn.buildpacks.node.package import install_steps

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
