"""The Python and the date of a plain repository's environment: a declared Python released by
the commit's date that this machine has, the commit's date from git, exact pins winning."""

from __future__ import annotations

import os
import subprocess
import textwrap
from datetime import date
from pathlib import Path

import pytest

from rfsn.buildpacks.base import EnvOptions, date_env
from rfsn.buildpacks.python import pydated, pyversions
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.errors import EnvUnavailable

DEBIAN = {"3.9", "3.11", "3.13"}


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


def commit(repo: Path, when: str, *, committer: str = "t@t") -> str:
    env = {**os.environ, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_EMAIL": committer}
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c", "--allow-empty"],
        check=True,
        env=env,
    )
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_declared_pythons_from_classifiers_tox_envlist_and_ci_matrix(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            "setup.py": """
            from setuptools import setup
            setup(name="d", python_requires=">=3.5", classifiers=[
                "Programming Language :: Python :: 2.7",
                "Programming Language :: Python :: 3.6",
                "Programming Language :: Python :: 3",
            ])
        """,
            "tox.ini": "[tox]\nenvlist = py{35,36,37}-django{111,22}, py3.8, flake8\n",
            ".github/workflows/ci.yml": """
            jobs:
              test:
                strategy:
                  matrix:
                    python-version:
                      - 3.9
                      - "3.10"   # YAML would read 3.10 as 3.1
                    os: [ubuntu-latest]
        """,
        },
    )
    assert pyversions.declared(repo) == {  # 2.7 is outside python_requires
        "3.6": ["classifiers", "tox envlist"],
        "3.5": ["tox envlist"],
        "3.7": ["tox envlist"],
        "3.8": ["tox envlist"],
        "3.9": ["CI matrix"],
        "3.10": ["CI matrix"],
    }


def test_the_preferred_declared_python_released_by_the_date_that_can_be_had(tmp_path: Path) -> None:
    repo = make(tmp_path, {"tox.ini": "[tox]\nenvlist = py37, py38, py39, py310, py311\n"})
    assert pyversions.choose(repo, date(2023, 1, 1), DEBIAN)[0] == "3.11"
    assert pyversions.choose(repo, date(2021, 6, 1), DEBIAN)[0] == "3.9"  # 3.11 did not exist yet
    assert pyversions.choose(repo, date(2021, 6, 1), DEBIAN | {"3.8"})[0] == "3.9"
    assert pyversions.choose(repo, date(2020, 1, 1), DEBIAN | {"3.8"})[0] == "3.8"
    assert pyversions.choose(repo, date(2021, 6, 1), None)[0] == "3.9"  # a registry: any


def test_the_newest_declared_python_not_3_11_pycparser_2026(tmp_path: Path) -> None:
    """pycparser at HEAD (2026) declares 3.10 to 3.14: Debian's newest of them, 3.13, not 3.11;
    the newest declared that the machine lacks is said, not an error."""
    repo = make(
        tmp_path,
        {
            "pyproject.toml": """
        [project]
        name = "p"
        requires-python = ">=3.10"
        classifiers = [
            "Programming Language :: Python :: 3.10", "Programming Language :: Python :: 3.11",
            "Programming Language :: Python :: 3.12", "Programming Language :: Python :: 3.13",
            "Programming Language :: Python :: 3.14",
        ]
    """
        },
    )
    python, why = pyversions.choose(repo, date(2026, 6, 8), DEBIAN, sorted(DEBIAN), "/pythons")
    assert python == "3.13" and "; Python 3.14 is not shipped by Debian" in why
    assert pyversions.choose(repo, date(2026, 6, 8), DEBIAN | {"3.12", "3.14"})[0] == "3.14"
    assert pyversions.choose(repo, date(2025, 6, 1), DEBIAN | {"3.14"})[0] == "3.13"  # 3.14 not out yet
    no_newer, said = pyversions.choose(repo, date(2025, 6, 1), DEBIAN)
    assert no_newer == "3.13" and said.endswith("the newest released by 2025-06-01 that can be had")
    assert pyversions.choose(repo, date(2024, 1, 1), DEBIAN | {"3.12"})[0] == "3.12"


def test_no_declared_python_nor_a_later_one_that_can_be_had_is_the_no_such_python_line(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            ".travis.yml": "language: python\npython:\n  - 2.7\n  - 3.6\n  - 3.7\n",
            "setup.cfg": "[options]\npython_requires = <3.8\n",
        },
    )
    with pytest.raises(
        EnvUnavailable,
        match=r"^Python 2\.7, 3\.6, 3\.7 is not shipped by Debian \(only 3\.11, "
        r"3\.13, 3\.9\).*RFSN_PYTHON_ARCHIVES \(unset\).*--python X\.Y",
    ):
        pyversions.choose(repo, date(2019, 6, 1), DEBIAN, sorted(DEBIAN))


def test_a_2016_commit_wanting_2_7_to_3_5_gets_the_nearest_later_python_it_does_not_exclude(tmp_path: Path) -> None:
    """A declared Python none of the machine's sources ship gives way to the oldest later one
    that requires-python allows, and the report says why (boltons 2016: 2.7, 3.4, 3.5)."""
    repo = make(tmp_path / "a", {"tox.ini": "[tox]\nenvlist = py27, py34, py35\n"})
    python, why = pyversions.choose(repo, date(2016, 7, 31), {"3.6", "3.8", "3.11"})
    assert python == "3.6"
    assert why == (
        "Python 3.6: declared 2.7 (tox envlist), 3.4 (tox envlist), 3.5 (tox envlist), "
        "none of them can be had by 2016-07-31; the nearest later one the project does not exclude"
    )
    bounded = make(
        tmp_path / "b",
        {"tox.ini": "[tox]\nenvlist = py27, py35\n", "setup.cfg": "[options]\npython_requires = >=2.7, !=3.6.*\n"},
    )
    assert pyversions.choose(bounded, date(2016, 7, 31), {"3.6", "3.8", "3.11"})[0] == "3.8"


def test_without_declarations_requires_python_and_the_date_decide(tmp_path: Path) -> None:
    bare = make(tmp_path / "bare", {"requirements.txt": "six\n"})
    assert pyversions.choose(bare, date(2024, 1, 1), DEBIAN)[0] == "3.11"
    assert pyversions.choose(bare, date(2026, 1, 1), DEBIAN)[0] == "3.11"  # declaring none: not the newest
    assert pyversions.choose(bare, date(2021, 1, 1), DEBIAN)[0] == "3.9"
    old, why = pyversions.choose(bare, date(2017, 1, 1), DEBIAN)
    assert old == "3.9" and "none released by 2017-01-01 can be had" in why
    bounded = make(tmp_path / "b", {"setup.cfg": "[options]\npython_requires = >=3.12\n"})
    assert pyversions.choose(bounded, None, DEBIAN)[0] == "3.13"


def test_the_date_is_the_commits_not_rfsns_snapshot(tmp_path: Path) -> None:
    repo = make(tmp_path, {"a.py": "x = 1\n"})
    sha = commit(repo, "2019-03-04T23:30:00-05:00")  # 2019-03-05 in UTC
    assert pydated.commit_date(repo) == (sha, date(2019, 3, 5))
    (repo / "a.py").write_text("x = 2\n")
    commit(repo, "2026-01-01T00:00:00Z", committer=pydated.RFSN_COMMITTER)
    assert pydated.commit_date(repo) == (sha, date(2019, 3, 5))
    assert pydated.index_date(date(2019, 3, 5)) == "2019-03-06"
    assert pydated.index_date(date.today()) == ""  # the end of today is still to come
    assert pydated.as_of(repo, "today")[0] is None
    assert pydated.as_of(repo, "2020-02-02")[0] == date(2020, 2, 2)


def test_the_recipe_of_an_old_commit_is_dated_and_its_tag_holds_date_and_python(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            "setup.cfg": "[metadata]\nname = d\nclassifiers =\n"
            "    Programming Language :: Python :: 3.9\n"
            "[options]\ninstall_requires = requests==2.25.1\n    six\n"
        },
    )
    commit(repo, "2021-03-01T10:00:00Z")
    pack = PythonBuildpack()
    recipe = pack.env_recipe(repo)
    assert recipe.index_date == "2021-03-02" and recipe.base.version == "3.9"
    assert recipe.steps[1].endswith("install --upgrade --force-reinstall pip setuptools wheel")  # the era's build tools
    assert "requests==2.25.1" in recipe.steps[2]  # the pin stays; rfsn.sandbox.asof serves it
    assert "coverage" not in recipe.steps[2] and "coverage>=7.4" in recipe.steps[-1]
    assert "PIP_INDEX_URL=https://pypi.org/simple" in recipe.steps[-1]  # rfsn's coverage: today's, moving nothing
    date_env(pack, EnvOptions(as_of="today"))
    today = pack.env_recipe(repo)
    assert today.index_date == "" and today.key() != recipe.key()
    date_env(pack, EnvOptions(as_of="2021-03-01", runtime="3.11"))
    chosen = pack.env_recipe(repo)
    assert (chosen.base.version, chosen.index_date) == ("3.11", "2021-03-02")  # the end of the day
    assert "Python 3.11 (--python)" in chosen.notes and chosen.key() != recipe.key()


def test_a_chosen_python_no_source_ships_is_the_no_such_python_line(tmp_path: Path) -> None:
    pack = PythonBuildpack()
    date_env(pack, EnvOptions(runtime="3.7", archives=tmp_path))
    with pytest.raises(EnvUnavailable, match=rf"Python 3\.7 is not shipped.*\({tmp_path}\)"):
        pack.env_recipe(make(tmp_path / "r", {"requirements.txt": "six\n"}))


def test_a_test_command_on_the_python_environment_is_dated_too(tmp_path: Path) -> None:
    """--test-cmd keeps the detected buildpack's environment, and its date."""
    from rfsn.buildpacks.generic import GenericBuildpack

    repo = make(tmp_path, {"requirements.txt": "six\n"})
    generic = GenericBuildpack("python -m unittest", base=PythonBuildpack())
    date_env(generic, EnvOptions(as_of="2021-03-01"))
    assert generic.env_recipe(repo).index_date == "2021-03-02"
    assert generic.env_options.as_of == "2021-03-01"


def test_the_era_tools_of_a_commit_older_than_its_python_are_raised_to_that_python(tmp_path: Path) -> None:
    """A commit older than its environment's Python (slugify 2015 on 3.6) gets build and test
    tools of at least that Python's day: the pip of its own (1.5.6) could not start on 3.6
    (`'importlib._bootstrap' has no attribute 'SourceFileLoader'`); a commit younger than its
    Python keeps those of its day, and the Dockerfile (the tag) changes only where it is raised."""
    from rfsn.sandbox.envimage import EnvImage

    repo = make(
        tmp_path, {"setup.cfg": "[metadata]\nname = d\nclassifiers =\n    Programming Language :: Python :: 3.9\n"}
    )
    commit(repo, "2015-02-18T10:00:00Z")
    pack = PythonBuildpack()
    date_env(pack, EnvOptions(runtime="3.9"))
    raised = pack.env_recipe(repo)
    assert raised.floors == tuple((t, "2020-10-05") for t in ("pip", "setuptools", "wheel"))
    assert any("at least their first release after Python 3.9 (2020-10-05)" in n for n in raised.notes)
    assert "# pip: at least its first release after 2020-10-05" in EnvImage(raised, "base").dockerfile(with_ca=False)
    # pytest and py as a set, with what they require, from the index of their raised releases
    view = 'PIP_INDEX_URL="${PIP_INDEX_URL%/simple}/raised/2020-10-05/pytest,py/simple"'
    assert (
        f"PIP_UPGRADE_STRATEGY=only-if-needed {view} $RFSN_ENV/venv/bin/python -m pip install --upgrade pytest py"
        in raised.steps
    )
    commit(repo, "2021-03-01T10:00:00Z")
    kept = pack.env_recipe(repo)
    assert kept.floors == () and "at least its first" not in EnvImage(kept, "base").dockerfile(with_ca=False)
    assert "/raised/" not in EnvImage(kept, "base").dockerfile(with_ca=False)
    date_env(pack, EnvOptions(runtime="3.9", as_of="today"))
    assert pack.env_recipe(repo).floors == ()
    # the key (validation verdicts and local environments are kept by it) tells them apart
    assert raised.model_copy(update={"floors": ()}).key() != raised.key()
    assert kept.model_copy(update={"floors": ()}).key() == kept.key()


def test_an_environment_on_a_python_older_than_coverage_7_4_gets_the_newest_coverage_it_has(tmp_path: Path) -> None:
    """Today's index has no coverage 7.4 for Python 3.6 or 3.7: asked for ``coverage>=7.4`` the
    step left it out, and every session on those Pythons of the history corpus (s5) had no
    per-test coverage; the newest coverage the Python has is asked for instead."""
    archives = tmp_path / "archives"
    archives.mkdir()
    (archives / "cpython-3.7.16+pyenv-x86_64-unknown-linux-gnu-install_only.tar.gz").write_bytes(b"")
    repo = make(
        tmp_path / "p",
        {"setup.cfg": "[metadata]\nname = d\nclassifiers =\n    Programming Language :: Python :: 3.7\n"},
    )
    commit(repo, "2019-03-01T10:00:00Z")
    pack = PythonBuildpack()
    date_env(pack, EnvOptions(runtime="3.7", archives=archives))
    old = pack.env_recipe(repo)
    assert "'coverage>=7.4'" not in old.steps[-1] and " coverage " in f"{old.steps[-1]} "
    date_env(pack, EnvOptions(runtime="3.7", archives=archives, as_of="today"))
    assert "coverage>=7.4" not in " ".join(pack.env_recipe(repo).steps)
    date_env(pack, EnvOptions(runtime="3.9"))
    assert "'coverage>=7.4'" in pack.env_recipe(repo).steps[-1]


def test_a_project_declaring_2_7_whose_code_is_not_python_3_gets_2_7_slugify_2015(tmp_path: Path) -> None:
    """slugify 2015 declares 2.7 to 3.4 (its CI runs 2to3 for 3.x) and its module has Python 2's
    `print` statement: Python 3 cannot even import it. The interpreter says so (`compile`): 2.7
    where it can be had, else the no-such-Python line; code that compiles keeps its Python 3."""
    travis = ".travis.yml"
    repo = make(
        tmp_path / "py2",
        {
            travis: "language: python\npython:\n  - 2.7\n  - 3.4\n",
            "slug/__init__.py": "",
            "slug/slug.py": "def main():\n    print 'usage'\n",
            "slug/esc.py": "x = '\\d'\n",
        },
    )
    python, why = pyversions.choose(repo, date(2015, 2, 18), DEBIAN | {"2.7", "3.6"})
    assert python == "2.7", why
    assert "declared 2.7 (CI matrix); slug/slug.py (line 2: Missing parentheses" in why, why
    with pytest.raises(
        EnvUnavailable,
        match=r"^Python 2\.7 is not shipped by Debian .*the project declares "
        r"2\.7; slug/slug\.py \(line 2",
    ):
        pyversions.choose(repo, date(2015, 2, 18), DEBIAN | {"3.6"}, sorted(DEBIAN))
    (repo / "slug" / "slug.py").write_text("def main():\n    print('usage')\n")
    assert pyversions.choose(repo, date(2015, 2, 18), DEBIAN | {"2.7", "3.6"})[0] == "3.6"
    # a grammar only later Pythons refuse is not Python 2 (toolz 2015 on 3.6: an unparenthesized generator)
    (repo / "slug" / "slug.py").write_text("def main(y):\n    return max(x for x in y, key=abs)\n")
    assert pyversions.choose(repo, date(2015, 2, 18), DEBIAN | {"2.7", "3.6"})[0] == "3.6"
    # a script outside the packages is not the project's code (tabulate 2015's benchmark.py)
    (repo / "benchmark.py").write_text("print 'x'\n")
    assert pyversions.choose(repo, date(2015, 2, 18), DEBIAN | {"2.7", "3.6"})[0] == "3.6"
    # a Python 2 file of a project that does not declare 2.7 changes nothing
    py3 = make(tmp_path / "py3", {travis: "language: python\npython:\n  - 3.6\n", "a/__init__.py": "print 'x'\n"})
    assert pyversions.choose(py3, date(2018, 1, 1), DEBIAN | {"2.7", "3.6"})[0] == "3.6"


def test_python_2_7_is_made_by_the_virtualenv_of_its_day_from_the_archive() -> None:
    from rfsn.buildpacks.python import pyarchives

    step, _ = pyarchives.venv("2.7")
    assert "'virtualenv<20.22'" in step and "-p /opt/python/bin/python2.7 $RFSN_ENV/venv" in step
    assert "PIP_INDEX_URL=https://pypi.org/simple" in step  # virtualenv is today's, not the commit's
    assert pyarchives.venv("3.6")[0].startswith("/opt/python/bin/python3 -m venv $RFSN_ENV/venv")


def test_an_environment_older_than_pip_constraints_asks_its_pip_for_them(tmp_path: Path) -> None:
    """The pip of 2014-10 (1.5.6, kept on 2.7) has no `-c` (pip 7.1) and reads no requires-python
    (pip 9, 2016-11): the steps that add rfsn's tools ask it, one without gets the installed
    packages as requirements, and a tool that does not build there (today's coverage) is left out
    (slugify 2015 on 2.7); a later environment's steps are as they were."""
    repo = make(
        tmp_path, {"setup.cfg": "[metadata]\nname = d\nclassifiers =\n    Programming Language :: Python :: 3.9\n"}
    )
    commit(repo, "2015-02-18T10:00:00Z")
    pack = PythonBuildpack()
    date_env(pack, EnvOptions(runtime="3.9"))
    asked = [s for s in pack.env_recipe(repo).steps if "pins.txt" in s]
    assert asked and all("grep -q -- --constraint && echo -c || echo -r" in s for s in asked), asked
    commit(repo, "2016-11-03T10:00:00Z")
    kept = [s for s in pack.env_recipe(repo).steps if "pins.txt" in s]
    assert kept and not any("--constraint" in s for s in kept) and all("-c $RFSN_ENV/pins.txt" in s for s in kept)


def test_a_python_2_script_among_the_tests_does_not_make_the_project_python_2_pexpect_2026(tmp_path: Path) -> None:
    """pexpect at HEAD declares 2.7 and 3; its package is Python 3, but tests/ticker.py (a fixture
    with a ``print`` statement, in a folder with an ``__init__.py``) made rfsn ask for Python 2.7."""
    repo = make(
        tmp_path / "pexpect",
        {
            "setup.py": (
                "from setuptools import setup\nsetup(name='px', classifiers=["
                "'Programming Language :: Python :: 2.7', 'Programming Language :: Python :: 3.11'])\n"
            ),
            "px/__init__.py": "def spawn():\n    print('ok')\n",
            "tests/__init__.py": "",
            "tests/ticker.py": "import time\nprint 'tick'\n",
        },
    )
    assert pyversions.python2_source(repo) == ""
    assert pyversions.choose(repo, date(2026, 1, 1), DEBIAN)[0] == "3.11"
