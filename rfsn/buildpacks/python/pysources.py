"""Requirements a Python project declares outside its package metadata, read without running it.

Requirements files (by the names projects give them for tests and development, following
``-r``), tox's ``deps`` (``[testenv]`` and the env of the chosen Python, factor conditions and
``{[section]deps}`` references resolved), Pipfile's packages and dev-packages, and what the
``pip install`` lines of the CI workflows (GitHub Actions, Travis, CircleCI) install that the
test run uses. Each reader returns
``(requirement, where)`` pairs, so a report can say where each one came from.
"""

from __future__ import annotations

import ast
import configparser
import itertools
import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

from packaging.utils import canonicalize_name

from rfsn.buildpacks.python.toxconfig import tox_ini
from rfsn.fsutil import NOT_SOURCE_DIRS, read_toml

Found = list[tuple[str, str]]

_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s+|=)?(\S+)$")
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
#: more names of the same kinds: requirements/test-py3.txt, requirements-testing.txt, tests/requirements.txt
REQUIREMENT_GLOBS = (
    "requirements/test*.txt",
    "requirements/dev*.txt",
    "requirements*test*.txt",
    "requirements*dev*.txt",
    "*test*-requirements.txt",
    "*dev*-requirements.txt",
    "tests/requirements*.txt",
    "test/requirements*.txt",
)
#: the project itself with extras, as pip is given it: ``.[test]``, ``./[tests,toml]``
_OWN_EXTRAS = re.compile(r"\./?\[([\w,\s-]+)\]")
_PIP_INSTALL = re.compile(r"\bpip3?(?:\.\d+)?\s+install\s+(.*)$")


def ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return configparser.ConfigParser(interpolation=None)
    return parser


def lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip() and not line.strip().startswith("#")]


def _plain(line: str) -> bool:
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
        include = _INCLUDE.match(line)
        if include:
            found += requirements_file(path.parent / include.group(1), seen, repo, via or own)
        elif _plain(line):
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
            include = _INCLUDE.match(line)
            if include:
                found += requirements_file(repo / include.group(1), seen, repo)
            elif _plain(line):
                found.append((line, f"{where} [{section}] deps"))
    return found


def _deps(tox: configparser.ConfigParser, section: str, visiting: set[str]) -> list[str]:
    if section in visiting or not tox.has_option(section, "deps"):
        return []
    out: list[str] = []
    for line in lines(tox.get(section, "deps")):
        ref = re.fullmatch(r"\{\[([^\]]+)\]deps\}", line)
        out += _deps(tox, ref.group(1), visiting | {section}) if ref else [line]
    return out


def pipfile(repo: Path) -> Found:
    """[packages] and [dev-packages] of a Pipfile (with no usable lock beside it)."""
    data = read_toml(repo / "Pipfile")
    found: Found = []
    for section in ("packages", "dev-packages"):
        table = data.get(section, {})
        for name, spec in table.items() if isinstance(table, dict) else []:
            version = spec if isinstance(spec, str) else spec.get("version", "*") if isinstance(spec, dict) else "*"
            if isinstance(spec, dict) and ({"path", "git", "file"} & set(spec)):
                continue
            found.append((name if version in ("*", "") else f"{name}{version}", f"Pipfile [{section}]"))
    return found


def pip_args(words: list[str], where: str, repo: Path, seen: set[Path]) -> tuple[Found, set[str]]:
    """What ``pip install WORDS`` installs: named packages and ``-r`` files, and the extras of
    the project itself it asks for (``.[test]``, ``-e .[tests,toml]``). Options, paths, URLs,
    variables and pip itself are not requirements."""
    found: Found = []
    extras: set[str] = set()
    skip_next = include = False
    for word in words:
        own = _OWN_EXTRAS.fullmatch(word)
        if own:
            extras |= {e.strip().lower() for e in own.group(1).split(",") if e.strip()}
        if skip_next:
            skip_next = False
            found += requirements_file(repo / word, seen, repo) if include else []
            continue
        include = word in ("-r", "--requirement")
        if include or word in (
            "-c",
            "--constraint",
            "-e",
            "--editable",
            "-i",
            "--index-url",
            "--extra-index-url",
            "-f",
            "--find-links",
        ):
            skip_next = True
        elif (glued := _INCLUDE.match(word)) is not None:
            found += requirements_file(repo / glued.group(1), seen, repo)
        elif _plain(word) and not any(c in word for c in "${}") and re.split(r"[<>=!~;\[\s]", word)[0] != "pip":
            found.append((word, where))
    return found, extras


def ci_installs(repo: Path, seen: set[Path]) -> tuple[Found, set[str]]:
    """What the ``pip install`` lines of the CI workflows install, and the project's extras the
    jobs that run the tests name (the project itself, ``-e .``, variables and pip are not
    requirements)."""
    paths = [
        *sorted((repo / ".github" / "workflows").glob("*.y*ml")),
        repo / ".travis.yml",
        repo / ".circleci" / "config.yml",
    ]
    found: Found = []
    extras: set[str] = set()
    for path in paths:
        if not path.is_file():
            continue
        where = f"{path.relative_to(repo)} pip install"
        for job in _jobs(path.read_text(encoding="utf-8", errors="replace")):
            tests = any(runs_tests(_command(line)) for line in job)
            for line in job:
                match = _PIP_INSTALL.search(line.split(" #")[0])
                if match is None:
                    continue
                try:
                    words = shlex.split(match.group(1).split("&&")[0].split(";")[0])
                except ValueError:
                    continue
                more, named = pip_args(words, where, repo, seen)
                found += more
                extras |= named if tests else set()
    return used_by_tests_only(repo, found), extras


def _jobs(text: str) -> list[list[str]]:
    """A workflow's lines by job (each key under ``jobs:``); a file without jobs is one."""
    jobs: list[list[str]] = [[]]
    inside = False
    for line in text.splitlines():
        if re.match(r"^\S", line):
            inside = line.startswith("jobs:")
        elif inside and re.match(r"^  [\w.-]+:\s*$", line):
            jobs.append([])
        jobs[-1].append(line)
    return jobs


def _command(line: str) -> str:
    """A CI line's shell command: without its YAML list dash and key (``- run:``, ``script:``)."""
    return re.sub(r"^\s*(?:-\s+)?(?:[\w-]+:\s+)?", "", line)


#: a command that runs the tests: its program is a test runner (``python -m`` one, ``coverage run``)
_TEST_RUNNER = re.compile(
    r"^(?:python[\d.]*\s+-m\s+|coverage\s+run\s+(?:-m\s+)?)?"
    r"(?:pytest|py\.test|nosetests|nose2?|unittest|trial|tox|nox|make\s+test)(?:\s|$)"
)


def runs_tests(command: str) -> bool:
    return bool(_TEST_RUNNER.match(command.strip()))


def used_by_tests_only(repo: Path, found: Found) -> Found:
    """The requirements in ``found`` that the test run may use (see ``used_by_tests``)."""
    imported = project_imports(repo) if found else set()
    return [(r, where) for r, where in found if used_by_tests(r, imported)]


#: what CI installs to run around the tests, not in them: coverage uploaders, task runners,
#: linters and formatters, type checkers, documentation and release tools
CI_TOOLS = frozenset(
    {
        "codecov",
        "coveralls",
        "python-coveralls",
        "coveralls-python",
        "tox",
        "tox-travis",
        "tox-gh-actions",
        "nox",
        "invoke",
        "pre-commit",
        "flake8",
        "pylint",
        "pyflakes",
        "pycodestyle",
        "pep8",
        "pydocstyle",
        "black",
        "isort",
        "yapf",
        "autopep8",
        "ruff",
        "mypy",
        "pyright",
        "pytype",
        "bandit",
        "sphinx",
        "twine",
        "build",
        "wheel",
        "check-manifest",
        "bumpversion",
        "bump2version",
        "setuptools-scm",
    }
)


def used_by_tests(requirement: str, imported: set[str]) -> bool:
    """Whether a package CI installs is one the test run may need: pytest or a plugin of it, a
    module the project's code or tests import (by its name, or without a ``python-``/``py``
    prefix), or any package that is not a CI tool (``CI_TOOLS``, flake8's and sphinx's plugins):
    a distribution's module names (Pillow's ``PIL``) are unknown before it is installed."""
    name = canonicalize_name(re.split(r"[\s\[<>=!~;@]", requirement, maxsplit=1)[0])
    if name.startswith("pytest") or {name, name.removeprefix("python-"), name.removeprefix("py")} & imported:
        return True
    return name not in CI_TOOLS and not name.startswith(("flake8-", "sphinx-", "sphinxcontrib-"))


def project_imports(repo: Path, limit: int = 3000) -> set[str]:
    """The top-level modules the project's Python code and tests import, as canonical names
    (``yaml``, ``dateutil``), its task and documentation scripts left out; ``limit`` files at most."""
    imported: set[str] = set()
    for path in itertools.islice(_code_files(repo), limit):
        try:
            tree = ast.parse(path.read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {canonicalize_name(a.name.split(".")[0]) for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(canonicalize_name(node.module.split(".")[0]))
    return imported


#: files and folders of a project's tooling, not of its code or tests
_TOOLING = frozenset({"setup.py", "noxfile.py", "tasks.py", "fabfile.py", "dodo.py", "conf.py", "docs", "doc"})


def _code_files(repo: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(repo):
        dirs[:] = sorted(d for d in dirs if d not in NOT_SOURCE_DIRS | _TOOLING and not d.startswith("."))
        yield from (Path(root) / f for f in sorted(files) if f.endswith(".py") and f not in _TOOLING)
