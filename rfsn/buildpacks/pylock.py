"""Install a Python project's dependencies from its lock file, with the tool that wrote it.

``uv.lock``: uv (installed into the environment with pip) exports the locked
versions of the project's dependencies, every dependency group and its
test-like extras as a requirements file, and pip installs exactly that. The
lock and pyproject.toml are files of the env recipe, so the image tag is a
hash of what was resolved: a changed lock builds a new environment.
"""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path

from packaging.utils import canonicalize_name

from rfsn.buildpacks.pydeps import TEST_EXTRAS, build_requirements, requirement_name
from rfsn.buildpacks.pyenv import PIP_INSTALL

UV = "uv>=0.5,<1"


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def locked_packages(repo: Path) -> set[str]:
    """Canonical names of the packages ``uv.lock`` pins (empty when there is no usable lock)."""
    packages = _toml(repo / "uv.lock").get("package", [])
    return {canonicalize_name(p["name"]) for p in packages if isinstance(p, dict) and "name" in p}


def uv_install(repo: Path, tooling: tuple[str, ...]) -> tuple[list[str], list[tuple[str, str]]] | None:
    """(steps, files) installing ``repo``'s uv-locked dependencies plus the missing ``tooling``
    and build requirements (for the session's offline editable install),
    or None when it has no uv.lock with a pyproject.toml beside it."""
    if not (repo / "pyproject.toml").is_file() or not locked_packages(repo):
        return None
    extras = sorted(TEST_EXTRAS & set(_toml(repo / "pyproject.toml").get("project", {})
                                      .get("optional-dependencies", {})))
    export = ["$RFSN_ENV/venv/bin/uv", "export", "--frozen", "--no-hashes", "--no-header",
              "--all-groups", "--no-emit-project", "--no-emit-workspace",
              *(f"--extra={e}" for e in extras), "-o", "$RFSN_ENV/locked.txt"]
    locked = locked_packages(repo)
    missing = [t for t in (*tooling, *build_requirements(repo))
               if canonicalize_name(requirement_name(t)) not in locked]
    steps = [
        f"{PIP_INSTALL} {shlex.quote(UV)}",
        f"cd $RFSN_ENV/files && {' '.join(export)}",
        f"{PIP_INSTALL} -r $RFSN_ENV/locked.txt {' '.join(shlex.quote(t) for t in missing)}".rstrip(),
    ]
    files = [(name, (repo / name).read_text(encoding="utf-8")) for name in ("pyproject.toml", "uv.lock")]
    return steps, files
