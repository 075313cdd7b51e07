"""Every Python a project declares is read (each entry of a CI matrix, tox's env list wherever
tox reads it), and a declared Python that cannot be had never ends the session while
requires-python allows one that can."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from rfsn.buildpacks.python import pysources, pyversions
from rfsn.errors import EnvUnavailable

DEBIAN = {"3.9", "3.11", "3.13"}
#: click at HEAD (2026): its tests workflow's matrix is an ``include:`` of flow mappings, 3.14 first;
#: another job sets up 3.14 alone (the only Python the line reader found)
CLICK_TESTS = """\
name: Tests
on:
  pull_request:
jobs:
  tests:
    name: ${{ matrix.name || matrix.python }}
    runs-on: ${{ matrix.os || 'ubuntu-latest' }}
    strategy:
      fail-fast: false
      matrix:
        include:
          - {python: '3.14'}
          - {python: '3.14t'}
          - {name: Windows, python: '3.14', os: windows-latest}
          - {python: '3.13'}
          - {python: '3.12'}
          - {python: '3.11'}
          - {python: '3.10'}
          - {name: PyPy, python: 'pypy-3.9', tox: pypy3.9}
    steps:
      - uses: actions/setup-python@v6
        with:
          python-version: ${{ matrix.python }}
  flask:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v6
        with:
          python-version: '3.14'
"""


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


def test_click_head_every_include_entry_of_the_ci_matrix_is_declared(tmp_path: Path) -> None:
    """click at HEAD ended env_error on 3.14, the first of five `include:` entries, the only one read."""
    repo = make(
        tmp_path,
        {
            ".github/workflows/tests.yaml": CLICK_TESTS,
            "pyproject.toml": '[project]\nname = "c"\nrequires-python = ">=3.10"\n',
        },
    )
    assert pyversions.declared(repo) == {v: ["CI matrix"] for v in ("3.14", "3.13", "3.12", "3.11", "3.10")}
    python, why = pyversions.choose(repo, date(2026, 8, 20), DEBIAN, sorted(DEBIAN))
    assert python == "3.13" and why.startswith("Python 3.13: declared 3.10 (CI matrix), 3.11 (CI matrix)")
    assert why.endswith(
        "the newest released by 2026-08-20 that can be had; Python 3.14 is not shipped by "
        "Debian (only 3.11, 3.13, 3.9), no container registry is reachable, and no archive "
        "of it is in RFSN_PYTHON_ARCHIVES (unset)"
    )


def test_a_declared_python_that_cannot_be_had_gives_way_to_the_nearest_requires_python_allows(tmp_path: Path) -> None:
    """Only 3.14 declared, Debian ships 3.13 at most: 3.13, and the report says why."""
    repo = make(
        tmp_path / "a",
        {
            ".github/workflows/ci.yml": "jobs:\n  t:\n    strategy:\n      matrix:\n"
            "        include:\n          - python-version: '3.14'\n",
            "pyproject.toml": '[project]\nname = "c"\nrequires-python = ">=3.10"\n',
        },
    )
    python, why = pyversions.choose(repo, date(2026, 8, 20), DEBIAN, sorted(DEBIAN))
    assert python == "3.13"
    assert why == (
        "Python 3.13: declared 3.14 (CI matrix), none of them can be had (Python 3.14 is not "
        "shipped by Debian (only 3.11, 3.13, 3.9), no container registry is reachable, and no "
        "archive of it is in RFSN_PYTHON_ARCHIVES (unset)); the nearest earlier one "
        "requires-python >=3.10 allows"
    )
    # requires-python allows none that can be had: no declared way works
    only = make(
        tmp_path / "b",
        {
            ".travis.yml": "python:\n  - '3.14'\n",
            "pyproject.toml": '[project]\nname = "c"\nrequires-python = ">=3.14"\n',
        },
    )
    with pytest.raises(EnvUnavailable, match=r"^Python 3\.14 is not shipped by Debian"):
        pyversions.choose(only, date(2026, 8, 20), DEBIAN, sorted(DEBIAN))


def test_matrix_lists_block_lists_and_a_file_yaml_cannot_read(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            ".github/workflows/a.yml": "jobs:\n  t:\n    strategy:\n      matrix:\n"
            "        python-version: [3.8, '3.9', \"3.10\", pypy-3.7]\n"
            "        exclude:\n          - python-version: 3.7\n            os: windows\n",
            # a template YAML cannot read: line by line
            ".travis.yml": "python:\n  - 3.6\n{% if x %}\n",
        },
    )
    assert sorted(pyversions._ci_matrix(repo), key=pyversions._key) == ["3.6", "3.7", "3.8", "3.9", "3.10"]


def test_tox_configuration_inside_pyproject_legacy_and_native_and_tox_toml(tmp_path: Path) -> None:
    """A current project's tox configuration lives in pyproject.toml: its env list declares the
    Pythons, and its deps are the tests' requirements."""
    legacy = make(
        tmp_path / "legacy",
        {
            "pyproject.toml": '[tool.tox]\nlegacy_tox_ini = """\n[tox]\n'
            "envlist = py{310,311}, lint\n[testenv]\ndeps =\n    pytest-asyncio\n"
            '    py311: aioquic\n"""\n'
        },
    )
    assert pyversions._tox_envlist(legacy) == ["3.10", "3.11"]
    assert pysources.tox_deps(legacy, "3.11", set()) == [
        ("pytest-asyncio", "pyproject.toml legacy_tox_ini [testenv] deps"),
        ("aioquic", "pyproject.toml legacy_tox_ini [testenv] deps"),
    ]
    native = make(
        tmp_path / "native", {"pyproject.toml": '[tool.tox]\nenv_list = ["py3.14", "3.13", "py312", "style", "38"]\n'}
    )
    assert pyversions._tox_envlist(native) == ["3.14", "3.13", "3.12"]
    toml = make(tmp_path / "toml", {"tox.toml": 'env_list = ["3.12", "py311-django{4,5}"]\n'})
    assert pyversions._tox_envlist(toml) == ["3.12", "3.11", "3.11"]
