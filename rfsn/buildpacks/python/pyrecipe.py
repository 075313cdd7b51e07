"""The env recipe of a Python project: which Python, the tools and packages of the environment's
date, its requirements as its lock file or its metadata declare them (the Python buildpack's
``env_recipe``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from rfsn import hostgit
from rfsn.buildpacks.base import BaseImage, EnvOptions, EnvRecipe
from rfsn.buildpacks.python import pyarchives, pydated, pydeps, pylock, pysetup, pyversions
from rfsn.buildpacks.python.ecosystem import DEBIAN_PYTHON
from rfsn.buildpacks.python.pipresolve import SCRIPT, SCRIPT_NAME, build_requires_step, resolve_step
from rfsn.buildpacks.python.pyenv import (
    BUILD_REQUIRES_SCRIPT,
    CREATE_VENV,
    DATED_INDEX_DONE,
    EASY_INSTALL_INDEX,
    PIP_INSTALL,
    TODAY_PIP_INSTALL,
    VENV_ENV,
    Tools,
    keeping_all,
    optional,
    raised_install,
)
from rfsn.buildpacks.python.pylock import locked_install
from rfsn.errors import EnvUnavailable

#: tools rfsn itself runs in every Python environment
# pytest-timeout without a floor: an env that pins an old pytest (a SWE-bench spec) gets the
# newest pytest-timeout that pytest accepts (1.x has the same ini options)
TOOLING = ("pytest", "pytest-timeout", "coverage>=7.4", "setuptools>=68", "wheel")
#: in an environment of another date: its own test and build tools; rfsn's coverage contexts
#: need coverage 7.4, from today's index, where it moves nothing the project installed
ERA_TOOLING = ("pytest", "setuptools", "wheel")
#: ...and after the project's, never moving them: a pytest plugin of the date may want a newer
#: pytest than the project pins
ERA_PLUGINS = ("pytest-timeout",)
TODAY_TOOLING = ("coverage>=7.4",)
#: the first Python that coverage 7.4 runs on; an older one gets the newest coverage it has (the
#: rc holds only the options that coverage knows: ``pycoverage``)
COVERAGE_FLOOR_PYTHON = (3, 8)


def coverage_tooling(tools: Sequence[str], python: str) -> tuple[str, ...]:
    """Pure: ``tools`` with rfsn's coverage floor dropped where ``python`` is older than the
    floor's (today's index has no coverage 7.4 for Python 3.7, and none would be installed)."""
    older = tuple(int(part) for part in python.split(".")[:2]) < COVERAGE_FLOOR_PYTHON
    return tuple("coverage" if older and t.startswith("coverage") else t for t in tools)


#: the era's build tools, each at least its first release after the environment's Python came
#: out, where the commit is older than that Python (a tool of before cannot start); only tools
#: that require nothing: the dated index serves the raised release, not what it would require
RAISED_TOOLS = ("pip", "setuptools", "wheel")
#: ...and the test tools of the era, raised as a set before the project's install: what they
#: require is resolved as of their raised releases (``raised_install``); a pin of the project's
#: still wins in its own install (a pytest of 2019 cannot start on 3.11: py's ``__spec__``)
RAISED_TEST_TOOLS = ("pytest", "py")
#: the day pip 9 came out, the first to read requires-python (7.1 the first with constraints
#: files): an environment of before may keep an era pip without them (``keeping`` asks)
OLD_PIP = date(2016, 11, 2)
#: the Debian Python whose image carries an interpreter from an archive (its OS and toolchain)
ARCHIVE_HOST = "3.11"


def python_image(version: str) -> BaseImage:
    """Debian's Python with a C toolchain and its headers: projects with extensions (and old
    dependencies with no wheel for this Python) build from source, as in the harness's base
    image, which has build-essential; and the locale test suites set (``en_US.UTF-8``)."""
    return BaseImage(
        runtime="python",
        version=version,
        registry_image=f"python:{version}-slim",
        debian_release=DEBIAN_PYTHON.get(version, "bookworm"),
        debian_packages=(
            "python3",
            "python3-venv",
            "python3-dev",
            "gcc",
            "g++",
            "make",
            "libc6-dev",
            "git",
            "ca-certificates",
            "procps",
            "locales",
        ),
        locales=("en_US.UTF-8",),
    )


def choose(repo: Path, day: date | None, options: EnvOptions) -> tuple[str, str]:
    """(the Python X.Y of ``repo``'s environment, why): the one asked for, else as the project
    declares it or its date had it, among those at hand (Debian's, the archives')."""
    if options.runtime:
        return options.runtime, f"Python {options.runtime} (--python)"
    available = None if options.registry else {*DEBIAN_PYTHON, *pyarchives.versions(options.archives)}
    return pyversions.choose(repo, day, available, DEBIAN_PYTHON, str(options.archives or "unset"))


def recipe(repo: Path, buildpack: str, options: EnvOptions) -> EnvRecipe:
    """Dependencies as the project defines them: its lock file, else what its metadata and
    requirements files declare; metadata that compute them (``pysetup.dynamic``) are
    resolved by pip in the build, at the checkout's commit (``pipresolve``). Packages, build
    tools and the Python are those of the date ``env_options`` names (``pydated``; the
    commit's by default), exact pins save; rfsn's coverage is today's, moving nothing."""
    day, dated = pydated.as_of(repo, options.as_of)
    index_date = pydated.index_date(day)
    python, chosen = choose(repo, day, options)
    base, create_venv, env, archive = _interpreter(python, options)
    tooling = ERA_TOOLING if index_date else coverage_tooling(TOOLING, python)
    notes = [chosen, f"packages {dated}" + (f": PyPI before {index_date}" if index_date else "")]
    era = (
        [f"{EASY_INSTALL_INDEX} && {PIP_INSTALL} --upgrade --force-reinstall pip setuptools wheel"]
        if index_date
        else []
    )
    floors = _floors(python, day) if index_date else ()
    if floors:
        notes.append(
            f"{', '.join(RAISED_TOOLS)}: at least their first release after Python "
            f"{python} ({floors[0][1]}), which is later than the commit"
        )
        era.append(raised_install(RAISED_TEST_TOOLS, floors[0][1]))
    install, files, source = _requirements(repo, python, tooling, bool(index_date), bool(floors), notes)
    if index_date:
        ask = day is not None and day < OLD_PIP
        # one step for both indexes: one listing of what the project installed, one pip check
        today = Tools(coverage_tooling(TODAY_TOOLING, python), TODAY_PIP_INSTALL, constrained=True)
        tools = keeping_all([Tools(ERA_PLUGINS), today], "the project's", ask)
        install.append(f"{tools} && {DATED_INDEX_DONE}")
    return EnvRecipe(
        buildpack=buildpack,
        base=base,
        steps=(create_venv, *era, *install),
        undated_steps=1,  # the venv is made without the index: every date shares its layer
        files=tuple(files),
        env=env,
        source=source,
        python_archive=pyarchives.digest(archive) if archive else "",
        python_archive_path=archive,
        index_date=index_date,
        floors=floors,
        notes=tuple(notes),
    )


def _requirements(
    repo: Path, python: str, tooling: tuple[str, ...], dated: bool, raised: bool, notes: list[str]
) -> tuple[list[str], list[tuple[str, str]], str]:
    """(install steps, files, source commit) of the project's requirements: as its lock file pins
    them, else as it declares them, with those its metadata compute resolved by pip in the build
    at the checkout's commit; what was chosen appended to ``notes``."""
    locked, lock = locked_install(repo, tooling), pylock.lock_format(repo)
    if locked is not None and lock is not None:
        install, files = locked
        notes.append(f"requirements: as {lock.lock} pins them")
        return install, files, ""
    declared = pydeps.declared(repo, python)
    requirements = pydeps.normalized(repo, declared, python)
    names = {pydeps.requirement_name(r) for r in requirements}
    tools = [t for t in tooling if pydeps.requirement_name(t) not in names]
    runtime = {pydeps.requirement_name(r) for r, where in declared if pydeps.installs(where)}
    # --upgrade: the venv's bundled setuptools satisfies ">=61" but not what the project
    # really builds with; an isolated build would take the newest, and so do we. A test
    # requirement that cannot be installed at all is left out, said; an install one fails
    install = [
        optional(
            [*(r for r in requirements if pydeps.requirement_name(r) in runtime), *tools],
            [r for r in requirements if pydeps.requirement_name(r) not in runtime],
            f"{PIP_INSTALL} --upgrade",
        )
    ]
    files = []
    notes.append(pydeps.provenance(declared))
    dynamic = pysetup.dynamic(repo)
    source = _commit(repo) if dynamic or pysetup.imports_at_build(repo) else ""
    if source and dynamic:  # what its metadata compute, of pip; then what building it needs, of its backend
        install.append(resolve_step(pydeps.TEST_EXTRAS, dated=dated, keep_installed=raised))
        files.append((SCRIPT_NAME, SCRIPT))
        notes.append("requirements its metadata compute: resolved by pip in the build")
    if source:
        install.append(build_requires_step(pydeps.build_backend(repo)))
        files.append(BUILD_REQUIRES_SCRIPT)
        notes.append("build requirements: as its build backend answers, in the build")
    return install, files, source


def _floors(python: str, day: date | None) -> tuple[tuple[str, str], ...]:
    """Pure: ``RAISED_TOOLS``, each raised to the day ``python`` came out, when that is later
    than ``day`` (the environment's date)."""
    released = pyversions.RELEASED.get(python)
    if day is None or released is None or released <= day:
        return ()
    return tuple((tool, released.isoformat()) for tool in RAISED_TOOLS)


def _interpreter(python: str, options: EnvOptions) -> tuple[BaseImage, str, tuple[tuple[str, str], ...], Path | None]:
    """(base image, venv step, environment, archive or None) of Python ``python``."""
    if options.registry or python in DEBIAN_PYTHON:
        return python_image(python), CREATE_VENV, VENV_ENV, None
    archive = pyarchives.find(options.archives, python)
    if archive is None:
        raise EnvUnavailable(pyversions.no_python([python], DEBIAN_PYTHON, str(options.archives or "unset")))
    create_venv, env = pyarchives.venv(python)
    return python_image(ARCHIVE_HOST), create_venv, env, archive


def _commit(repo: Path) -> str:
    """The commit checked out in ``repo`` ("" outside git: then only what is declared is read)."""
    done = hostgit.run(None, "-C", str(repo), "rev-parse", "--verify", "-q", "HEAD")
    return done.stdout.strip() if done.returncode == 0 else ""
