"""What a Node project declares of its Node: pins (``volta.node``, ``.nvmrc``, ``.node-version``),
its CI matrix (``node_js`` of .travis.yml, ``node-version``/``node`` of GitHub workflows,
``nodejs_version`` of appveyor.yml: every entry) and ``engines.node``; read, never run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from rfsn.buildpacks.node.nodereleases import CODENAMES
from rfsn.buildpacks.node.package import read_package_json
from rfsn.buildpacks.node.semver import readable

_CI_KEYS = frozenset({"node_js", "node-version", "node_version", "node", "nodejs_version", "nodejs"})


def _spec(value: object) -> str | None:
    """A declared value as a version range (nvm's LTS names too); None: none meant (``node``, ``lts/*``)."""
    text = str(value).strip().lower().removeprefix("lts/")
    text = CODENAMES.get(text, text)
    return text if text and text not in ("*", "x") and readable(text) else None


class _Loader(yaml.SafeLoader):
    """YAML whose numbers stay as written: ``0.10`` is Node 0.10, not 0.1."""


for _tag in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:int"):
    _Loader.add_constructor(_tag, lambda loader, node: loader.construct_scalar(node))


def _ci_values(tree: Any) -> list[str]:
    """The values of every Node-version key in a CI file's tree (lists and matrix entries)."""
    found: list[str] = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key in _CI_KEYS and isinstance(value, (str, list)):
                found += [str(v) for v in (value if isinstance(value, list) else [value])]
            else:
                found += _ci_values(value)
    elif isinstance(tree, list):
        for item in tree:
            found += _ci_values(item)
    return found


def _ci_matrix(repo: Path) -> list[tuple[str, str]]:
    paths = [
        repo / ".travis.yml",
        repo / "appveyor.yml",
        repo / ".appveyor.yml",
        *sorted((repo / ".github" / "workflows").glob("*.y*ml")),
    ]
    found: list[tuple[str, str]] = []
    for path in paths:
        if not path.is_file() or path.is_symlink():
            continue
        try:
            tree = yaml.load(path.read_text(encoding="utf-8", errors="replace"), Loader=_Loader)
        except yaml.YAMLError:
            continue
        found += [(str(path.relative_to(repo)), s) for v in _ci_values(tree) if (s := _spec(v))]
    return found


def declared(repo: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str | None]:
    """(pins, CI matrix entries, engines.node): each as (where, range)."""
    package = read_package_json(repo)
    pins: list[tuple[str, str]] = []
    volta, engines = package.get("volta"), package.get("engines")
    if isinstance(volta, dict) and (spec := _spec(volta.get("node", ""))):
        pins.append(("volta.node", spec))
    for name in (".nvmrc", ".node-version"):
        path = repo / name
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        first = next((ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
        if spec := _spec(first):
            pins.append((name, spec))
    node = engines.get("node") if isinstance(engines, dict) else None
    bound = str(node).strip() if isinstance(node, str) and readable(str(node)) else None
    return pins, _ci_matrix(repo), bound or None
