"""Read a Python project's dependencies without running any of its code.

Sources: pyproject.toml (``[project]`` dependencies, test-like extras and
dependency groups, build requirements), setup.cfg, literal arguments of
``setup()`` in setup.py, requirements files (following ``-r``), tox.ini
``deps``, Pipfile, nox's test sessions and CI install lines. The result is
normalized (canonical names, sorted, de-duplicated, the project itself left
out) so that projects with the same dependencies share one environment image.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from rfsn.buildpacks.python import ciinstalls, pymerge, pynox, pysources, toxconfig, uvworkspace
from rfsn.buildpacks.python.pysetup import as_list, setup_py_kwargs
from rfsn.buildpacks.python.pysources import Found, ini, lines
from rfsn.fsutil import read_toml

TEST_EXTRAS = {"test", "tests", "testing", "dev", "develop", "development"}


def requirement_name(spec: str) -> str:
    try:
        return canonicalize_name(Requirement(spec).name)
    except InvalidRequirement:
        return canonicalize_name(re.split(r"[\s\[<>=!~;@]", spec, maxsplit=1)[0])


def _extras(extras: Any, names: set[str] | frozenset[str] = frozenset(TEST_EXTRAS)) -> list[str]:
    if not isinstance(extras, dict):
        return []
    return [r for name, reqs in extras.items() if str(name).lower() in names for r in as_list(reqs)]


#: what a build backend asks for on top of its own requires to build an editable install (PEP 660)
EDITABLE_REQUIRES = {"hatchling": ("editables",)}


def build_requirements(repo: Path) -> list[str]:
    """The build backends' requirements, including what they need for an editable install
    (the session installs the project, and the uv workspace members it depends on, with
    ``pip install -e . --no-build-isolation``, offline)."""
    declared = [
        r
        for where in (repo, *(repo / m for m in uvworkspace.members(repo)))
        for r in as_list(read_toml(where / "pyproject.toml").get("build-system", {}).get("requires", []))
    ]
    names = {requirement_name(r).lower() for r in declared}
    extra = [e for name, needs in EDITABLE_REQUIRES.items() if name in names for e in needs]
    return list(dict.fromkeys([*declared, *extra]))


#: the backend pip builds a project with that names none (PEP 517's fallback)
LEGACY_BACKEND = "setuptools.build_meta:__legacy__"


def build_backend(repo: Path) -> str:
    """The PEP 517 backend pip builds the project with, as ``module:object``."""
    named = read_toml(repo / "pyproject.toml").get("build-system", {}).get("build-backend")
    return named if isinstance(named, str) and named.strip() else LEGACY_BACKEND


#: flit's metadata before PEP 621 (flit < 3.2): ``[tool.flit.metadata] requires``, ``requires-extra``
FLIT_REQUIRES = "pyproject.toml [tool.flit.metadata] requires"
#: where ``declared`` finds what installing the project needs (the rest: its tests' and tools')
INSTALL_SOURCES = frozenset(
    {
        "pyproject.toml dependencies",
        "pyproject.toml build-system",
        "setup.cfg install_requires",
        "setup.py install_requires",
        "setup.cfg setup_requires",
        "setup.py setup_requires",
        "requirements.txt",
        "Pipfile [packages]",
        FLIT_REQUIRES,
    }
)


def installs(where: str) -> bool:
    """Whether a requirement found ``where`` is one installing the project needs (a file that
    ``requirements.txt`` includes is read as its part: ``requirements/base.txt via requirements.txt``)."""
    return where.rsplit(" via ", 1)[-1] in INSTALL_SOURCES


def declared(repo: Path, python: str | None = None) -> Found:
    """Every requirement the project declares, with where (``python``: the X.Y tox's factor
    conditions are read for): metadata (the extras named for tests, and those tox, the nox
    sessions and CI install the project with), build requirements, requirement files, tox, Pipfile
    (without a lock), nox and CI."""
    seen: set[Path] = set()
    files = pysources.requirement_files(repo, seen) + pysources.tox_deps(repo, python, seen)
    if not (repo / "Pipfile.lock").is_file():
        files += pysources.pipfile(repo)
    nox, nox_extras = pynox.nox_installs(repo, seen)
    ci, ci_extras = ciinstalls.ci_installs(repo, seen)
    tox_deps, tox_extras, tox_where = toxconfig.native_run_base(repo)
    files += [(d, f"{tox_where} deps") for d in tox_deps if not d.startswith(("-", "."))]
    named = TEST_EXTRAS | nox_extras | ci_extras | pysources.tox_extras(repo, python) | tox_extras
    found: Found = []
    pyproject = read_toml(repo / "pyproject.toml")
    project = pyproject.get("project", {})
    complete = _complete_declaration(repo, project)
    if complete:
        files = [(r, f"{where}{DEV_LIST.format(complete)}" if installs(where) else where) for r, where in files]
    found += _at(project.get("dependencies", []), "pyproject.toml dependencies")
    found += _at(_extras(project.get("optional-dependencies", {}), named), "pyproject.toml test extras")
    found += _at(_extras(pyproject.get("dependency-groups", {})), "pyproject.toml dependency-groups")
    found += _at(build_requirements(repo), "pyproject.toml build-system")
    flit = _flit(pyproject)
    found += _at(as_list(flit.get("requires")), FLIT_REQUIRES)
    found += _at(_extras(flit.get("requires-extra"), named), "pyproject.toml [tool.flit.metadata] test extras")
    setup_cfg = ini(repo / "setup.cfg")
    for option in ("install_requires", "tests_require", "setup_requires"):
        if setup_cfg.has_option("options", option):
            found += _at(lines(setup_cfg.get("options", option)), f"setup.cfg {option}")
    if setup_cfg.has_section("options.extras_require"):
        extras = {k: lines(v) for k, v in setup_cfg.items("options.extras_require")}
        found += _at(_extras(extras, named), "setup.cfg test extras")
    if (repo / "setup.py").is_file():
        kwargs = setup_py_kwargs(repo / "setup.py")
        for option in ("install_requires", "tests_require", "setup_requires"):
            found += _at(as_list(kwargs.get(option)), f"setup.py {option}")
        found += _at(_extras(kwargs.get("extras_require"), named), "setup.py test extras")
    return found + files + nox + ci


#: a requirements.txt beside install requirements declared in full: a development list, no
#: install requirement (one of its packages that cannot be built is left out, said)
DEV_LIST = " (development: {} declares the dependencies)"


def _complete_declaration(repo: Path, project: Any) -> str:
    """Where the project declares every install requirement ("" when nowhere): pyproject's
    ``[project]`` (PEP 621: ``dependencies`` absent from ``dynamic`` is the whole list), else a
    literal ``install_requires`` of setup.cfg or setup.py, an empty one too (setuptools installs
    exactly that list; one read from a file is not literal)."""
    dynamic = project.get("dynamic", []) if isinstance(project, dict) and project else ["dependencies"]
    if isinstance(dynamic, list) and "dependencies" not in dynamic:
        return "[project]"
    setup_cfg = ini(repo / "setup.cfg")
    if not setup_cfg.get("options", "install_requires", fallback="file:").strip().startswith("file:"):
        return "setup.cfg install_requires"
    setup_py = setup_py_kwargs(repo / "setup.py") if (repo / "setup.py").is_file() else {}
    literal = isinstance(setup_py.get("install_requires"), list | tuple | str)
    return "setup.py install_requires" if literal else ""


def _flit(pyproject: dict[str, Any]) -> dict[str, Any]:
    """pyproject.toml's ``[tool.flit.metadata]``, {} where it has none."""
    tool = pyproject.get("tool", {})
    flit = tool.get("flit", {}) if isinstance(tool, dict) else {}
    metadata = flit.get("metadata", {}) if isinstance(flit, dict) else {}
    return metadata if isinstance(metadata, dict) else {}


def _at(requirements: list[str], where: str) -> Found:
    return [(r, where) for r in requirements if isinstance(r, str)]


def raw_requirements(repo: Path) -> list[str]:
    return [r for r, _ in declared(repo)]


def _declared(repo: Path, field: str, section: str, option: str) -> object:
    """A metadata field as the project declares it: ``[project]`` of pyproject.toml, else
    setup.cfg's ``[section] option``, else the literal ``option=`` keyword of setup.py."""
    value = read_toml(repo / "pyproject.toml").get("project", {}).get(field)
    if not value and ini(repo / "setup.cfg").has_option(section, option):
        value = ini(repo / "setup.cfg").get(section, option)
    if not value and (repo / "setup.py").is_file():
        value = setup_py_kwargs(repo / "setup.py").get(option)
    return value


def project_name(repo: Path) -> str | None:
    name = _declared(repo, "name", "metadata", "name")
    return canonicalize_name(name) if isinstance(name, str) and name else None


def collect(repo: Path) -> list[str]:
    """Normalized requirement strings of the project, sorted, without the project itself."""
    return normalized(repo, declared(repo))


def _normal(raw: str, own: str | None, python: str | None) -> Requirement | None:
    """The requirement, its names canonical; None if it is the project's own, or its marker
    excludes Python ``python`` (X.Y)."""
    try:
        req = Requirement(raw)
    except InvalidRequirement:
        return None
    if canonicalize_name(req.name) == own or not _applies(req, python):
        return None
    req.name = canonicalize_name(req.name)
    req.extras = {canonicalize_name(extra) for extra in req.extras}
    return req


def _applies(req: Requirement, python: str | None) -> bool:
    if req.marker is None or python is None:
        return True
    try:
        return req.marker.evaluate({"python_version": python, "python_full_version": f"{python}.0", "extra": ""})
    except (ValueError, KeyError):  # a marker packaging cannot evaluate: pip decides
        return True


def normalized(repo: Path, found: Found, python: str | None = None) -> list[str]:
    """The requirements of ``found``, normalized, sorted, each name once, without the project
    itself (``python``: the X.Y whose markers they are read for, those that exclude it left
    out; without it, a name is given once per marker)."""
    own = project_name(repo)
    by_name: dict[str, list[tuple[Requirement, int]]] = {}
    for raw, where in found:
        req = _normal(raw, own, python)
        key = req and (req.name if python else f"{req.name}; {req.marker}")
        if req is not None and key and str(req) not in {str(r) for r, _ in by_name.get(key, [])}:
            by_name.setdefault(key, []).append((req, pymerge.strength(where, installs(where))))
    return sorted(pymerge.merged([r for r, _ in same], [s for _, s in same]) for same in by_name.values())


def provenance(found: Found, limit: int = 40) -> str:
    """One line: each source and the requirements it gave (``limit`` names at most)."""
    by_source: dict[str, list[str]] = {}
    for raw, where in found:
        name = requirement_name(raw)
        if name not in by_source.setdefault(where, []):
            by_source[where].append(name)
    parts = [f"{where}: {', '.join(names)}" for where, names in by_source.items()]
    text = "; ".join(parts) if parts else "none declared"
    words = text.split(", ")
    return "requirements from " + (text if len(words) <= limit else ", ".join(words[:limit]) + ", ...")


def requires_python(repo: Path) -> SpecifierSet | None:
    spec = _declared(repo, "requires-python", "options", "python_requires") or _flit(
        read_toml(repo / "pyproject.toml")
    ).get("requires-python")
    try:
        return SpecifierSet(spec) if isinstance(spec, str) and spec.strip() else None
    except InvalidSpecifier:
        return None


def runtime_requirements(repo: Path) -> list[str]:
    """What ``pip install .`` would install: the project's runtime dependencies only."""
    reqs: list[str] = list(read_toml(repo / "pyproject.toml").get("project", {}).get("dependencies", []))
    setup_cfg = ini(repo / "setup.cfg")
    if setup_cfg.has_option("options", "install_requires"):
        reqs += lines(setup_cfg.get("options", "install_requires"))
    if (repo / "setup.py").is_file():
        reqs += as_list(setup_py_kwargs(repo / "setup.py").get("install_requires"))
    return [r for r in reqs if isinstance(r, str)]
