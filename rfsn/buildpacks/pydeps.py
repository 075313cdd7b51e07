"""Read a Python project's dependencies without running any of its code.

Sources: pyproject.toml (``[project]`` dependencies, test-like extras and
dependency groups, build requirements), setup.cfg, literal arguments of
``setup()`` in setup.py, requirements files (following ``-r``) and tox.ini
``deps``. The result is normalized (canonical names, sorted, de-duplicated,
the project itself left out) so that projects with the same dependencies
share one environment image.
"""

from __future__ import annotations

import ast
import configparser
import re
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from rfsn.fsutil import read_toml

TEST_EXTRAS = {"test", "tests", "testing", "dev", "develop", "development"}
_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s+|=)?(\S+)$")
REQUIREMENT_FILES = (
    "requirements.txt", "requirements-dev.txt", "requirements-test.txt", "requirements_dev.txt",
    "requirements_test.txt", "dev-requirements.txt", "test-requirements.txt",
    "requirements/dev.txt", "requirements/test.txt", "requirements/base.txt",
    "requirements-tests.txt", "requirements_tests.txt", "requirements/tests.txt", "requirements/testing.txt",
)


def requirement_name(spec: str) -> str:
    try:
        return canonicalize_name(Requirement(spec).name)
    except InvalidRequirement:
        return canonicalize_name(re.split(r"[\s\[<>=!~;@]", spec, maxsplit=1)[0])



def _ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return configparser.ConfigParser(interpolation=None)
    return parser


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip() and not line.strip().startswith("#")]


def _setup_py_kwargs(path: Path) -> dict[str, Any]:
    """Literal keyword arguments of the first ``setup(...)`` call in setup.py; a plain name
    stands for the literal a module-level assignment gives it (``install_requires=REQUIRES``)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return {}
    constants = {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                 for target in node.targets if isinstance(target, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "setup":
            return {kw.arg: value for kw in node.keywords
                    if kw.arg and (value := _literal(_resolved(kw.value, constants))) is not None}
    return {}


#: setup() arguments that decide what installing the project pulls in
_DEPENDENCY_KWARGS = ("install_requires", "extras_require", "tests_require")


def dynamic(repo: Path) -> bool:
    """Whether the project's dependencies are only known once its metadata is built: a
    pyproject.toml ``dynamic`` dependency field, a setup.cfg ``file:`` directive, or a setup.py
    whose dependency arguments are not plain literals assigned once (``EXTRAS['dev'] =
    EXTRAS['a'] + ...``, a loop, a ``**kwargs``). Then pip is asked (``pipresolve``); a
    reader would miss what the code computes."""
    fields = read_toml(repo / "pyproject.toml").get("project", {}).get("dynamic", [])
    if isinstance(fields, list) and {"dependencies", "optional-dependencies"} & set(fields):
        return True
    setup_cfg = _ini(repo / "setup.cfg")
    values = [setup_cfg.get("options", "install_requires", fallback="")]
    if setup_cfg.has_section("options.extras_require"):
        values += [v for _, v in setup_cfg.items("options.extras_require")]
    if any(v.strip().startswith("file:") for v in values):
        return True
    return (repo / "setup.py").is_file() and _setup_py_dynamic(repo / "setup.py")


def _setup_py_dynamic(path: Path) -> bool:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return False  # a setup.py Python 3 cannot parse: pip could not build it either
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and getattr(node.func, "id", getattr(node.func, "attr", "")) == "setup"]
    if not calls:
        return True  # setup() reached some other way: only running it tells
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]
    for keyword in calls[0].keywords:
        if keyword.arg is None:
            return True  # setup(**kwargs)
        if keyword.arg not in _DEPENDENCY_KWARGS:
            continue
        value = keyword.value
        if isinstance(value, ast.Name):
            # a constant: static only if bound once and used nowhere else (no item assignment,
            # no append, no concatenation into another)
            assigned = [node for node in tree.body if isinstance(node, ast.Assign)
                        and any(isinstance(t, ast.Name) and t.id == value.id for t in node.targets)]
            if len(assigned) != 1 or names.count(value.id) != 2:
                return True
            value = assigned[0].value
        try:
            ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, RecursionError):
            return True
    return False


def _resolved(node: ast.expr, constants: dict[str, ast.expr]) -> ast.expr:
    return constants.get(node.id, node) if isinstance(node, ast.Name) else node


def _literal(node: ast.expr) -> Any:
    """The value of a literal; of a dict, its literal entries. None if not a literal."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        pass  # not a literal (a variable, a call): unknown without running the code
    if isinstance(node, ast.Dict):
        pairs = ((_literal(k), _literal(v)) for k, v in zip(node.keys, node.values, strict=True)
                 if k is not None)
        return {k: v for k, v in pairs if isinstance(k, str) and v is not None}
    return None


def _requirements_file(path: Path, seen: set[Path]) -> list[str]:
    path = path.resolve()
    if path in seen or not path.is_file():
        return []
    seen.add(path)
    found: list[str] = []
    text = path.read_text(encoding="utf-8", errors="replace").replace("\\\n", " ")
    for line in _lines(text):
        line = line.split(" #", 1)[0].strip()
        include = _INCLUDE.match(line)
        if include:
            found += _requirements_file(path.parent / include.group(1), seen)
        elif not line.startswith(("-", ".", "/")) and "://" not in line:
            found.append(re.split(r"\s--?[a-z]", line, maxsplit=1)[0].strip())  # drop --hash=...
    return found


def _as_list(value: Any) -> list[str]:
    """setup() accepts a string (one requirement per line) wherever it accepts a list."""
    if isinstance(value, str):
        return _lines(value)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list | tuple) else []


def _extras(extras: Any) -> list[str]:
    if not isinstance(extras, dict):
        return []
    return [r for name, reqs in extras.items() if str(name).lower() in TEST_EXTRAS
            for r in _as_list(reqs)]


#: what a build backend asks for on top of its own requires to build an editable install (PEP 660)
EDITABLE_REQUIRES = {"hatchling": ("editables",)}


def build_requirements(repo: Path) -> list[str]:
    """The build backend's requirements, including what it needs for an editable install
    (the session installs the project with ``pip install -e . --no-build-isolation``, offline)."""
    declared = _as_list(read_toml(repo / "pyproject.toml").get("build-system", {}).get("requires", []))
    names = {requirement_name(r).lower() for r in declared}
    extra = [e for name, needs in EDITABLE_REQUIRES.items() if name in names for e in needs]
    return [*declared, *extra]


def raw_requirements(repo: Path) -> list[str]:
    reqs: list[str] = []
    pyproject = read_toml(repo / "pyproject.toml")
    project = pyproject.get("project", {})
    reqs += project.get("dependencies", [])
    reqs += _extras(project.get("optional-dependencies", {}))
    groups = pyproject.get("dependency-groups", {})
    reqs += [r for r in _extras(groups) if isinstance(r, str)]
    reqs += build_requirements(repo)
    setup_cfg = _ini(repo / "setup.cfg")
    if setup_cfg.has_option("options", "install_requires"):
        reqs += _lines(setup_cfg.get("options", "install_requires"))
    if setup_cfg.has_section("options.extras_require"):
        reqs += _extras({k: _lines(v) for k, v in setup_cfg.items("options.extras_require")})
    if (repo / "setup.py").is_file():
        kwargs = _setup_py_kwargs(repo / "setup.py")
        reqs += _as_list(kwargs.get("install_requires"))
        reqs += _as_list(kwargs.get("tests_require"))
        reqs += _extras(kwargs.get("extras_require"))
    seen: set[Path] = set()
    for name in REQUIREMENT_FILES:
        reqs += _requirements_file(repo / name, seen)
    tox = _ini(repo / "tox.ini")
    if tox.has_option("testenv", "deps"):
        reqs += [d for d in _lines(tox.get("testenv", "deps")) if not d.startswith(("-", "{"))]
    return [r for r in reqs if isinstance(r, str)]


def _declared(repo: Path, field: str, section: str, option: str) -> object:
    """A metadata field as the project declares it: ``[project]`` of pyproject.toml, else
    setup.cfg's ``[section] option``, else the literal ``option=`` keyword of setup.py."""
    value = read_toml(repo / "pyproject.toml").get("project", {}).get(field)
    if not value and _ini(repo / "setup.cfg").has_option(section, option):
        value = _ini(repo / "setup.cfg").get(section, option)
    if not value and (repo / "setup.py").is_file():
        value = _setup_py_kwargs(repo / "setup.py").get(option)
    return value


def project_name(repo: Path) -> str | None:
    name = _declared(repo, "name", "metadata", "name")
    return canonicalize_name(name) if isinstance(name, str) and name else None


def collect(repo: Path) -> list[str]:
    """Normalized requirement strings of the project, sorted, without the project itself."""
    own = project_name(repo)
    normalized: set[str] = set()
    for raw in raw_requirements(repo):
        try:
            req = Requirement(raw)
        except InvalidRequirement:
            continue
        if canonicalize_name(req.name) == own:
            continue
        req.name = canonicalize_name(req.name)
        req.extras = {canonicalize_name(extra) for extra in req.extras}
        normalized.add(str(req))
    return sorted(normalized)


def requires_python(repo: Path) -> SpecifierSet | None:
    spec = _declared(repo, "requires-python", "options", "python_requires")
    try:
        return SpecifierSet(spec) if isinstance(spec, str) and spec.strip() else None
    except InvalidSpecifier:
        return None


def runtime_requirements(repo: Path) -> list[str]:
    """What ``pip install .`` would install: the project's runtime dependencies only."""
    reqs: list[str] = list(read_toml(repo / "pyproject.toml").get("project", {}).get("dependencies", []))
    setup_cfg = _ini(repo / "setup.cfg")
    if setup_cfg.has_option("options", "install_requires"):
        reqs += _lines(setup_cfg.get("options", "install_requires"))
    if (repo / "setup.py").is_file():
        reqs += _as_list(_setup_py_kwargs(repo / "setup.py").get("install_requires"))
    return [r for r in reqs if isinstance(r, str)]
