"""Which files hold a Python project's tests when pytest's patterns find none of them.

A project run by its own runner (``python -m unittest discover -p '*_tests.py'``, nose,
``setup.py test``) may name its test files so that pytest's default patterns
(``test_*.py``, ``*_test.py``) match none: pytest then collects nothing, though it runs
unittest's and nose's tests once it collects their files. Here the runner is read where the
project declares it (tox, setup.cfg, a Makefile, CI files, setup.py) and its file patterns are
taken: unittest's ``-p`` (``test*.py`` by default), nose's ``test*.py`` and ``*_test*.py``.
With no runner declared, unittest's default stands: the standard library's runner.
"""

from __future__ import annotations

import configparser
import fnmatch
import re
import shlex
from collections.abc import Iterator, Sequence
from pathlib import Path

from rfsn.buildpacks.python.ecosystem import ECOSYSTEM
from rfsn.fsutil import NOT_SOURCE_DIRS, read_toml

PYTEST_DEFAULT = ECOSYSTEM.tests.globs
UNITTEST_DEFAULT = ("test*.py",)
NOSE = ("test*.py", "*_test*.py")
#: where projects declare how their tests run
DECLARING = (
    "tox.ini",
    "setup.cfg",
    "setup.py",
    "Makefile",
    "noxfile.py",
    ".travis.yml",
    "appveyor.yml",
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
)
_DISCOVER = re.compile(r"unittest\s+discover\b([^\n]*)")
_PATTERN = re.compile(r"(?:-p|--pattern)[\s=]+['\"]?([^\s'\"]+)")
_NOSE = re.compile(r"\bnose(?:tests|2)?\b|\[nosetests\]")


def _declarations(repo: Path) -> Iterator[str]:
    for pattern in DECLARING:
        for path in sorted(repo.glob(pattern)):
            try:
                yield path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue


def runner_patterns(repo: Path) -> tuple[str, ...]:
    """The file patterns of the runner the project declares (unittest's default if none)."""
    found: list[str] = []
    for text in _declarations(repo):
        for arguments in _DISCOVER.findall(text):
            pattern = _PATTERN.search(arguments)
            found.append(pattern.group(1) if pattern else UNITTEST_DEFAULT[0])
        if _NOSE.search(text):
            found += NOSE
    return tuple(dict.fromkeys(found or UNITTEST_DEFAULT))


def python_files(repo: Path) -> list[Path]:
    """The repository's Python files, build and VCS directories left out."""
    return [p for p in repo.rglob("*.py") if p.is_file() and not NOT_SOURCE_DIRS & set(p.relative_to(repo).parts[:-1])]


def matching(files: Sequence[Path], patterns: Sequence[str]) -> list[Path]:
    """The files whose name matches one of ``patterns`` (as pytest matches ``python_files``)."""
    return [f for f in files if any(fnmatch.fnmatch(f.name, p) for p in patterns)]


def uncollected_patterns(repo: Path, patterns: Sequence[str]) -> tuple[str, ...]:
    """The patterns of the project's own runner, when pytest's ``patterns`` match no file of the
    repository and the runner's match some; else none."""
    files = python_files(repo)
    if matching(files, patterns):
        return ()
    theirs = runner_patterns(repo)
    return theirs if matching([f for f in files if f.name != "setup.py"], theirs) else ()


#: pytest's configuration files in the order it looks for them, with their section (None: TOML)
_PYTEST_CONFIGS = (
    ("pytest.ini", "pytest"),
    (".pytest.ini", "pytest"),
    ("pyproject.toml", None),
    ("tox.ini", "pytest"),
    ("setup.cfg", "tool:pytest"),
)


def pytest_option(repo: Path, option: str) -> list[str]:
    """An option of the pytest configuration file pytest would read in ``repo``, as a list of
    words (``testpaths``, ``python_files``; []: not set)."""
    value = _pytest_value(repo, option)
    return value.split() if isinstance(value, str) else list(value)


def _pytest_value(repo: Path, option: str) -> str | list[str]:
    """An option of the pytest configuration file pytest would read in ``repo`` as written: an
    ini file's text, a TOML list's items ("": not set)."""
    for name, section in _PYTEST_CONFIGS:
        path = repo / name
        if not path.is_file():
            continue
        if section is None:
            options = read_toml(path).get("tool", {}).get("pytest", {}).get("ini_options")
            if options is None:
                continue
            value = options.get(option, "")
            return value if isinstance(value, str) else [str(v) for v in value]
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue
        if parser.has_section(section):
            return parser.get(section, option, fallback="")
        if name.endswith("pytest.ini"):  # pytest.ini is pytest's even without its section
            return ""
    return ""


#: the plugins rfsn reads a run's results through (``--junitxml``)
REPORTING_PLUGINS = ("junitxml",)


def lifted_addopts(repo: Path) -> tuple[str, ...] | None:
    """The project's ``addopts`` without its ``-p no:NAME`` of a plugin rfsn reads results
    through (``REPORTING_PLUGINS``); None where it blocks none (its own then stand)."""
    value = _pytest_value(repo, "addopts")
    try:
        words = shlex.split(value) if isinstance(value, str) else value
    except ValueError:
        return None
    blocks = {f"no:{name}" for name in REPORTING_PLUGINS}
    kept: list[str] = []
    for word in words:
        if word.startswith("-p") and word[2:].strip() in blocks:  # -pno:NAME, a TOML item "-p no:NAME"
            continue
        if kept[-1:] == ["-p"] and word.strip() in blocks:
            kept.pop()
            continue
        kept.append(word)
    return tuple(kept) if len(kept) < len(words) else None
