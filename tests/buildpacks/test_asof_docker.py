"""A plain repository's environment is resolved as of its commit's date: a 2022 project whose
dependency's newest release breaks it gets the release of its day, the build tools of its day
(pip, setuptools with pkg_resources) and a declared Python of that date (real Docker, real PyPI
through the dated loopback index)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from rfsn.buildpacks.base import EnvOptions, date_env
from rfsn.buildpacks.python import pyarchives
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings
from tests.paths import ROOT

pytestmark = [pytest.mark.docker, pytest.mark.slow]

#: packaging 22.0 (2022-12-07) removed LegacyVersion; 3.11 came out on 2022-10-24
WHEN = "2022-11-15T12:00:00+00:00"
SETUP_CFG = """\
[metadata]
name = legacy
classifiers =
    Programming Language :: Python :: 3.10
    Programming Language :: Python :: 3.11

[options]
packages = legacy
install_requires =
    packaging
"""
TEST = """\
import pkg_resources  # setuptools of the day still has it
from packaging.version import LegacyVersion

from legacy import parse


def test_a_legacy_version_is_parsed():
    assert isinstance(parse("not-pep-440"), LegacyVersion)
"""


def old_project(root: Path) -> Path:
    (root / "legacy").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "setup.cfg").write_text(SETUP_CFG)
    (root / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    (root / "legacy" / "__init__.py").write_text("from packaging.version import parse\n")
    (root / "tests" / "test_legacy.py").write_text(TEST)
    env = {**os.environ, "GIT_COMMITTER_DATE": WHEN, "GIT_AUTHOR_DATE": WHEN}
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "old"], check=True, env=env)
    return root


def _run(
    repo: Path, home: Path, as_of: str, keys: list[str], python: str | None = None, archives: Path | None = None
) -> tuple[str, str, str, float]:
    settings = Settings(
        sandbox="docker",
        home=home,
        memory="1g",
        cpus=1.0,
        pids=256,
        test_timeout=120,
        setup_timeout=600,
        as_of=as_of,
        python=python,
        setup_snapshots=False,
        python_archives=archives,
    )
    pack = PythonBuildpack()
    date_env(pack, EnvOptions(as_of=as_of, runtime=python, archives=archives))
    keys.append(pack.env_recipe(repo).key())
    started = time.monotonic()
    with open_sandbox(repo, pack, settings, "docker") as sandbox:
        seconds = time.monotonic() - started
        result = sandbox.exec(pack.test_command([], sandbox.scratch_path), timeout=120)
        versions = sandbox.exec(
            [
                "python",
                "-c",
                "import sys, packaging, pip; print("
                "'%d.%d' % sys.version_info[:2], packaging.__version__, pip.__version__)",
            ],
            timeout=60,
        )
        notes = "\n".join(
            [*sandbox.environment, *([f"setup failed: {sandbox.setup_failure}"] if sandbox.setup_failure else [])]
        )
    return result.output, versions.output.strip(), notes, seconds


def test_an_old_commit_gets_the_packages_build_tools_and_python_of_its_day(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    repo = old_project(tmp_path / "legacy")
    output, versions, notes, seconds = _run(repo, rfsn_home, "commit", built)
    assert "1 passed" in output, output
    # the newest packaging of 2022-11-15 (21.3), pip 22.3.1 (2022-11-05), not bookworm's 23.0.1
    assert versions == "3.11 21.3 22.3.1", versions
    assert "as of 2022-11-15, the date of the commit" in notes and "PyPI before 2022-11-16" in notes
    assert "Python 3.11: declared 3.10 (classifiers), 3.11 (classifiers)" in notes
    assert "setup.cfg install_requires: packaging" in notes
    print(f"as of the commit: env built in {seconds:.0f}s")


#: a sweep case: the same project as of today (the undated build every fresh repository gets in the
#: default run; ``test_pyversions``' ``test_the_recipe_of_an_old_commit_is_dated...``: no index today)
@pytest.mark.sweep
def test_the_same_old_commit_as_of_today_gets_todays_packages_and_its_tests_break(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    repo = old_project(tmp_path / "legacy")
    today, versions, _, seconds = _run(repo, rfsn_home, "today", built)
    # today's setuptools has no pkg_resources, today's packaging no LegacyVersion
    assert "1 error" in today and ("pkg_resources" in today or "LegacyVersion" in today), today
    assert versions.split()[1] != "21.3"
    print(f"as of today: env built in {seconds:.0f}s")


#: the ``dev`` extra is computed (pipresolve asks pip in the build): six 1.17.0 came in 2024-12
COMPUTED_SETUP_PY = """\
from setuptools import setup

EXTRAS = {"reco": ["six"], "lint": []}
EXTRAS["dev"] = EXTRAS["reco"] + EXTRAS["lint"]
setup(name="computed", version="1.0", packages=["computed"], extras_require=EXTRAS,
      classifiers=["Programming Language :: Python :: 3.11"])
"""


def test_requirements_pip_resolves_in_the_build_are_of_the_commits_day_and_so_is_its_pip(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    repo = tmp_path / "computed"
    (repo / "computed").mkdir(parents=True)
    (repo / "setup.py").write_text(COMPUTED_SETUP_PY)
    (repo / "computed" / "__init__.py").write_text("")
    (repo / "test_six.py").write_text("import six\n\ndef test_six():\n    assert six.__version__ == '1.16.0'\n")
    env = {**os.environ, "GIT_COMMITTER_DATE": WHEN, "GIT_AUTHOR_DATE": WHEN}
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"], check=True, env=env
    )
    output, versions, notes, _ = _run(repo, rfsn_home, "commit", built)
    assert "1 passed" in output, output
    assert versions.split()[2] == "22.3.1"  # the resolving pip was today's; the era's came back
    assert "requirements its metadata compute: resolved by pip in the build" in notes


#: a project of early 2018 (pip 9: no --progress-bar, no --no-build-isolation, "Double
#: requirement given" for a name declared twice) whose test requirements include one deleted
#: from PyPI since (codecov 2.1.8) and one with no file left from before the date (atomicwrites)
ERA_2018 = "2018-02-10T12:00:00+00:00"
ERA_TEST = """\
import atomicwrites
import pip

import era


def test_the_era_pip_installed_the_project_and_its_test_requirements():
    assert pip.__version__.startswith("9."), pip.__version__
    assert era.VALUE == 1
"""


def test_a_2018_project_builds_with_pip_9_leaving_out_a_test_requirement_pypi_deleted(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """The era's pip is spoken to as it is, each name given once; a test requirement that
    cannot be installed is left out and said, one with nothing before the date comes from its
    first release after it, said too (natsort, markdown 2018; tomlkit's codecov, toolz's
    atomicwrites)."""
    repo = tmp_path / "era"
    (repo / "era").mkdir(parents=True)
    (repo / "setup.py").write_text(
        "from setuptools import setup\nsetup(name='era', version='1.0', "
        "packages=['era'], install_requires=['setuptools>=36'])\n"
    )
    (repo / "requirements-dev.txt").write_text("setuptools>=36.6\ncodecov==2.1.8\natomicwrites\n")
    (repo / "era" / "__init__.py").write_text("VALUE = 1\n")
    (repo / "test_era.py").write_text(ERA_TEST)
    env = {**os.environ, "GIT_COMMITTER_DATE": ERA_2018, "GIT_AUTHOR_DATE": ERA_2018}
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"], check=True, env=env
    )
    # on 3.6, older than the commit: a Python newer than the commit would raise its pip
    output, _, notes, _ = _run(repo, rfsn_home, "commit", built, python="3.6", archives=_archives("3.6"))
    assert "1 passed" in output, output
    assert "setup failed" not in notes, notes  # pip 9 installed the project in the session
    assert "rfsn: test requirement codecov==2.1.8 cannot be installed" in notes, notes
    assert "atomicwrites: nothing on PyPI before 2018-02-11, its first release after it (1.4.1)" in notes, notes


def _project(root: Path, when: str, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    env = {**os.environ, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"], check=True, env=env
    )
    return root


def _pinned(root: Path, when: str, requirements: str, pins: str, package: str, version: str) -> Path:
    """A project of ``when`` whose ``requirements`` file holds ``pins``, and whose test asserts
    that ``package`` is at ``version``."""
    return _project(
        root / "pinned",
        when,
        {
            "setup.py": "from setuptools import setup\nsetup(name='pinned', version='1.0', py_modules=['pinned'])\n",
            requirements: pins,
            "pinned.py": "VALUE = 1\n",
            "test_pinned.py": f"import {package}\nimport pinned\n\n\ndef test_pinned():\n"
            f"    assert {package}.__version__ == '{version}'\n    assert pinned.VALUE == 1\n",
        },
    )


def _archives(version: str) -> Path:
    """A directory of Python archives holding one of ``version`` (the era's pytest and pip run on
    no Python Debian ships): RFSN_PYTHON_ARCHIVES, else this machine's pyenv build packed by
    ``scripts/pack-pythons`` where it has none (the same bytes each time, so the env images
    are reused)."""
    found = os.environ.get("RFSN_PYTHON_ARCHIVES", "")
    if not found or pyarchives.find(Path(found), version) is None:
        packed = Path(tempfile.gettempdir()) / "rfsn-test-pythons"
        if (
            subprocess.run(
                ["bash", str(ROOT / "scripts" / "pack-pythons"), str(packed), version], capture_output=True
            ).returncode
            == 0
        ):
            found = str(packed)
    if not found or pyarchives.find(Path(found), version) is None:
        if os.environ.get("RFSN_REQUIRE_DOCKER") == "1":
            pytest.fail(f"RFSN_REQUIRE_DOCKER=1 but RFSN_PYTHON_ARCHIVES ({found or 'unset'}) has no Python {version}")
        pytest.skip(f"no Python {version} archive in RFSN_PYTHON_ARCHIVES ({found or 'unset'})")
    return Path(found)


#: a sweep case of a pytest older than its options: ``test_a_2015_project_on_3_6_resolves_with_its_own_
#: pip_and_runs_its_own_pytest_marshmallow_2015`` runs pytest 2.7.2, which lacks the same ones
@pytest.mark.sweep
def test_a_2016_pytest_runs_the_named_tests_without_the_options_it_lacks_boltons_2016(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """The environment's pytest is asked its version and given only options it has: pytest 2.9
    (before 2016-08) stopped at `unrecognized arguments: --continue-on-collection-errors -o`."""
    archives = _archives("3.6")
    repo = _project(
        tmp_path / "old",
        "2016-07-31T12:00:00+00:00",
        {
            "setup.py": "from setuptools import setup\nsetup(name='old', version='1.0', py_modules=['old'])\n",
            "requirements-test.txt": "pytest==2.9.2\n",  # 3.6 raises an unpinned one to 3.0.6
            "old.py": "VALUE = 1\n",
            "test_old.py": "import pytest\nimport old\n\n\ndef test_old():\n    assert pytest.__version__ == '2.9.2'\n"
            "    assert old.VALUE == 1\n",
        },
    )
    output, _, _, _ = _run(repo, rfsn_home, "commit", built, python="3.6", archives=archives)
    assert "1 passed" in output, output


def test_a_plugin_that_cannot_load_beside_a_pinned_pytest_is_blocked_boltons_2019(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """A plugin the environment's pytest cannot load is blocked, not every run stopped: boltons
    2019 pins pytest 3.0.7 and `Plugin 'timeout' could not be loaded` (pytest-timeout 1.3.3
    wants pytest>=3.6; a pip of 2019 installs both) stopped each run. Here the project pins
    both, so the build keeps the plugin."""
    repo = _pinned(
        tmp_path,
        "2019-01-17T12:00:00+00:00",
        "requirements-test.txt",
        "pytest==3.0.7\npytest-timeout==1.3.3\n",
        "pytest",
        "3.0.7",
    )
    output, _, _, _ = _run(repo, rfsn_home, "commit", built, python="3.9")
    assert "1 passed" in output, output


def test_a_run_of_some_tests_is_not_failed_by_the_projects_coverage_threshold_arrow_2022(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """arrow's addopts load pytest-cov with --cov-fail-under=99: a run of the named tests passed
    every test and exited 1 (`Required test coverage of 99% not reached`), gold "unresolved"."""
    repo = _project(
        tmp_path / "covered",
        "2022-08-29T12:00:00+00:00",
        {
            "setup.py": "from setuptools import setup\nsetup(name='covered', version='1.0', py_modules=['covered'])\n",
            "setup.cfg": "[tool:pytest]\naddopts = --cov=covered --cov-fail-under=99\n",
            "requirements-test.txt": "pytest\npytest-cov\n",
            "covered.py": "def used():\n    return 1\n\n\ndef unused():\n    return 2\n",
            "test_covered.py": "import covered\n\n\ndef test_used():\n    assert covered.used() == 1\n",
        },
    )
    output, _, _, _ = _run(repo, rfsn_home, "commit", built, python="3.9")
    assert "1 passed" in output and "Required test coverage" not in output, output


def test_a_2015_project_on_3_6_resolves_with_its_own_pip_and_runs_its_own_pytest_marshmallow_2015(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """pip 23.1 wants Python 3.7, which the pip of 2015 (7.1) does not read: it installed today's
    pip on Python 3.6, which then could not start (`SyntaxError: future feature annotations`)
    and the build failed; on 3.6 the era's own pip resolves the computed extras. The pytest of
    mid-2015 (2.7.2) cannot rewrite asserts on 3.6: they stay plain."""
    archives = _archives("3.6")
    repo = _project(
        tmp_path / "computed",
        "2015-08-19T12:00:00+00:00",
        {
            "setup.py": COMPUTED_SETUP_PY.replace("3.11", "3.4"),
            "computed/__init__.py": "",
            "requirements-test.txt": "pytest==2.7.2\n",
            "test_six.py": "import six\n\n\ndef test_six():\n    assert six.__version__ == '1.9.0'\n",
        },
    )
    output, _, notes, _ = _run(repo, rfsn_home, "commit", built, python="3.6", archives=archives)
    assert "1 passed" in output, output
    assert "requirements its metadata compute: resolved by pip in the build" in notes
    # the era's tools, older than 3.6, are raised to their first release after it
    assert "at least their first release after Python 3.6 (2016-12-23)" in notes, notes
    assert "pip: 9.0.2, its first release after 2016-12-23" in notes, notes


#: a sweep case of a commit older than its Python: ``test_a_2015_project_on_3_6_resolves_with_its_own_
#: pip_and_runs_its_own_pytest_marshmallow_2015`` is raised alike and asserts it
@pytest.mark.sweep
def test_a_2015_project_on_3_6_gets_build_and_test_tools_that_run_on_3_6_slugify_2015(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """The pip of 2015-02 (1.5.6) cannot start on Python 3.6 (`module 'importlib._bootstrap'
    has no attribute 'SourceFileLoader'`): slugify 2015's build failed. The era's pip,
    setuptools and wheel are raised to their first release after 3.6 came out (pytest is not: the
    dated index would serve a raised pytest but not the later pluggy it requires)."""
    archives = _archives("3.6")
    repo = _project(
        tmp_path / "slug",
        "2015-02-18T12:00:00+00:00",
        {
            "setup.py": "from setuptools import setup\nsetup(name='slug', version='1.0', py_modules=['slug'],\n"
            "      install_requires=['six'])\n",
            "slug.py": "VALUE = 1\n",
            "test_slug.py": "import pip, pytest, six, slug\n\n\ndef test_slug():\n"
            "    assert (pip.__version__, six.__version__) == ('9.0.2', '1.9.0')\n"
            "    assert slug.VALUE == 1\n",
        },
    )
    output, _, notes, _ = _run(repo, rfsn_home, "commit", built, python="3.6", archives=archives)
    assert "1 passed" in output, output
    assert "at least their first release after Python 3.6 (2016-12-23)" in notes, notes
    assert "pip: 9.0.2, its first release after 2016-12-23" in notes, notes


def test_a_projects_pinned_coverage_stands_where_rfsns_cannot_be_installed_beside_it_arrow_2021(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """arrow 2021 pins coverage 5.5: the pip of its day, asked for rfsn's coverage>=7.4 under the
    installed packages as constraints, said only `Could not find a version`, and the build
    failed. rfsn's is left out; the project's coverage stands and the tests run."""
    repo = _pinned(
        tmp_path, "2021-03-02T12:00:00+00:00", "requirements.txt", "pytest\ncoverage==5.5\n", "coverage", "5.5"
    )
    output, _, _, _ = _run(repo, rfsn_home, "commit", built, python="3.9")
    assert "1 passed" in output, output


#: a sweep case of a 2019 project on 3.11: ``test_requirements_pip_resolves_keep_the_raised_pytest_
#: marshmallow_2019_on_3_11`` builds the same raised set and asserts it, and the six of its day
@pytest.mark.sweep
def test_a_2019_project_on_3_11_gets_pytest_and_what_it_requires_of_3_11s_day_pyparsing_semver(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """The pytest and py of 2019-06 cannot start on Python 3.11 (#49's seeds named `--python 3.11`
    on 2019-2020 commits); raised alone, the pytest of 3.11's day found no pluggy in the commit's
    index. pytest and py are raised as a set, what they require resolved as of their raised
    releases; the project's other packages stay those of its day."""
    repo = _project(
        tmp_path / "era19",
        "2019-06-15T12:00:00+00:00",
        {
            "setup.py": "from setuptools import setup\nsetup(name='era19', version='1.0', py_modules=['era19'],\n"
            "      install_requires=['six'])\n",
            "requirements-dev.txt": "pytest\n",
            "era19.py": "VALUE = 1\n",
            "test_era19.py": "import pytest, six, era19\n\n\ndef test_era19():\n"
            "    assert int(pytest.__version__.split('.')[0]) >= 7, pytest.__version__\n"
            "    assert six.__version__ == '1.12.0' and era19.VALUE == 1\n",
        },
    )
    output, _, notes, _ = _run(repo, rfsn_home, "commit", built, python="3.11")
    assert "1 passed" in output, output
    assert "pytest, py and what they require: as PyPI had them before 2022-10-" in notes, notes


def test_a_2015_project_whose_code_is_python_2_runs_on_2_7_from_an_archive_slugify_2015(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """slugify 2015's module has Python 2's `print` statement and its CI runs 2.7: on 3.x its tests
    cannot import it (`SyntaxError`). A declared 2.7 is chosen where the code is not Python 3,
    made by the virtualenv of its day from the archive, with the pip and pytest of the commit."""
    archives = _archives("2.7")
    repo = _project(
        tmp_path / "py2",
        "2015-02-18T12:00:00+00:00",
        {
            ".travis.yml": "language: python\npython:\n  - 2.7\n  - 3.4\n",
            "setup.py": "from setuptools import setup\nsetup(name='py2', version='1.0', packages=['py2'],\n"
            "      install_requires=['six'])\n",
            "py2/__init__.py": "def half():\n    print 'rounding'\n    return round(0.5)\n",
            "test_py2.py": "import sys, six, py2\n\n\ndef test_py2():\n"
            "    assert sys.version_info[:2] == (2, 7) and six.__version__ == '1.9.0'\n"
            "    assert py2.half() == 1.0  # Python 3 rounds half to even\n",
        },
    )
    output, _, notes, _ = _run(repo, rfsn_home, "commit", built, archives=archives)
    assert "1 passed" in output, output
    assert "Python 2.7: declared 2.7 (CI matrix); py2/__init__.py (line 2: Missing parentheses" in notes, notes


def test_requirements_pip_resolves_keep_the_raised_pytest_marshmallow_2019_on_3_11(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """marshmallow 2019 computes its `dev` extra (`EXTRAS["tests"] + ...`): pip resolves it in the
    build, and its pins brought the pytest of 2019 back over the raised one (`AttributeError:
    __spec__` on 3.11). pip resolves against what is installed: the raised pytest stays."""
    repo = _project(
        tmp_path / "computed19",
        "2019-09-12T12:00:00+00:00",
        {
            "setup.py": "from setuptools import setup\nEXTRAS = {'tests': ['pytest', 'six'], 'lint': []}\n"
            "EXTRAS['dev'] = EXTRAS['tests'] + EXTRAS['lint']\n"
            "setup(name='computed19', version='1.0', py_modules=['computed19'], extras_require=EXTRAS)\n",
            "computed19.py": "VALUE = 1\n",
            "test_computed19.py": "import pytest, six, computed19\n\n\ndef test_computed19():\n"
            "    assert int(pytest.__version__.split('.')[0]) >= 7, pytest.__version__\n"
            "    assert six.__version__ == '1.12.0' and computed19.VALUE == 1\n",
        },
    )
    output, versions, notes, _ = _run(repo, rfsn_home, "commit", built, python="3.11")
    assert "1 passed" in output, output
    assert versions.split()[2] == "22.3.1", versions  # pip: its first release after 3.11's day
    assert "pytest, py and what they require: as PyPI had them before 2022-10-" in notes, notes
    assert "requirements its metadata compute: resolved by pip in the build" in notes, notes
