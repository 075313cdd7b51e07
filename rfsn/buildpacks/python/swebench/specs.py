"""Environments from the SWE-bench harness's per-repository, per-version specs.

A spec (``upstream.lookup``) is rendered as an rfsn ``EnvRecipe`` (no conda: the Python comes
from a base image that ships it, dependencies go into a venv), so the recipe hash keys one env
image per repo+version. Requirement files are read from the instance's own repository at
``environment_setup_commit`` (``metadata``), as the harness reads them from GitHub.

A spec whose Python no reachable source ships raises ``EnvUnavailable``
(an infrastructure error with that reason), never a silent fallback.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rfsn.buildpacks.base import BUILD_NOTES, BaseImage, EnvRecipe
from rfsn.buildpacks.python import pyarchives, pyconda, pydeps
from rfsn.buildpacks.python.pyenv import (
    BUILD_REQUIRES,
    BUILD_REQUIRES_SCRIPT,
    CREATE_VENV,
    PIP_INSTALL,
    PROJECT_COPY_SCRIPT,
    TODAY_PIP_INSTALL,
    VENV_ENV,
    ask_backend,
    keeping,
    keeping_listed,
)
from rfsn.buildpacks.python.pyrecipe import DEBIAN_PYTHON, TOOLING, python_image
from rfsn.buildpacks.python.pyversions import no_python
from rfsn.buildpacks.python.swebench.metadata import metadata_edits
from rfsn.buildpacks.python.swebench.upstream import Spec
from rfsn.errors import EnvUnavailable

#: the Debian Python whose image carries an interpreter from an archive
DEFAULT_PYTHON = "3.11"


@dataclass(frozen=True)
class ProjectSource:
    """The project's tree an env build installs, and what was read of it beforehand.

    The build unpacks the project at ``commit`` (the instance's ``environment_setup_commit``)
    and runs the spec's ``pre_install`` and ``install`` there exactly as written, so pip resolves
    the project's dependencies and extras, however setup.py computes them. ``backend`` is the
    project's build backend (its wheels are kept for the sessions' offline reinstall, built in
    isolation as the harness builds it); ``build_backend`` the backend the build asks, after the
    install, what else building the project needs (``install_source``: what setuptools fetches
    while it builds, which the reinstall offline cannot); ``version`` the release for
    setuptools_scm in a tree without history."""

    commit: str
    backend: tuple[str, ...] = ()
    version: str = ""
    build_backend: str = pydeps.LEGACY_BACKEND


def render_recipe(
    spec: Spec,
    *,
    registry: bool,
    requirements: str | None = None,
    project: ProjectSource | None = None,
    archives: Path | None = None,
    index_date: str = "",
) -> EnvRecipe:
    """The env recipe of ``spec``; ``requirements`` is the text for ``packages: requirements.txt``
    (or ``environment.yml``: conda's, installed from PyPI by ``pyconda``); ``project``: the tree
    the build installs the project from (None: the project is not installed). A Python Debian does
    not ship comes from an archive in ``archives`` (``pyarchives``). With ``index_date`` the
    build resolves packages as PyPI had them then (``rfsn.sandbox.asof``)."""
    project = project if project and project.commit else None
    base, create_venv, env, archive = _interpreter(str(spec["python"]), registry, archives)
    steps, files, notes = _steps(spec, create_venv, requirements, project)
    return EnvRecipe(
        buildpack="python",
        base=base,
        steps=tuple(steps),
        env=env,
        files=tuple(files),
        source=project.commit if project else "",
        python_archive=pyarchives.digest(archive) if archive else "",
        python_archive_path=archive,
        index_date=index_date,
        undated_steps=1,  # the venv is made without the index: every date shares its layer
        notes=tuple(notes),
        project_env=False,
    )


def _steps(
    spec: Spec, create_venv: str, requirements: str | None, project: ProjectSource | None
) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """The build's steps, the files they read and the build's notes: the venv, the spec's
    dependencies, the project's backend and tree, then rfsn's tools."""
    installed, files, notes = _dependencies(spec, requirements)
    # --upgrade: the venv's bundled pip and setuptools (20.3 and 44 on bullseye) already satisfy
    # these bounds, and would stay
    steps = [create_venv, f"{PIP_INSTALL} --upgrade 'pip<24.1' 'setuptools<70' wheel", *installed]
    if project and project.backend:
        steps += [keeping(project.backend), _save_backend(project.backend)]
    # rfsn's tools are those the spec's own steps do not install (the backend asked is no tool)
    tooling = _missing_tooling("\n".join([*steps, *(_installs(spec) if project else []), requirements or ""]))
    if project:
        files.append(BUILD_REQUIRES_SCRIPT)
        install = install_source(spec, project.version, build_backend=project.build_backend)
        steps += [install, keeping_listed(BUILD_REQUIRES)]
    if tooling:  # a step with no package would fail the build
        # rfsn's tools never move what the spec installed, and come from today's index whatever
        # the spec's date (the versions they need may be newer than it)
        steps.append(keeping(tooling, TODAY_PIP_INSTALL))
    if "--current-env" in str(spec.get("test_cmd", "")):
        steps.append(BASE_SEES_VENV)
    if project:
        files.append(PROJECT_COPY_SCRIPT)
        steps.append(PROJECT_COPY_GONE)
    return steps, files, notes


def _interpreter(
    python: str, registry: bool, archives: Path | None
) -> tuple[BaseImage, str, tuple[tuple[str, str], ...], Path | None]:
    """The base image, the venv's creation, its environment and the Python archive (None: the
    base image's own Python) for ``python``."""
    if registry or python in DEBIAN_PYTHON:
        return python_image(python), CREATE_VENV, VENV_ENV, None
    archive = pyarchives.find(archives, python)
    if archive is None:
        raise EnvUnavailable(no_python([python], DEBIAN_PYTHON, str(archives or "unset")))
    create_venv, env = pyarchives.venv(python)
    # the OS and its toolchain; the interpreter is the archive's
    return python_image(DEFAULT_PYTHON), create_venv, env, archive


def _dependencies(spec: Spec, requirements: str | None) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """The steps that install the spec's ``packages`` and ``pip_packages``, the files they read
    and the notes they leave."""
    packages = str(spec.get("packages", "")).strip()
    files: list[tuple[str, str]] = []
    notes: list[str] = []
    steps: list[str] = []
    if packages == "environment.yml":
        if requirements is None:
            raise EnvUnavailable("the spec installs a conda environment.yml but none was given")
        wanted, left = pyconda.requirements(requirements)
        files.append(("requirements.txt", "".join(f"{r}\n" for r in wanted)))
        steps.append(f"{PIP_INSTALL} -r $RFSN_ENV/files/requirements.txt")
        notes.append(
            f"conda environment.yml from PyPI, the same names and pins ({len(wanted)}); "
            f"no conda: left out {', '.join(left) or 'nothing'}"
        )
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
    return steps, files, notes


def install_source(spec: Spec, version: str, edited: bool = False, build_backend: str = pydeps.LEGACY_BACKEND) -> str:
    """The spec's ``pre_install`` and ``install``, as written, in the build's copy of the
    project (``$RFSN_ENV/src``), with the network: what the harness runs to install it. Then
    what building the project needs is listed in ``BUILD_REQUIRES`` for the venv, as the build tools
    answer (``build_requires.py``: ``build_backend`` asked as pip asks it, what setuptools fetched
    into ``.eggs``); no answer is noted. The copy is removed afterwards: sessions reinstall the project from their own
    checkout, and a reinstall that fails must not leave this commit's code importable in its place
    (the project's names are noted first, for ``PROJECT_COPY_GONE``).
    ``edited``: the copy has the spec's metadata edits made already (``patchtree``)."""
    scm = f"export SETUPTOOLS_SCM_PRETEND_VERSION={shlex.quote(version)} && " if version else ""
    ask = ask_backend(build_backend, "the offline reinstall has what the spec installed")
    return (
        f"cd $RFSN_ENV/src && {scm}"
        + " && ".join(f"( {c} )" for c in _installs(spec, edited) or ["true"])
        + f" && {ask} && {_PROJECT_NAMES} && cd / && rm -rf $RFSN_ENV/src"
    )


#: the project's names, as the tree the install ran in gives them (``project_copy.py``)
_PROJECT_NAMES = f"python $RFSN_ENV/files/{PROJECT_COPY_SCRIPT[0]} names $RFSN_ENV/src $RFSN_ENV/project.txt"
#: the build's last step: the project's own copy the install left in the venv is removed, so the
#: image holds nothing of the commit's code (which may be later than a session's base commit), nor
#: the build's notes of that commit's tree (its names, its backend's requirements and output)
PROJECT_COPY_GONE = (
    f"python $RFSN_ENV/files/{PROJECT_COPY_SCRIPT[0]} remove $RFSN_ENV/project.txt >> {BUILD_NOTES}"
    f" && rm -f $RFSN_ENV/project.txt $RFSN_ENV/ask.log {BUILD_REQUIRES}"
)


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
