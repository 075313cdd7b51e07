"""Requirements a Python project declares outside its package metadata, read without running it.

Requirements files (by the names projects give them for tests and development, following
``-r``), tox's ``deps`` (``[testenv]`` and the env of the chosen Python, factor conditions and
``{[section]deps}`` references resolved), Pipfile's packages and dev-packages (what CI installs:
``ciinstalls.py``). Each reader returns ``(requirement, where)`` pairs, so a report can say where
each one came from.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from rfsn.buildpacks.python.toxconfig import tox_ini
from rfsn.fsutil import read_toml

Found = list[tuple[str, str]]

INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s+|=)?(\S+)$")
REQUIREMENT_FILES = (
    "requirements.txt",
    "requirements-dev.txt",
    "requirements-test.txt",
    "requirements_dev.txt",
    "requirements_test.txt",
    "dev-requirements.txt",
    "test-requirements.txt",
    "requirements/dev.txt",
    "requirements/test.txt",
    "requirements/base.txt",
    "requirements-tests.txt",
    "requirements_tests.txt",
    "requirements/tests.txt",
    "requirements/testing.txt",
)
#: more names of the same kinds: requirements/test-py3.txt, requirements-testing.txt, tests/requirements.txt,
#: test_requirements.txt
REQUIREMENT_GLOBS = (
    "requirements/test*.txt",
    "requirements/dev*.txt",
    "requirements*test*.txt",
    "requirements*dev*.txt",
    "*test*-requirements.txt",
    "*dev*-requirements.txt",
    "*test*_requirements.txt",
    "*dev*_requirements.txt",
    "tests/requirements*.txt",
    "test/requirements*.txt",
)


def ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return configparser.ConfigParser(interpolation=None)
    return parser


def lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip() and not line.strip().startswith("#")]


def plain(line: str) -> bool:
    """A requirement, not an option, a path or a URL."""
    return bool(line) and not line.startswith(("-", ".", "/", "$", "{")) and "://" not in line


def requirements_file(path: Path, seen: set[Path], repo: Path, via: str | None = None) -> Found:
    """The requirements of a file in ``repo`` and of the files it includes, those of an included
    file where ``"base.txt via requirements.txt"`` (the file first read); a file outside the
    repository (``-r ../x``, an absolute path, a link out) is never read."""
    path = path.resolve()
    if path in seen or not path.is_file() or not path.is_relative_to(repo.resolve()):
        return []
    seen.add(path)
    found: Found = []
    own = str(path.relative_to(repo.resolve()))
    where = f"{own} via {via}" if via else own
    text = path.read_text(encoding="utf-8", errors="replace").replace("\\\n", " ")
    for line in lines(text):
        line = line.split(" #", 1)[0].strip()
        include = INCLUDE.match(line)
        if include:
            found += requirements_file(path.parent / include.group(1), seen, repo, via or own)
        elif plain(line):
            found.append((re.split(r"\s--?[a-z]", line, maxsplit=1)[0].strip(), where))  # drop --hash=...
    return found


def requirement_files(repo: Path, seen: set[Path]) -> Found:
    paths = [repo / name for name in REQUIREMENT_FILES]
    paths += sorted({p for pattern in REQUIREMENT_GLOBS for p in repo.glob(pattern)} - set(paths))
    return [pair for path in paths for pair in requirements_file(path, seen, repo)]


def _tox_line(line: str, factors: set[str]) -> str | None:
    """A deps line without its factor condition (``py37,py38: mock``; ``!py27: x``), or None
    when the condition excludes the env of ``factors``."""
    match = re.match(r"^([\w.!,{}-]+):\s+(.*)$", line)
    if match is None:
        return line
    names = [n.strip() for n in match.group(1).split(",")]
    holds = any(
        all((f[1:] not in factors) if f.startswith("!") else (f in factors) for f in name.split("-")) for name in names
    )
    return match.group(2) if holds else None


def _tox_sections(repo: Path, python: str | None) -> tuple[configparser.ConfigParser, list[str], str, str]:
    """tox's ini configuration, its ``[testenv]`` and the env for ``python`` (``py37``), that
    env's factor, and where the configuration is (``toxconfig``)."""
    factor = f"py{python.replace('.', '')}" if python else "py"
    tox, where = tox_ini(repo)
    return (
        tox,
        [
            "testenv",
            *(
                s
                for s in tox.sections()
                if s.startswith("testenv:") and factor in s.removeprefix("testenv:").split("-")
            ),
        ][:2],
        factor,
        where,
    )


def tox_extras(repo: Path, python: str | None) -> set[str]:
    """The extras tox installs the project with for those envs (``extras = diagrams``)."""
    tox, sections, factor, _ = _tox_sections(repo, python)
    return {
        extra
        for section in sections
        if tox.has_option(section, "extras")
        for raw in lines(tox.get(section, "extras"))
        if (line := _tox_line(raw, {factor, "py3"})) is not None
        for extra in re.split(r"[\s,]+", line)
        if extra
    }


def tox_deps(repo: Path, python: str | None, seen: set[Path]) -> Found:
    """``deps`` of tox's ``[testenv]`` and of the env for ``python`` (``py37``), as tox would
    read them for that env; ``-r`` files followed."""
    tox, sections, factor, where = _tox_sections(repo, python)
    found: Found = []
    for section in sections:
        for raw in _deps(tox, section, set()):
            line = _tox_line(raw, {factor, "py3"})
            if line is None:
                continue
            line = line.replace("{toxinidir}/", "").replace("{toxinidir}", ".")
            include = INCLUDE.match(line)
            if include:
                found += requirements_file(repo / include.group(1), seen, repo)
            elif plain(line):
                found.append((line, f"{where} [{section}] deps"))
    return found


def tox_commands(repo: Path, python: str | None) -> list[str]:
    """``commands`` of tox's ``[testenv]`` and of the env for ``python``, as that env runs them:
    factor conditions resolved, ``{envpython}`` as ``python``, ``{posargs}`` and ``{toxinidir}/`` cut."""
    tox, sections, factor, _ = _tox_sections(repo, python)
    said = [line for s in sections if tox.has_option(s, "commands") for line in lines(tox.get(s, "commands"))]
    held = [line for raw in said if (line := _tox_line(raw, {factor, "py3"})) is not None]
    plain_python = (re.sub(r"\{envpython\}|\{envbindir\}/python[\d.]*", "python", line) for line in held)
    return [" ".join(line.replace("{posargs}", "").replace("{toxinidir}/", "").split()) for line in plain_python]


def _deps(tox: configparser.ConfigParser, section: str, visiting: set[str]) -> list[str]:
    if section in visiting or not tox.has_option(section, "deps"):
        return []
    out: list[str] = []
    for line in lines(tox.get(section, "deps")):
        ref = re.fullmatch(r"\{\[([^\]]+)\]deps\}", line)
        out += _deps(tox, ref.group(1), visiting | {section}) if ref else [line]
    return out


def pipfile(repo: Path) -> Found:
    """[packages] and [dev-packages] of a Pipfile (with no usable lock beside it), with their extras."""
    data = read_toml(repo / "Pipfile")
    found: Found = []
    for section in ("packages", "dev-packages"):
        table = data.get(section, {})
        for name, spec in table.items() if isinstance(table, dict) else []:
            version = spec if isinstance(spec, str) else spec.get("version", "*") if isinstance(spec, dict) else "*"
            if isinstance(spec, dict) and ({"path", "git", "file"} & set(spec)):
                continue
            extras = spec.get("extras", []) if isinstance(spec, dict) else []
            named = f"{name}[{','.join(extras)}]" if extras and isinstance(extras, list) else name
            found.append((named if version in ("*", "") else f"{named}{version}", f"Pipfile [{section}]"))
    return found
