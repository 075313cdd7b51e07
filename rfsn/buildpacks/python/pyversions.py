"""Which Python a plain repository's environment runs: one the project declares it supports,
released by the environment's date, that this machine can provide.

Declarations are read, never run: trove classifiers (pyproject.toml, setup.cfg, setup.py), the
tox envlist (tox.ini, setup.cfg's ``[tox:tox]``), the CI matrix (GitHub workflows' and
.travis.yml's ``python-version``/``python``), each bounded by requires-python.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import yaml
from packaging.specifiers import SpecifierSet

from rfsn.buildpacks.python import pydeps, pysetup, toxconfig
from rfsn.buildpacks.python.pysources import ini, lines
from rfsn.errors import EnvUnavailable
from rfsn.fsutil import read_toml

#: X.Y -> the day CPython released it (x.y.0)
RELEASED: dict[str, date] = {
    "2.7": date(2010, 7, 3),
    "3.3": date(2012, 9, 29),
    "3.4": date(2014, 3, 16),
    "3.5": date(2015, 9, 13),
    "3.6": date(2016, 12, 23),
    "3.7": date(2018, 6, 27),
    "3.8": date(2019, 10, 14),
    "3.9": date(2020, 10, 5),
    "3.10": date(2021, 10, 4),
    "3.11": date(2022, 10, 24),
    "3.12": date(2023, 10, 2),
    "3.13": date(2024, 10, 7),
    "3.14": date(2025, 10, 7),
}
#: among the Pythons a project declares: the newest first
NEWEST = tuple(sorted(RELEASED, key=lambda v: tuple(map(int, v.split("."))), reverse=True))
#: where it declares none: 3.11 (the best-trodden), then the newest first
PREFERENCE = ("3.11", *(v for v in NEWEST if v != "3.11"))

_CLASSIFIER = re.compile(r"Programming Language :: Python :: (\d)\.(\d+)\s*$")
_TOX_ENV = re.compile(r"^(?:py)?(\d)(?:\.|(?<=py\d))(\d+)$")
_XY = re.compile(r"(?<![\d.])([23])\.(\d{1,2})(?![\d])")
_CI_KEY = re.compile(r"^(\s*)-?\s*(?:python-versions?|python_version|python)\s*:\s*(.*)$")
_CI_NAME = re.compile(r"^(?:python[-_]versions?|python)$", re.I)


def _classifiers(repo: Path) -> list[str]:
    project = read_toml(repo / "pyproject.toml").get("project", {})
    found = [str(c) for c in project.get("classifiers", []) if isinstance(c, str)]
    setup_cfg = ini(repo / "setup.cfg")
    if setup_cfg.has_option("metadata", "classifiers"):
        found += lines(setup_cfg.get("metadata", "classifiers"))
    if (repo / "setup.py").is_file():
        found += pysetup.as_list(pysetup.setup_py_kwargs(repo / "setup.py").get("classifiers"))
    return [f"{m.group(1)}.{m.group(2)}" for c in found if (m := _CLASSIFIER.search(c))]


def _expand(text: str) -> list[str]:
    """Tox's brace expansion: ``py{27,36}-django{2,3}`` -> py27-django2, py27-django3, ..."""
    match = re.search(r"\{([^{}]*)\}", text)
    if match is None:
        return [text]
    return [
        out
        for part in match.group(1).split(",")
        for out in _expand(text[: match.start()] + part.strip() + text[match.end() :])
    ]


def _tox_envlist(repo: Path) -> list[str]:
    value = toxconfig.env_list(repo)
    items = re.findall(r"(?:\{[^{}]*\}|[^,\s{}])+", value)  # commas inside braces are tox's
    names = [n for item in items for n in _expand(item)]
    factors = [f for name in names for f in name.split("-")]
    return [f"{m.group(1)}.{m.group(2)}" for f in factors if (m := _TOX_ENV.match(f))]


def _ci_matrix(repo: Path) -> list[str]:
    """X.Y values of ``python-version``/``python`` keys anywhere in the CI files: a matrix's lists,
    each entry of its ``include:``/``exclude:`` (block or flow mappings), a step's ``with:``; a
    file YAML cannot read is read line by line. PyPy's are not CPython's."""
    paths = [*sorted((repo / ".github" / "workflows").glob("*.y*ml")), repo / ".travis.yml"]
    found: list[str] = []
    for path in paths:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        try:  # BaseLoader: every scalar a string, so 3.10 stays 3.10 (not the float 3.1)
            values = list(_python_values(list(yaml.load_all(text, Loader=yaml.BaseLoader))))
        except yaml.YAMLError:
            values = _ci_lines(text)
        found += [f"{a}.{b}" for value in values if "pypy" not in value.lower() for a, b in _XY.findall(value)]
    return found


def _python_values(node: object, under_python: bool = False) -> Iterator[str]:
    """The scalars of ``node`` held by a ``python``-named key, however deep."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _python_values(value, under_python or bool(_CI_NAME.match(str(key))))
    elif isinstance(node, list):
        for item in node:
            yield from _python_values(item, under_python)
    elif under_python and isinstance(node, str):
        yield node


def _ci_lines(text: str) -> list[str]:
    """The values of ``python-version:``/``python:`` keys in ``text`` read line by line (inline or
    as a list below them)."""
    found: list[str] = []
    indent: int | None = None
    for line in text.splitlines():
        key = _CI_KEY.match(line)
        if key:
            indent = len(key.group(1))
            found.append(key.group(2).split("#")[0])
        elif indent is not None and re.match(rf"^\s{{{indent + 1},}}-\s|^\s{{{indent}}}-\s", line):
            found.append(line.split("#")[0])
        elif line.strip():
            indent = None
    return found


def declared(repo: Path) -> dict[str, list[str]]:
    """X.Y -> where the project declares it supports it (requires-python bounds them all)."""
    spec = pydeps.requires_python(repo)
    sources = {"classifiers": _classifiers(repo), "tox envlist": _tox_envlist(repo), "CI matrix": _ci_matrix(repo)}
    out: dict[str, list[str]] = {}
    for where, versions in sources.items():
        for version in versions:
            if version in RELEASED and (spec is None or spec.contains(f"{version}.0", prereleases=True)):
                out.setdefault(version, [])
                if where not in out[version]:
                    out[version].append(where)
    return out


def choose(
    repo: Path, on: date | None, available: set[str] | None, debian: Iterable[str] = (), archives: str = "unset"
) -> tuple[str, str]:
    """(X.Y, why): the newest declared Python released by ``on`` (None: today) among
    ``available`` (None: any, from a registry), newer declared ones that cannot be had said in
    ``why``; else the nearest later one requires-python allows; without declarations, one
    requires-python allows (3.11 first), released by then if one is.
    EnvUnavailable when the project declares Pythons and none of them, nor a later one, can be
    had."""
    when = on or date.today()
    have = set(RELEASED) if available is None else available
    listed = declared(repo)
    # Python 2 only where the project's code is not Python 3; else a Python 3 it declares or allows
    if "2.7" in listed and (broken := python2_source(repo)):
        if "2.7" not in have:
            raise EnvUnavailable(
                no_python(["2.7"], debian, archives) + f" (the project declares 2.7; {broken} is not Python 3)"
            )
        return "2.7", f"Python 2.7: declared 2.7 ({', '.join(listed['2.7'])}); {broken} is not Python 3"
    have = {v for v in have if not v.startswith("2.")} or have
    if listed:
        return _among_declared(repo, listed, when, have, debian, archives)
    spec = pydeps.requires_python(repo) or SpecifierSet()
    allowed = [v for v in PREFERENCE if v in have and spec.contains(f"{v}.0", prereleases=True)]
    dated = [v for v in allowed if RELEASED[v] <= when]
    if dated:
        return dated[0], f"Python {dated[0]}: {_bound(spec)}; released by {when}"
    oldest = sorted(allowed or sorted(have), key=_key)[0]
    return oldest, f"Python {oldest}: {_bound(spec)}; none released by {when} can be had, the oldest that can"


def _among_declared(
    repo: Path, listed: dict[str, list[str]], when: date, have: set[str], debian: Iterable[str], archives: str
) -> tuple[str, str]:
    """``choose`` for a project that declares Pythons (``listed``): the newest declared one
    released by ``when`` that can be had, else the nearest later, else the nearest earlier one
    requires-python allows; EnvUnavailable when none can."""
    dated = [v for v in listed if RELEASED[v] <= when]
    pick = [v for v in NEWEST if v in dated and v in have]
    said = ", ".join(f"{v} ({', '.join(listed[v])})" for v in sorted(listed, key=_key))
    if pick:
        newer = [v for v in sorted(dated, key=_key) if _key(v) > _key(pick[0])]
        missing = f"; {no_python(newer, debian, archives)}" if newer else ""
        return pick[0], f"Python {pick[0]}: declared {said}; the newest released by {when} that can be had{missing}"
    wanted = sorted(dated or listed, key=_key)
    later = _later(repo, wanted[-1], have)
    if later:
        return later, (
            f"Python {later}: declared {said}, none of them can be had by {when}; "
            f"the nearest later one the project does not exclude"
        )
    nearest = _earlier(repo, wanted[0], have, when)
    if nearest:  # a declared Python that cannot be had is said, never the end of the session
        return nearest, (
            f"Python {nearest}: declared {said}, none of them can be had "
            f"({no_python(wanted, debian, archives)}); the nearest earlier one "
            f"{_bound(pydeps.requires_python(repo) or SpecifierSet())} allows"
        )
    raise EnvUnavailable(
        no_python(wanted, debian, archives) + f" (the project declares {said}; --python X.Y chooses another)"
    )


#: what Python 3's compiler says of Python 2's own syntax (print and exec statements, `except E, e`,
#: `0777`), not of a grammar only later Pythons refuse (`f(x for x in y, z)` is 3.6's, not 3.7's)
_PYTHON2_SYNTAX = (
    "Missing parentheses in call to",
    "multiple exception types must be parenthesized",
    "leading zeros in decimal integer literals",
)
#: folders of a checkout that hold no source of the project's own, and its test folders (their
#: fixtures may be written in another Python's syntax on purpose)
_NOT_SOURCE = {
    ".git",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    "build",
    "dist",
    "node_modules",
    ".eggs",
    "tests",
    "test",
    "testing",
}


def python2_source(repo: Path, limit: int = 2000) -> str:
    """The first module of ``repo``'s packages (folders with an ``__init__.py``: not its scripts,
    not its tests) this interpreter (a Python 3) cannot compile, as ``path (line N: message)``, or "": the
    project's code is Python 2 only."""
    for path in sorted(repo.rglob("*.py"))[:limit]:
        if (
            _NOT_SOURCE & set(path.relative_to(repo).parts[:-1])
            or not path.is_file()
            or not (path.parent / "__init__.py").is_file()
        ):
            continue
        try:
            with warnings.catch_warnings():  # an escape Python 3 deprecates is still Python 3
                warnings.simplefilter("ignore")
                compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
        except SyntaxError as exc:
            if any(words in exc.msg for words in _PYTHON2_SYNTAX):
                return f"{path.relative_to(repo)} (line {exc.lineno}: {exc.msg})"
        except (ValueError, OSError):
            continue
    return ""


def _later(repo: Path, newest: str, have: set[str]) -> str | None:
    """The oldest Python of ``have`` after ``newest`` that requires-python allows, or None."""
    spec = pydeps.requires_python(repo) or SpecifierSet()
    later = [v for v in have if v in RELEASED and _key(v) > _key(newest) and spec.contains(f"{v}.0", prereleases=True)]
    return min(later, key=_key, default=None)


def _earlier(repo: Path, oldest: str, have: set[str], when: date) -> str | None:
    """The newest Python of ``have`` before ``oldest`` that requires-python allows, released by
    ``when`` if one is, or None."""
    spec = pydeps.requires_python(repo) or SpecifierSet()
    earlier = [
        v for v in have if v in RELEASED and _key(v) < _key(oldest) and spec.contains(f"{v}.0", prereleases=True)
    ]
    dated = [v for v in earlier if RELEASED[v] <= when]
    return max(dated or earlier, key=_key, default=None)


def no_python(wanted: Iterable[str], debian: Iterable[str], archives: str) -> str:
    """The one line for Pythons no reachable source ships (``debian``: the ones it ships)."""
    shipped = ", ".join(sorted(debian))
    return (
        f"Python {', '.join(wanted)} is not shipped by Debian (only {shipped}), no container "
        f"registry is reachable, and no archive of it is in RFSN_PYTHON_ARCHIVES ({archives})"
    )


def _bound(spec: SpecifierSet) -> str:
    return f"requires-python {spec}" if str(spec) else "no Python declared"


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))
