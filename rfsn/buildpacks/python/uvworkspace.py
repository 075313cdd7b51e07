"""The members of a uv workspace that the project depends on, read from its pyproject.toml.

A lock export leaves a workspace's members out (they are local paths, and the env image holds
only the manifest and the lock), so the session installs them from the checkout beside the
project itself: those named as sources (``[tool.uv.sources] x = { workspace = true }``), found
among ``[tool.uv.workspace] members`` (globs, less ``exclude``) by their ``[project] name``.
"""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name

from rfsn.fsutil import read_toml


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _table(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def members(repo: Path) -> list[str]:
    """Paths (relative to ``repo``, sorted) of the workspace members the project names as
    workspace sources; the project itself is not one."""
    uv = _table(_table(read_toml(repo / "pyproject.toml").get("tool")).get("uv"))
    wanted = {
        canonicalize_name(name)
        for name, source in _table(uv.get("sources")).items()
        if _table(source).get("workspace") is True
    }
    workspace = _table(uv.get("workspace"))
    if not wanted:
        return []
    excluded = {p.resolve() for pattern in _strings(workspace.get("exclude")) for p in repo.glob(pattern)}
    found: set[str] = set()
    for pattern in _strings(workspace.get("members")):
        for path in repo.glob(pattern):
            path = path.resolve()
            if path in excluded or path == repo.resolve() or not path.is_relative_to(repo.resolve()):
                continue
            name = _table(read_toml(path / "pyproject.toml").get("project")).get("name")
            if isinstance(name, str) and canonicalize_name(name) in wanted:
                found.add(path.relative_to(repo.resolve()).as_posix())
    return sorted(found)
