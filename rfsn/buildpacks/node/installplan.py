"""The files and steps that install a Node project's dependencies into its env image: with its
lockfile, or without one as of the commit's day with the engine pins (``enginepins``) and the
runner its test script calls where no dependency declares it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rfsn.buildpacks.node import enginepins
from rfsn.buildpacks.node.nodeversions import NodeChoice
from rfsn.buildpacks.node.package import Manager, has_dependencies, install_steps, package_manager, read_package_json
from rfsn.buildpacks.node.semver import parse


def installed_package(repo: Path, runner: str) -> tuple[dict[str, Any], Manager, str | None, str]:
    """``repo``'s package.json as installed (``runner`` added where it is undeclared and no
    lockfile pins the tree), its package manager, lockfile and the note of the runner added."""
    package = read_package_json(repo)
    manager, lockfile = package_manager(repo, package)
    package, added = (package, "") if lockfile else enginepins.with_runner(package, runner)
    return package, manager, lockfile, added


def dependency_install(
    repo: Path, runner: str, node: NodeChoice, day: str
) -> tuple[list[tuple[str, str]], list[str], str]:
    """The recipe's files and steps installing ``repo``'s dependencies on ``node`` as of ``day``
    (YYYY-MM-DD; empty: today), and a note when the runner was added (``enginepins.with_runner``)."""
    package, manager, lockfile, added = installed_package(repo, runner)
    if not has_dependencies(package):
        return [], [], ""
    text = {"package.json": json.dumps(package, indent=2)} if added else {}
    files = [
        (name, text.get(name) or (repo / name).read_text(encoding="utf-8"))
        for name in ("package.json", lockfile)
        if name
    ]
    npm = None if node.debian else node.npm
    substitute = enginepins.git_substitution(node.text, day) if manager == "npm" and not lockfile else ""
    lock_text = dict(files).get(lockfile or "", "")
    *prepare, install = install_steps(manager, lockfile, package, npm, day, lock_text, substitute)
    files += [(enginepins.SCRIPT, enginepins.ENGINE_PINS_JS)] if substitute else []
    if not (substitute and not node.debian):
        return files, [*prepare, install], added
    pins = enginepins.engine_pins_step(node.text, day)
    return files, [*prepare, pins, enginepins.overrides_install(install, parse(node.npm) or (0, 0, 0))], added
