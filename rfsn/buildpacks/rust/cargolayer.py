"""What ``cargo fetch`` needs of a project to fetch its crates without its sources.

Cargo loads every manifest of the workspace before fetching: the root's, each member's (its
``members`` globs, less ``exclude``) and each package a ``path`` dependency names, and it refuses a
package without a target. The layer holds those manifests as they are and an empty file at each
target cargo would look for (the library's, and each named target's path), so the env image's
dependency layer changes only when a manifest does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from rfsn.fsutil import read_toml

_DEPENDENCY_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")
_TARGET_DIRS = {"bin": "src/bin", "example": "examples", "test": "tests", "bench": "benches"}


def _tables(manifest: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The dependency tables of ``manifest``: its own, per target platform, the workspace's, patches."""
    scopes = [manifest, *((manifest.get("target") or {}).values())]
    for scope in scopes:
        for name in _DEPENDENCY_TABLES:
            if isinstance(scope, dict) and isinstance(scope.get(name), dict):
                yield scope[name]
    workspace = manifest.get("workspace") or {}
    if isinstance(workspace.get("dependencies"), dict):
        yield workspace["dependencies"]
    yield from (t for t in (manifest.get("patch") or {}).values() if isinstance(t, dict))


def _paths(manifest: dict[str, Any]) -> list[str]:
    return [
        str(spec["path"])
        for table in _tables(manifest)
        for spec in table.values()
        if isinstance(spec, dict) and isinstance(spec.get("path"), str)
    ]


def _members(repo: Path, workspace: dict[str, Any]) -> list[Path]:
    excluded = {(repo / str(e)).resolve() for e in workspace.get("exclude") or []}
    patterns = [str(p).strip("/") for p in workspace.get("members") or []]
    found = [hit for p in patterns for hit in ([repo] if p in ("", ".") else sorted(repo.glob(p)))]
    return [m for m in found if (m / "Cargo.toml").is_file() and m.resolve() not in excluded]


def manifests(repo: Path) -> list[str]:
    """Repo-relative paths of every Cargo.toml cargo loads from the root's: members and path
    dependencies, transitively, within ``repo``."""
    root, seen, queue = repo.resolve(), [], [repo.resolve()]
    while queue:
        folder = queue.pop(0)
        if folder in seen or not (folder / "Cargo.toml").is_file() or not folder.is_relative_to(root):
            continue
        seen.append(folder)
        manifest = read_toml(folder / "Cargo.toml")
        queue += [(folder / p).resolve() for p in _paths(manifest)]
        queue += [m.resolve() for m in _members(folder, manifest.get("workspace") or {})]
    return [(f / "Cargo.toml").relative_to(root).as_posix() for f in seen]


def targets(manifest: dict[str, Any]) -> list[str]:
    """Package-relative paths of the files cargo wants for ``manifest``'s targets: the library
    (``src/lib.rs`` unless one is named) and every named target's; none for a workspace root alone."""
    if "package" not in manifest:
        return []
    lib = manifest.get("lib") or {}
    found = [str(lib.get("path") or "src/lib.rs")]
    for kind, folder in _TARGET_DIRS.items():
        for target in manifest.get(kind) or []:
            if isinstance(target, dict) and (target.get("path") or target.get("name")):
                found.append(str(target.get("path") or f"{folder}/{target['name']}.rs"))
    build = (manifest.get("package") or {}).get("build")
    if isinstance(build, str):
        found.append(build)
    return list(dict.fromkeys(found))


def layer(repo: Path) -> tuple[tuple[str, str], ...]:
    """(path, text) of the dependency layer: the manifests, Cargo.lock, empty target files."""
    files: dict[str, str] = {}
    for path in manifests(repo):
        files[path] = (repo / path).read_text(encoding="utf-8")
        folder = PurePosixPath(path).parent
        for target in targets(read_toml(repo / path)):
            stub = (folder / target).as_posix()
            if not stub.startswith("../") and ".." not in PurePosixPath(stub).parts:
                files.setdefault(stub, "")
    if (repo / "Cargo.lock").is_file():
        files["Cargo.lock"] = (repo / "Cargo.lock").read_text(encoding="utf-8")
    return tuple(files.items())
