"""Environments from the SWE-bench harness's per-repository, per-version specs.

The `swebench` package (optional extra ``rfsn[swebench]``, 4.x) holds a spec
per repo and version: Python version, packages, pip_packages, pre_install,
install, test_cmd. This module looks a spec up and renders it as an rfsn
``EnvRecipe`` (no conda: the Python comes from a base image that ships it,
dependencies go into a venv), so the recipe hash keys one env image per
repo+version. Requirement files are read from the instance's own repository at
``environment_setup_commit``, as the harness reads them from GitHub.

A spec whose Python no reachable source ships raises ``EnvUnavailable``
(an infrastructure error with that reason), never a silent fallback.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import re
import shlex
import subprocess
import sys
import tempfile
import types
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from rfsn.batch.harness.patchtree import root_metadata
from rfsn.buildpacks.base import BUILD_NOTES, EnvRecipe
from rfsn.buildpacks.python import pyarchives, pyconda, pydeps
from rfsn.buildpacks.python.pyenv import (
    BUILD_REQUIRES_SCRIPT,
    CREATE_VENV,
    PIP_INSTALL,
    TODAY_PIP_INSTALL,
    VENV_ENV,
    keeping,
    keeping_listed,
)
from rfsn.buildpacks.python.pyrecipe import DEBIAN_PYTHON, TOOLING, python_image
from rfsn.buildpacks.python.pyversions import no_python
from rfsn.errors import ConfigError, EnvUnavailable
from rfsn.models.swebench import Instance

Spec = Mapping[str, Any]
#: the Debian Python whose image carries an interpreter from an archive
DEFAULT_PYTHON = "3.11"



def require_harness(instances: Sequence[Instance], source: Path) -> None:
    """Instances of a SWE-bench dataset (they carry an ``environment_setup_commit``) are run in
    the environment the harness specifies; without the ``swebench`` package those specs are
    missing, and a generic environment would fail nearly all of them as ``env``. So that is
    an input error, said before anything runs."""
    harnessed = [i for i in instances if i.environment_setup_commit]
    if not harnessed or _installed("swebench"):
        return
    raise ConfigError(
        f"{len(harnessed)} instance(s) of {source} come from a SWE-bench dataset (first: "
        f"{harnessed[0].instance_id}) and need the harness's environment specifications, which "
        "are not installed: pip install 'rfsn[swebench]' (scripts/setup installs it)")


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules, or a broken one
        return False


_HARNESS: dict[str, Any] = {}


def harness(module: str) -> Any:
    """``swebench.harness.<module>``, imported alone. The package's ``__init__`` imports all of
    it (``datasets``, ``pandas``, ``modal``: 3 s, paid by every worker before its first spec
    lookup, where the specs themselves take 0.01 s). And some of its modules call
    ``logging.basicConfig(level=INFO)`` at import, after which every library's INFO records
    (each HTTP request of httpx) reach the user's terminal. ImportError without the package."""
    if module not in _HARNESS:
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        try:
            _HARNESS[module] = _import_alone(f"swebench.harness.{module}")
        finally:
            root.handlers[:] = handlers
            root.setLevel(level)
    return _HARNESS[module]


def _import_alone(name: str) -> Any:
    """Module ``name`` of the ``swebench`` package without running the ``__init__`` of the
    packages above it (they stand in ``sys.modules`` as bare packages while it loads); the
    process's ``sys.modules`` is left as it was (an ``import swebench`` later gets the whole
    package, as it would have)."""
    if "swebench" in sys.modules:  # imported for real already: nothing to save
        return importlib.import_module(name)
    found = importlib.util.find_spec("swebench")
    if found is None or not found.submodule_search_locations:
        raise ImportError("No module named 'swebench'")
    before = set(sys.modules)
    roots = list(found.submodule_search_locations)
    for package, paths in (("swebench", roots), ("swebench.harness", [str(Path(r, "harness")) for r in roots])):
        parent = types.ModuleType(package)  # a package with its path and without its __init__
        parent.__path__ = paths
        sys.modules[package] = parent
    try:
        return importlib.import_module(name)
    finally:
        for key in set(sys.modules) - before:
            if key == "swebench" or key.startswith("swebench."):
                del sys.modules[key]


def lookup(repo: str, version: str) -> Spec | None:
    """The harness's spec for ``repo`` at ``version``; None without swebench or a spec."""
    try:
        specs = harness("constants").MAP_REPO_VERSION_TO_SPECS
    except ImportError:
        return None
    spec: Spec | None = specs.get(repo, {}).get(str(version))
    return spec


def log_parser(repo: str) -> Any:
    """The harness's log parser for ``repo``'s test output (log, test_spec) -> {test: status}."""
    try:
        parsers = harness("log_parsers").MAP_REPO_TO_PARSER
    except ImportError:
        return None
    return parsers.get(repo)


def requirement_paths(repo: str) -> list[str]:
    """Where the harness reads ``repo``'s requirements file (first one that exists wins)."""
    return _paths("MAP_REPO_TO_REQS_PATHS", repo, "requirements.txt")


def environment_paths(repo: str) -> list[str]:
    """Where the harness reads ``repo``'s conda environment.yml (first one that exists wins)."""
    return _paths("MAP_REPO_TO_ENV_YML_PATHS", repo, "environment.yml")


def _paths(table: str, repo: str, default: str) -> list[str]:
    try:
        paths = getattr(harness("constants"), table)
    except ImportError:
        return [default]
    return list(paths.get(repo, [default]))


def read_requirements(checkout: Path, commit: str, paths: list[str]) -> str:
    """The first requirements file of ``paths`` at ``commit``, ``-r`` includes inlined."""
    for path in paths:
        text = _git_show(checkout, commit, path)
        if text is not None:
            return _inline(checkout, commit, str(Path(path).parent), text)
    raise EnvUnavailable(f"no requirements file ({', '.join(paths)}) at {commit[:12]}")


def _inline(checkout: Path, commit: str, folder: str, text: str) -> str:
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip().startswith(("-e .", "#", ".[test")):
            continue  # the harness's exclusions: the project itself, comments
        match = re.match(r"^\s*-r\s+(\S+)", line)
        if not match:
            lines.append(line)
            continue
        included = str(Path(folder, match.group(1)))
        body = _git_show(checkout, commit, included)
        if body is None:
            raise EnvUnavailable(f"{included} (included by a requirements file) is missing")
        lines.append(_inline(checkout, commit, str(Path(included).parent), body))
    return "\n".join(lines)


#: a ``pre_install`` step that only edits the project's metadata with sed (sphinx pins its
#: sphinxcontrib-* and Jinja2 so, pytest fixes a ``>=>=`` in setup.cfg); the harness then installs
#: the project with its dependencies, so these edits decide which versions it gets
_METADATA = r"(?:setup\.py|setup\.cfg|pyproject\.toml)"
_QUOTED = r"""(?:'[^'\n]*'|"[^"\n]*")"""
_METADATA_EDIT = re.compile(rf"^(?:grep -q {_QUOTED} {_METADATA} && )?sed -i {_QUOTED} {_METADATA}$")


def metadata_edits(spec: Spec) -> list[str]:
    """The spec's ``pre_install`` steps that are sed edits of setup.py, setup.cfg or pyproject.toml."""
    return [str(c).strip() for c in spec.get("pre_install", []) or []
            if _METADATA_EDIT.match(str(c).strip())]


def build_requirements(checkout: Path, commit: str, edits: Sequence[str] = ()) -> list[str]:
    """The project's build backend at ``commit`` (``[build-system] requires``, read after
    ``edits``, ``metadata_edits``): sessions reinstall the project offline, with it."""
    return sorted(set(_read_metadata(checkout, commit, edits, pydeps.build_requirements)))


def build_backend(checkout: Path, commit: str, edits: Sequence[str] = ()) -> str:
    """The backend pip builds the project at ``commit`` with (``pydeps.build_backend``), read
    after ``edits``: the env build asks it what else the build needs."""
    return _read_metadata(checkout, commit, edits, lambda tree: [pydeps.build_backend(tree)])[0]


def _read_metadata(checkout: Path, commit: str, edits: Sequence[str],
                   read: Callable[[Path], list[str]]) -> list[str]:
    """``read`` of the project's metadata files at ``commit``, after ``edits``."""
    with tempfile.TemporaryDirectory(prefix="rfsn-spec-") as tmp:
        for name in ("pyproject.toml", "setup.cfg", "setup.py"):
            text = _git_show(checkout, commit, name)
            if text is not None:
                Path(tmp, name).write_text(text, encoding="utf-8")
        for edit in edits:  # only sed on the metadata files (metadata_edits)
            subprocess.run(["bash", "-c", edit], cwd=tmp, capture_output=True, check=False, timeout=60)
        return read(Path(tmp))


def install_commit(checkout: Path, env_commit: str, base_commit: str) -> str:
    """The commit whose tree the env build installs the project from.

    The harness installs the project, with its dependencies, at the instance's own commit.
    rfsn does so at the env commit, shared by every instance of the version, unless the
    project's root-level metadata (setup.py, setup.cfg, pyproject.toml, requirements files)
    differ between the two: then at the base commit (the build's cached layers up to the
    install are shared all the same)."""
    if env_commit == base_commit:
        return env_commit
    done = subprocess.run(["git", "-C", str(checkout), "diff", "--name-only", env_commit, base_commit],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return base_commit
    return base_commit if root_metadata(done.stdout.splitlines()) else env_commit


def scm_version(checkout: Path, commit: str) -> str:
    """The release the nearest tag below ``commit`` names, as a PEP 440 version, or "".

    The env build installs the project from a copy of its tree without ``.git``; a project
    whose version comes from its tags (setuptools_scm) would fail to build there, so the build
    is given this version through setuptools_scm's documented override. Sessions reinstall
    the project from the full checkout, where the real version is computed."""
    done = subprocess.run(["git", "-C", str(checkout), "describe", "--tags", "--abbrev=0", commit],
                          capture_output=True, text=True, check=False)
    tag = done.stdout.strip().removeprefix("v") if done.returncode == 0 else ""
    try:
        return str(Version(tag)) if tag else ""
    except InvalidVersion:
        return ""


def _git_show(checkout: Path, commit: str, path: str) -> str | None:
    done = subprocess.run(["git", "-C", str(checkout), "show", f"{commit}:{path}"],
                          capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else None


def render_recipe(spec: Spec, *, registry: bool, requirements: str | None = None,
                  source: str = "", backend: tuple[str, ...] = (), version: str = "",
                  archives: Path | None = None, index_date: str = "",
                  build_backend: str = pydeps.LEGACY_BACKEND) -> EnvRecipe:
    """The env recipe of ``spec``; ``requirements`` is the text for ``packages: requirements.txt``
    (or ``environment.yml``: conda's, installed from PyPI by ``pyconda``).

    With ``source`` (the instance's ``environment_setup_commit``) the build unpacks the project
    at that commit and runs the spec's ``pre_install`` and ``install`` there exactly as written,
    so pip resolves the project's dependencies and extras, however setup.py computes them.
    ``backend`` is the project's build backend (its wheels are kept for the sessions' offline
    reinstall, built in isolation as the harness builds it); ``build_backend`` the backend the
    build asks, after the install, what else building the project needs (``install_source``: what
    setuptools fetches while it builds, which the reinstall offline cannot); ``version`` the release for
    setuptools_scm in a tree without history. A Python Debian does not ship comes from an archive
    in ``archives`` (``pyarchives``). With
    ``index_date`` the build resolves packages as PyPI had them then (``rfsn.sandbox.asof``)."""
    python = str(spec["python"])
    base, create_venv, env = python_image(python), CREATE_VENV, VENV_ENV
    archive: Path | None = None
    if not registry and python not in DEBIAN_PYTHON:
        archive = pyarchives.find(archives, python)
        if archive is None:
            raise EnvUnavailable(no_python([python], DEBIAN_PYTHON, str(archives or "unset")))
        base = python_image(DEFAULT_PYTHON)  # the OS and its toolchain; the interpreter is the archive's
        create_venv, env = pyarchives.venv(python)
    packages = str(spec.get("packages", "")).strip()
    files: list[tuple[str, str]] = []
    notes: list[str] = []
    # --upgrade: the venv's bundled pip and setuptools (20.3 and 44 on bullseye) already satisfy
    # these bounds, and would stay
    steps = [create_venv, f"{PIP_INSTALL} --upgrade 'pip<24.1' 'setuptools<70' wheel"]
    if packages == "environment.yml":
        if requirements is None:
            raise EnvUnavailable("the spec installs a conda environment.yml but none was given")
        wanted, left = pyconda.requirements(requirements)
        files.append(("requirements.txt", "".join(f"{r}\n" for r in wanted)))
        steps.append(f"{PIP_INSTALL} -r $RFSN_ENV/files/requirements.txt")
        notes.append(f"conda environment.yml from PyPI, the same names and pins ({len(wanted)}); "
                     f"no conda: left out {', '.join(left) or 'nothing'}")
    elif packages == "requirements.txt":
        if requirements is None:
            raise EnvUnavailable("the spec installs requirements.txt but none was given")
        files.append(("requirements.txt", requirements))
        steps.append(f"{PIP_INSTALL} -r $RFSN_ENV/files/requirements.txt")
    elif packages:
        steps.append(f"{PIP_INSTALL} {packages}")
    pip_packages = [str(p) for p in spec.get("pip_packages", [])]
    if pip_packages:
        steps.append(f"{PIP_INSTALL} {' '.join(shlex.quote(p) for p in pip_packages)}")
    if packages == "environment.yml":  # after the spec's pins, which may move what it built on
        files.append(pyconda.UNIMPORTABLE)
        steps.append(pyconda.DROP_UNIMPORTABLE)
    if backend:
        steps += [keeping(backend), _save_backend(backend)]
    # rfsn's tools are those the spec's own steps do not install (the backend asked is no tool)
    tooling = _missing_tooling("\n".join([*steps, *(_installs(spec) if source else []), requirements or ""]))
    if source:
        files.append(BUILD_REQUIRES_SCRIPT)
        steps += [install_source(spec, version, build_backend=build_backend), keeping_listed(BUILD_REQUIRES)]
    if tooling:  # a step with no package would fail the build
        # rfsn's tools never move what the spec installed (a newer pytest would upgrade pluggy;
        # astropy 1.3's pytest-cov keeps coverage 6.2, the last for Python 3.6), and come from
        # today's index whatever the spec's date (coverage>=7.4 is from 2023-12)
        steps.append(keeping(tooling, TODAY_PIP_INSTALL))
    if "--current-env" in str(spec.get("test_cmd", "")):
        steps.append(BASE_SEES_VENV)
    return EnvRecipe(buildpack="python", base=base, steps=tuple(steps), env=env, files=tuple(files),
                     source=source, python_archive=pyarchives.digest(archive) if archive else "",
                     python_archive_path=archive, index_date=index_date, notes=tuple(notes))




#: what the project's build backend asks for to build it, listed by the env build (``install_source``)
BUILD_REQUIRES = "$RFSN_ENV/build-requires.txt"


def install_source(spec: Spec, version: str, edited: bool = False,
                   build_backend: str = pydeps.LEGACY_BACKEND) -> str:
    """The spec's ``pre_install`` and ``install``, as written, in the build's copy of the
    project (``$RFSN_ENV/src``), with the network: what the harness runs to install it. Then
    what building the project needs is listed in ``BUILD_REQUIRES`` for the venv, as the build tools
    answer (``build_requires.py``: ``build_backend`` asked as pip asks it, what setuptools fetched
    into ``.eggs``); no answer is noted. The copy is removed afterwards: sessions reinstall the project from their own
    checkout, and a reinstall that fails must not leave this commit's code importable in its place.
    ``edited``: the copy has the spec's metadata edits made already (``patchtree``)."""
    scm = f"export SETUPTOOLS_SCM_PRETEND_VERSION={shlex.quote(version)} && " if version else ""
    ask = (f"{{ python $RFSN_ENV/files/{BUILD_REQUIRES_SCRIPT[0]} {shlex.quote(build_backend)} {BUILD_REQUIRES} "
           f"> $RFSN_ENV/ask.log 2>&1 || {{ tail -n 20 $RFSN_ENV/ask.log; echo \"rfsn: the build backend could "
           f"not say what building the project needs; the offline reinstall has what the spec installed\" "
           f"| tee -a {BUILD_NOTES}; }}; }}")
    return (f"cd $RFSN_ENV/src && {scm}" + " && ".join(f"( {c} )" for c in _installs(spec, edited) or ["true"])
            + f" && {ask} && cd / && rm -rf $RFSN_ENV/src")


def _installs(spec: Spec, edited: bool = False) -> list[str]:
    """The spec's ``pre_install`` and ``install`` commands (``edited``: less its metadata edits)."""
    made = set(metadata_edits(spec)) if edited else set()
    pre = [c for c in spec.get("pre_install") or [] if str(c).strip() not in made]
    return [str(c) for c in [*pre, spec.get("install") or ""] if c]


#: the wheels of the project's build backend, for the sessions' offline reinstall
BACKEND_WHEELS = "$RFSN_ENV/backend"


def _save_backend(backend: Sequence[str]) -> str:
    """The backend's wheels as today's index resolves them, which the harness's isolated build
    installs (with ``wheel``, which setuptools before 70.1 and pip's legacy editable install ask
    for); none are kept when pip cannot have them all, and the reinstall uses the venv's."""
    each = " ".join(shlex.quote(p) for p in [*backend, "wheel"])
    download = TODAY_PIP_INSTALL.replace(" install", " download --only-binary=:all:")
    return f"{{ {download} --dest {BACKEND_WHEELS} {each} || rm -rf {BACKEND_WHEELS}; }}"


#: ``tox --current-env`` (tox-current-env) runs the tests with ``.tox/<env>/bin/python``, a
#: symlink to ``sys.executable``. The harness's conda Python is a real installation, so the
#: symlink keeps its packages; a venv's interpreter reached through a symlink outside the venv
#: finds no ``pyvenv.cfg`` and starts as the bare base Python ("No module named pytest"). So the
#: base Python adds the venv's site-packages (its ``.pth`` files processed) through a ``.pth`` of
#: its own; the venv itself does not read the base's site-packages, so nothing else changes.
BASE_SEES_VENV = (
    'base="$(readlink -f $RFSN_ENV/venv/bin/python)" && '
    'site="$("$base" -c \'import site; print(site.getsitepackages()[0])\')" && '
    'venv="$($RFSN_ENV/venv/bin/python -c \'import sysconfig; print(sysconfig.get_paths()["purelib"])\')" && '
    'mkdir -p "$site" && '
    'echo "import site; site.addsitedir(\'$venv\')" > "$site/rfsn-venv.pth"'
)


def _missing_tooling(text: str) -> list[str]:
    """rfsn's own tools the spec does not already install (pytest pins stay the spec's)."""
    return [t for t in TOOLING if not re.search(rf"(^|[\s'\"]){re.escape(t.split('>')[0])}\b", text, re.M)]


def setup_commands(spec: Spec) -> list[list[str]]:
    """The spec's ``pre_install`` and ``install`` steps, run in each session's checkout."""
    commands = [*spec.get("pre_install", []), *([spec["install"]] if spec.get("install") else [])]
    return [["bash", "-c", _offline(str(c))] for c in commands]


def _offline(command: str) -> str:
    """A pip install of the checkout, made to work without network (deps are in the image): built
    in isolation from the backend's saved wheels, as the harness builds it, else (no wheels, or a
    build asking for more than its backend) with the venv's."""
    def flags(extra: str) -> str:
        return re.sub(r"\b(pip install)\b", lambda m: f"{m.group(1)} --no-deps {extra}", command)

    if not re.search(r"\bpip install\b", command):
        return command
    isolated, plain = flags(f"--no-index --find-links {BACKEND_WHEELS}"), flags("--no-build-isolation")
    return f"if test -d {BACKEND_WHEELS}; then ({isolated}) || ({plain}); else {plain}; fi"


def test_directives(instance: Mapping[str, Any]) -> list[str]:
    """The test files ``test_patch`` touches, as the harness passes them to ``test_cmd``."""
    return list(harness("test_spec.python").get_test_directives(dict(instance)))
