"""Install a Python project's dependencies from its lock file, with the tool that wrote it.

One table, in the order of trust: ``uv.lock`` (uv), ``poetry.lock`` (poetry with its export
plugin), ``pdm.lock`` (pdm), ``Pipfile.lock`` (pipenv). The first lock present decides. At image
build time the lock's own tool is installed into a throwaway venv (its dependencies never reach
the test environment, so the project's pins win), exports the locked versions of the project's
dependencies, its dependency groups and test-like extras as a requirements file, and pip
installs exactly that, plus rfsn's tooling and the build requirements the lock lacks. The lock
and its manifest are files of the env recipe, so the image tag is a hash of what was resolved:
a changed lock builds a new environment.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from rfsn.buildpacks.base import BUILD_NOTES
from rfsn.buildpacks.python.pydeps import TEST_EXTRAS, build_requirements, requirement_name
from rfsn.buildpacks.python.pyenv import PIP_INSTALL, TODAY_PIP_INSTALL, nearest_pins
from rfsn.buildpacks.python.pymerge import once
from rfsn.errors import InputError
from rfsn.fsutil import read_toml
from rfsn.inputs import json_value, read_bounded

#: the exporter's venv, removed once the requirements are exported
TOOL_VENV = "$RFSN_ENV/lock-tool"
#: the image's own Python, which runs the exporter: ``python3`` on the build's PATH is the
#: project's venv, whose Python (an archive's 3.8) may be older than any release of the tool
IMAGE_PYTHON = "/usr/bin/python3"
LOCKED = "$RFSN_ENV/locked.txt"
#: sed: delete an exported line that installs a local path (pipenv's ``-e .`` for the project
#: itself): only the manifest and the lock are in the image, and the session installs the project
LOCAL_PATH = r"/^((-e|--editable)[[:space:]=]+)?([^[:space:]@]+[[:space:]]*@[[:space:]]*)?(file:|[.]|\/)/d"
#: an exported line naming the lock's package index (pipenv's ``-i URL`` from its ``sources``):
#: pip would take it over the build's (as-of) index, reaching today's index or one the sandbox
#: cannot reach; the pins stay, the index is the build's, said in the build notes
INDEX_OPTION = r"^[[:space:]]*(-i|--index-url|--extra-index-url|--trusted-host)([[:space:]=]|$)"
INDEX_NOTE = (
    f'index=$(grep -m1 -E {shlex.quote(INDEX_OPTION)} {LOCKED}.all || true); [ -z "$index" ] || '
    f'echo "rfsn: the lock names its package index ($index); its pins are installed from the build index" '
    f">> {BUILD_NOTES}"
)


def _toml_packages(path: Path) -> set[str]:
    """Names in a ``[[package]]`` table (uv.lock, poetry.lock, pdm.lock)."""
    packages = read_toml(path).get("package", [])
    if not isinstance(packages, list):
        return set()
    return {canonicalize_name(p["name"]) for p in packages if isinstance(p, dict) and isinstance(p.get("name"), str)}


def _poetry_packages(path: Path) -> set[str]:
    """Names a ``poetry.lock`` pins, none when it has no ``lock-version`` (poetry before 1.1
    wrote it, and today's poetry cannot read it)."""
    metadata = read_toml(path).get("metadata", {})
    return _toml_packages(path) if isinstance(metadata, dict) and "lock-version" in metadata else set()


def _pipfile_packages(path: Path) -> set[str]:
    try:
        lock = json_value(read_bounded(path), str(path))
    except InputError:
        return set()
    if not isinstance(lock, dict) or not isinstance(lock.get("_meta"), dict):
        return set()
    sections = [lock.get(s) for s in ("default", "develop")]
    return {canonicalize_name(n) for s in sections if isinstance(s, dict) for n in s}


def _test_extras(repo: Path) -> list[str]:
    pyproject = read_toml(repo / "pyproject.toml")
    declared = {
        *pyproject.get("project", {}).get("optional-dependencies", {}),
        *pyproject.get("tool", {}).get("poetry", {}).get("extras", {}),
    }
    return sorted(TEST_EXTRAS & declared)


def _uv(repo: Path) -> list[str]:
    return [
        "uv",
        "export",
        "--frozen",
        "--no-hashes",
        "--no-header",
        "--all-groups",
        "--no-emit-project",
        "--no-emit-workspace",
        *(f"--extra={e}" for e in _test_extras(repo)),
    ]


def _poetry(repo: Path) -> list[str]:
    return [
        "poetry",
        "export",
        "--format=requirements.txt",
        "--without-hashes",
        "--all-groups",
        *(f"--extras={e}" for e in _test_extras(repo)),
    ]


def _pdm(repo: Path) -> list[str]:
    return ["pdm", "export", "--format=requirements", "--no-hashes", "--group=:all"]


def _pipenv(repo: Path) -> list[str]:
    return ["pipenv", "requirements", "--dev"]


@dataclass(frozen=True)
class LockFormat:
    lock: str
    manifest: str  # the file the exporter reads beside the lock
    tool: tuple[str, ...]  # pip requirements of the exporter
    export: Callable[[Path], list[str]]  # argv, run in the tool venv, printing requirements
    packages: Callable[[Path], set[str]]  # canonical names the lock pins (empty: unusable)
    env: tuple[str, ...] = ()  # VAR=value for the export


FORMATS: tuple[LockFormat, ...] = (
    LockFormat("uv.lock", "pyproject.toml", ("uv>=0.5,<1",), _uv, _toml_packages),
    LockFormat(
        "poetry.lock",
        "pyproject.toml",
        ("poetry>=2,<3", "poetry-plugin-export>=1.9,<2"),
        _poetry,
        _poetry_packages,
        ("POETRY_VIRTUALENVS_CREATE=false", "POETRY_NO_INTERACTION=1"),
    ),
    LockFormat("pdm.lock", "pyproject.toml", ("pdm>=2.20,<3",), _pdm, _toml_packages, ("PDM_CHECK_UPDATE=false",)),
    LockFormat("Pipfile.lock", "Pipfile", ("pipenv",), _pipenv, _pipfile_packages, ("PIPENV_VERBOSITY=-1",)),
)


def lock_format(repo: Path) -> LockFormat | None:
    """The most trusted usable lock of ``repo`` (a lock with its manifest beside it)."""
    for fmt in FORMATS:
        if (repo / fmt.manifest).is_file() and fmt.packages(repo / fmt.lock):
            return fmt
    return None


def locked_install(repo: Path, tooling: tuple[str, ...]) -> tuple[list[str], list[tuple[str, str]]] | None:
    """(steps, files) installing ``repo``'s locked dependencies plus the missing ``tooling``
    and build requirements (for the session's offline editable install),
    or None when it has no usable lock."""
    fmt = lock_format(repo)
    if fmt is None:
        return None
    locked = fmt.packages(repo / fmt.lock)
    missing = once(
        [t for t in (*tooling, *build_requirements(repo)) if canonicalize_name(requirement_name(t)) not in locked]
    )
    export = " ".join([*fmt.env, f"{TOOL_VENV}/bin/{shlex.join(fmt.export(repo))}"])
    # the exporter is today's (a tool of the lock's era may not export), whatever the build's index
    tool_pip = TODAY_PIP_INSTALL.replace("$RFSN_ENV/venv/", f"{TOOL_VENV}/")
    steps = [
        f"{IMAGE_PYTHON} -m venv {TOOL_VENV} && {tool_pip} {shlex.join(fmt.tool)}",
        f"cd $RFSN_ENV/files && {export} > {LOCKED}.all && rm -rf {TOOL_VENV}"
        f" && sed -E -e {shlex.quote(LOCAL_PATH)} -e {shlex.quote(f'/{INDEX_OPTION}/d')} {LOCKED}.all > {LOCKED}"
        f" && {{ {INDEX_NOTE}; }}",
        nearest_pins(PIP_INSTALL, LOCKED, shlex.join(missing)),
    ]
    files = [(name, (repo / name).read_text(encoding="utf-8")) for name in (fmt.manifest, fmt.lock)]
    return steps, files
