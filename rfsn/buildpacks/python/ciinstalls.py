"""What a project's CI workflows install for its test run, read without running them.

The ``pip install`` lines of GitHub Actions, Travis and CircleCI jobs (and of nox sessions,
through ``pip_args``): named packages and ``-r`` files, the project's own extras the test jobs
ask for, and which of those packages the tests may use (CI's linters, uploaders and release
tools are not). Also the paths CI's pytest runs on, where every test command names them.
"""

from __future__ import annotations

import ast
import itertools
import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

from packaging.utils import canonicalize_name

from rfsn.buildpacks.python.pysources import INCLUDE, Found, plain, requirements_file, tox_commands
from rfsn.fsutil import NOT_SOURCE_DIRS

#: the project itself with extras, as pip is given it: ``.[test]``, ``./[tests,toml]``
_OWN_EXTRAS = re.compile(r"\./?\[([\w,\s-]+)\]")
_PIP_INSTALL = re.compile(r"\bpip3?(?:\.\d+)?\s+install\s+(.*)$")


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
        elif (glued := INCLUDE.match(word)) is not None:
            found += requirements_file(repo / glued.group(1), seen, repo)
        elif plain(word) and not any(c in word for c in "${}") and re.split(r"[<>=!~;\[\s]", word)[0] != "pip":
            found.append((word, where))
    return found, extras


def ci_installs(repo: Path, seen: set[Path]) -> tuple[Found, set[str]]:
    """What the ``pip install`` lines of the CI workflows install, and the project's extras the
    jobs that run the tests name (the project itself, ``-e .``, variables and pip are not
    requirements)."""
    found: Found = []
    extras: set[str] = set()
    for path in _workflows(repo):
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


def _workflows(repo: Path) -> list[Path]:
    ci = [
        *sorted((repo / ".github" / "workflows").glob("*.y*ml")),
        repo / ".travis.yml",
        repo / ".circleci" / "config.yml",
    ]
    top = repo.resolve()
    return [path for path in ci if path.is_file() and path.resolve().is_relative_to(top)]  # never a host file


def ci_testpaths(repo: Path) -> list[str]:
    """The paths of the project that CI's test commands give pytest, when each of them is a pytest
    run that names some ([]: one runs the whole suite, or runs it through tox, nox or make)."""
    named: list[str] = []
    for command in ci_commands(repo):
        if not runs_tests(command):
            continue
        paths = _pytest_paths(command, repo)
        if not paths:
            return []
        named += paths
    return list(dict.fromkeys(named))


def tox_testpaths(repo: Path, python: str | None) -> list[str]:
    """The paths tox's env for ``python`` runs the tests of, when each of its test commands names
    some: a pytest run's paths, or the test folder whose ``__main__.py`` a command runs ([]: one
    runs the whole suite, or none runs tests)."""
    named: list[str] = []
    for command in tox_commands(repo, python):
        folder = _TEST_MAIN.match(command)
        if folder is not None and _inside(repo, folder.group(1)) and (repo / folder.group(1)).is_dir():
            named.append(folder.group(1).removeprefix("./"))
        elif runs_tests(command):
            paths = _pytest_paths(command, repo)
            if not paths:
                return []
            named += paths
    return list(dict.fromkeys(named))


#: a test folder's ``__main__.py`` run as a script (``python py3.11/pkg/tests/__main__.py``)
_TEST_MAIN = re.compile(r"^python[\d.]*\s+((?:[\w.-]+/)*tests?)/__main__\.py(?:\s|$)")


def ci_commands(repo: Path) -> Iterator[str]:
    """The shell commands of the CI workflows' lines, in order (comments cut)."""
    for path in _workflows(repo):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            yield _command(line.split(" #")[0])


#: a pytest run, as a test command starts with it
_PYTEST = re.compile(r"^(?:python[\d.]*\s+-m\s+|coverage\s+run\s+(?:-m\s+)?)?(?:pytest|py\.test)(?:\s|$)")


#: options of pytest and its common plugins whose value is the next word, never a path to test
_VALUED = frozenset(
    {
        *("-k", "-m", "-p", "-c", "-o", "-r", "-n", "-W", "--tb", "--maxfail", "--durations", "--rootdir"),
        *("--confcutdir", "--basetemp", "--junitxml", "--junit-xml", "--junit-prefix", "--ignore", "--deselect"),
        *("--ignore-glob", "--import-mode", "--override-ini", "--capture", "--log-level", "--doctest-glob"),
        *("--cov", "--cov-config", "--cov-report", "--cov-fail-under", "--cov-context", "--dist", "--timeout"),
        *("--reruns", "--randomly-seed", "--numprocesses", "--maxprocesses", "--html", "--benchmark-json"),
    }
)


def _pytest_paths(command: str, repo: Path) -> list[str]:
    """The project's paths a pytest command names ([]: it is no pytest run, or names none, or ``.``)."""
    if not _PYTEST.match(command):
        return []
    try:
        words = shlex.split(re.split(r"&&|\|\||[;|]", command)[0])
    except ValueError:
        return []
    start = next(i for i, w in enumerate(words) if w in ("pytest", "py.test")) + 1
    named = [w for i, w in enumerate(words[start:], start) if not w.startswith("-") and words[i - 1] not in _VALUED]
    paths = [w.split("::")[0].removeprefix("./").rstrip("/") for w in named]
    if any(p in ("", ".") for p in paths):
        return []
    return [p for p in paths if (repo / p).exists() and _inside(repo, p)]


def _inside(repo: Path, path: str) -> bool:
    """Whether ``path`` (a project's own words) names a place inside ``repo``, links resolved."""
    return (repo / path).resolve().is_relative_to(repo.resolve())


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
