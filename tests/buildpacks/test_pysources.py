"""Where projects declare their test requirements, read from the file shapes they write."""

from __future__ import annotations

import textwrap
from pathlib import Path

from rfsn.buildpacks.python import ciinstalls, pydeps, pynox, pysources
from rfsn.buildpacks.python.buildpack import PythonBuildpack


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


#: a tox.ini of the 2019 kind: an envlist with braces, factor-conditional deps, a shared deps
#: section referenced from another env, a -r include
TOX_INI = """
    [tox]
    envlist = py{27,36,37}-django{111,22}, flake8

    [base]
    deps =
        pytest>=4
        -r{toxinidir}/requirements/test.txt

    [testenv]
    deps =
        {[base]deps}
        mock
        py27: funcsigs
        py37,py38: pytest-asyncio
        !py27: trustme
        django111: Django>=1.11,<2.0
    commands = pytest {posargs}

    [testenv:py37]
    deps = {[testenv]deps}
        pytest-xdist

    [testenv:flake8]
    deps = flake8
"""


def test_tox_deps_for_the_chosen_python_with_factors_references_and_includes(tmp_path: Path) -> None:
    repo = make(tmp_path, {"tox.ini": TOX_INI, "requirements/test.txt": "hypothesis\n"})
    found = pysources.tox_deps(repo, "3.7", set())
    names = [pydeps.requirement_name(r) for r, _ in found]
    assert set(names) == {"pytest", "hypothesis", "mock", "pytest-asyncio", "trustme", "pytest-xdist"}
    assert ("hypothesis", "requirements/test.txt") in found
    assert ("mock", "tox.ini [testenv] deps") in found
    on_27 = {pydeps.requirement_name(r) for r, _ in pysources.tox_deps(repo, "2.7", set())}
    assert "funcsigs" in on_27 and "trustme" not in on_27 and "pytest-xdist" not in on_27


def test_tests_require_in_setup_py_and_setup_cfg(tmp_path: Path) -> None:
    """The test-only dependency a 2019 project declares outside install_requires (issue 45)."""
    repo = make(
        tmp_path / "py",
        {
            "setup.py": """
        from setuptools import setup
        setup(name="demo", install_requires=["requests"], tests_require=["pytest", "responses>=0.10"])
    """
        },
    )
    assert ("responses>=0.10", "setup.py tests_require") in pydeps.declared(repo)
    repo = make(
        tmp_path / "cfg",
        {
            "setup.cfg": """
        [metadata]
        name = demo
        [options]
        install_requires = requests
        tests_require =
            pytest
            freezegun
    """
        },
    )
    assert ("freezegun", "setup.cfg tests_require") in pydeps.declared(repo)


def test_tests_require_of_a_dict_spread_into_setup_is_read_requests_oauthlib_5932117(tmp_path: Path) -> None:
    """``setup(**settings)`` whose module-level dict is filled by ``dict()``, ``.update(...)``
    and an item assignment: its literal entries count as setup's arguments (``mock`` was missing)."""
    repo = make(
        tmp_path / "py",
        {
            "setup.py": """
        from setuptools import setup
        settings = dict()
        settings.update(name="demo", install_requires=["requests"], tests_require=["mock"])
        settings.update({"extras_require": {"test": ["pytest"]}})
        settings["setup_requires"] = ["wheel"]
        other = {"tests_require": ["nose"]}
        setup(**settings)
    """
        },
    )
    found = pydeps.declared(repo)
    assert ("mock", "setup.py tests_require") in found and ("wheel", "setup.py setup_requires") in found
    assert ("pytest", "setup.py test extras") in found and all(r != "nose" for r, _ in found)


def test_setup_requires_are_in_the_environment(tmp_path: Path) -> None:
    """What setup.py needs to run at all (setuptools-scm for its version) is installed before
    the project: offline, ``pip install -e .`` cannot fetch it, and the project was not
    importable in its own test run (prettytable 2022: ``No module named 'prettytable'``)."""
    repo = make(
        tmp_path / "cfg",
        {
            "setup.cfg": "[metadata]\nname = demo\n[options]\nsetup_requires =\n    setuptools-scm\n",
            "setup.py": "from setuptools import setup\nsetup()\n",
        },
    )
    assert ("setuptools-scm", "setup.cfg setup_requires") in pydeps.declared(repo)
    repo = make(
        tmp_path / "py",
        {"setup.py": "from setuptools import setup\nsetup(name='demo', setup_requires=['pytest-runner'])\n"},
    )
    assert ("pytest-runner", "setup.py setup_requires") in pydeps.declared(repo)


def test_pipfile_packages_and_dev_packages_without_a_lock(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            "Pipfile": """
        [[source]]
        url = "https://pypi.org/simple"
        name = "pypi"

        [packages]
        requests = "*"
        attrs = ">=19.1"
        local = {path = ".", editable = true}

        [dev-packages]
        pytest = {version = "==4.6.3"}
        pytest-cov = "*"
    """
        },
    )
    assert pysources.pipfile(repo) == [
        ("requests", "Pipfile [packages]"),
        ("attrs>=19.1", "Pipfile [packages]"),
        ("pytest==4.6.3", "Pipfile [dev-packages]"),
        ("pytest-cov", "Pipfile [dev-packages]"),
    ]


def test_a_pipfile_package_s_extras_are_installed_aiobotocore_2020(tmp_path: Path) -> None:
    """aiobotocore (2020) declares ``moto = {extras = ["server"], version = "==1.3.14"}``; without
    the extra, moto's server (flask) was missing and the bug's environment was reported broken."""
    pipfile = '[dev-packages]\nmoto = {extras = ["server"], version = "==1.3.14"}\nx = {extras = ["a", "b"]}\n'
    repo = make(tmp_path, {"Pipfile": pipfile})
    assert pysources.pipfile(repo) == [
        ("moto[server]==1.3.14", "Pipfile [dev-packages]"),
        ("x[a,b]", "Pipfile [dev-packages]"),
    ]


WORKFLOW = """
    name: tests
    on: [push, pull_request]
    jobs:
      test:
        runs-on: ubuntu-latest
        strategy:
          matrix:
            python-version: [3.8, 3.9, "3.10"]
        steps:
          - uses: actions/checkout@v3
          - uses: actions/setup-python@v4
            with:
              python-version: ${{ matrix.python-version }}
          - name: deps
            run: |
              python -m pip install --upgrade pip wheel
              pip install -e .[tests] -r requirements/ci.txt
              pip install "pytest-mock>=3" coverage  # for the report
          - run: pytest
"""
TRAVIS = """
    language: python
    python:
      - "2.7"
      - "3.6"
      - 3.7
    install:
      - pip install tox-travis codecov
    script: tox
"""


def test_ci_pip_install_lines(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            ".github/workflows/tests.yml": WORKFLOW,
            ".travis.yml": TRAVIS,
            "requirements/ci.txt": "pytest-timeout\nyarl\n",
            "tests/test_a.py": "import coverage\nfrom yarl import URL\n",
        },
    )
    found, extras = ciinstalls.ci_installs(repo, set())
    assert [r for r, _ in found] == ["pytest-timeout", "yarl", "pytest-mock>=3", "coverage"]
    assert ("coverage", ".github/workflows/tests.yml pip install") in found
    assert extras == {"tests"}  # pip install -e .[tests]


def test_circleci_pip_install_lines_count_too_tabulate_2020(tmp_path: Path) -> None:
    """tabulate 2020's pandas test was skipped, gold "unresolved": its CircleCI job installs
    `.circleci/requirements.txt` (numpy, pandas) and runs `tox -e py38-extra`; tox's default
    environments install pytest only."""
    circle = (
        "version: 2\njobs:\n  build:\n    steps:\n      - run:\n          command: |\n"
        "            pip install -r .circleci/requirements.txt\n            tox -e py38-extra\n"
    )
    repo = make(
        tmp_path,
        {
            ".circleci/config.yml": circle,
            ".circleci/requirements.txt": "pytest\ntox\nnumpy\npandas\n",
            "test/test_output.py": "import pandas\n",
        },
    )
    found, _ = ciinstalls.ci_installs(repo, set())
    assert [r for r, _ in found] == ["pytest", "numpy", "pandas"]


def test_ci_only_tools_are_not_test_requirements(tmp_path: Path) -> None:
    """What a CI workflow installs counts as a test requirement unless it is a tool CI runs around
    the tests (a module the project imports always counts). The tools do not (codecov and coveralls,
    deleted from PyPI or of no era's index,
    failed whole environments of the history corpus: tomlkit 2021, toolz 2019, sqlparse 2022)."""
    repo = make(
        tmp_path,
        {
            ".travis.yml": "install:\n  - pip install codecov coveralls tox flake8 twine pyyaml python-dateutil "
            "pytest-cov hypothesis nose\n",
            "pkg/core.py": "import yaml\n",
            "tests/conftest.py": "from dateutil import tz\n",
            "tests/test_a.py": "from hypothesis import given\n",
            "setup.py": "import twine\n",
            "docs/conf.py": "import flake8\n",
        },
    )
    assert [r for r, _ in ciinstalls.ci_installs(repo, set())[0]] == [
        "pyyaml",
        "python-dateutil",
        "pytest-cov",
        "hypothesis",
        "nose",
    ]
    assert ciinstalls.used_by_tests("PyYAML>=5; python_version > '3'", {"yaml"})
    assert not ciinstalls.used_by_tests("codecov==2.1.8", {"yaml", "codecov_helpers"})


def test_ci_packages_whose_module_has_another_name_are_test_requirements(tmp_path: Path) -> None:
    """A distribution's modules are not known before it is installed: CI's Pillow (``PIL``),
    beautifulsoup4 (``bs4``), scikit-learn (``sklearn``) and attrs (``attr``) were dropped when
    only a package named as an imported module was kept (found in review)."""
    repo = make(
        tmp_path,
        {
            ".github/workflows/ci.yml": "jobs:\n  test:\n    steps:\n"
            "      - run: pip install Pillow beautifulsoup4 scikit-learn attrs codecov black\n"
            "      - run: python -m pytest\n",
            "tests/test_a.py": "import PIL\nimport bs4\nimport sklearn\nimport attr\n",
        },
    )
    assert [r for r, _ in ciinstalls.ci_installs(repo, set())[0]] == [
        "Pillow",
        "beautifulsoup4",
        "scikit-learn",
        "attrs",
    ]


def test_ci_extras_come_only_from_the_jobs_that_run_the_tests(tmp_path: Path) -> None:
    """``pip install -e .[docs]`` in a docs job made the docs extra a test extra (found in
    review): the project's extras a CI job names count only in a job that runs the tests."""
    workflow = """
        name: ci
        on: [push]
        jobs:
          docs:
            runs-on: ubuntu-latest
            steps:
              - run: pip install -e .[docs]
              - run: sphinx-build docs out
          tests:
            runs-on: ubuntu-latest
            steps:
              - name: Install
                run: |
                  pip install -e .[testing]
              - name: Test
                run: coverage run -m pytest tests
    """
    repo = make(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow,
            ".travis.yml": ("install:\n  - pip install .[speedups]\nscript:\n  - python -m unittest discover\n"),
            "setup.py": (
                "from setuptools import setup\n"
                "setup(name='d', extras_require={'docs': ['sphinx'], 'testing': ['mock'],\n"
                "      'speedups': ['ujson']})\n"
            ),
        },
    )
    assert ciinstalls.ci_installs(repo, set())[1] == {"testing", "speedups"}
    names = {r for r, _ in pydeps.declared(repo)}
    assert {"mock", "ujson"} <= names and "sphinx" not in names


NOXFILE = """
    import nox

    TEST_DEPS = ["pytest-xdist", "freezegun"]

    @nox.session(python=["3.7", "3.8"])
    def tests(session):
        session.install("coverage<5.0.0", "pretend", "pytest", "pip>=9.0.2")
        session.install(*TEST_DEPS)
        session.install("-r", "requirements/extra.txt", "-e", ".[toml]")
        session.run("python", "-m", "pip", "install", "trustme")
        session.run("pytest", *session.posargs)

    @nox.session
    def check(session):
        deps = ("mock",)
        session.install(".[yaml]", *deps)
        session.run("python", "-m", "unittest")

    @nox.session(python="3.8")
    def lint(session):
        session.install("pre-commit", "flake8")
        session.run("pre-commit", "run", "--all-files")

    def helper(session):
        session.install("sphinx")
"""


def test_nox_test_sessions_installs_are_read_never_run(tmp_path: Path) -> None:
    """A noxfile's test sessions declare the tests' requirements (packaging 2020 needs
    ``pretend`` only from there); the file is read with ``ast``: the code it holds never runs."""
    repo = make(
        tmp_path, {"noxfile.py": NOXFILE + "    open('ran', 'w').write('x')\n", "requirements/extra.txt": "attrs>=19\n"}
    )
    found, extras = pynox.nox_installs(repo, set())
    assert [r for r, _ in found] == [
        "coverage<5.0.0",
        "pretend",
        "pytest",
        "pytest-xdist",
        "freezegun",
        "attrs>=19",
        "trustme",
        "mock",
    ]
    assert ("pretend", "noxfile.py session tests") in found
    assert ("attrs>=19", "requirements/extra.txt") in found
    assert extras == {"toml", "yaml"}
    assert not (repo / "ran").exists()


def test_the_extras_nox_installs_the_project_with_are_its_test_requirements(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            "noxfile.py": NOXFILE,
            "setup.py": (
                "from setuptools import setup\nsetup(name='d', install_requires=['six'],\n"
                "      extras_require={'toml': ['tomli'], 'yaml': ['pyyaml'], 'docs': ['sphinx']})\n"
            ),
        },
    )
    names = {r for r, _ in pydeps.declared(repo)}
    assert {"tomli", "pyyaml", "pretend", "six"} <= names
    assert not {"sphinx", "pre-commit", "flake8", "pip>=9.0.2"} & names


def test_a_nox_session_is_a_test_session_by_its_name_or_the_program_it_runs(tmp_path: Path) -> None:
    """``session.run("flake8", "src", "tests")`` made a lint session a test session, and its
    flake8, black and codecov test requirements (found in review): a session runs the tests when
    its name says so or the program a ``session.run`` starts is a test runner; what a test
    session installs passes CI's filter."""
    repo = make(
        tmp_path,
        {
            "noxfile.py": """
        import nox

        @nox.session
        def lint(session):
            session.install("flake8", "black", "isort")
            session.run("flake8", "src", "tests")
            session.run("black", "--check", "tests")

        @nox.session
        def cover(session):
            session.install("Pillow", "codecov")
            session.run("coverage", "run", "-m", "pytest", "tests")
            session.run("codecov")

        @nox.session
        def docs(session):
            session.install("-e", ".[docs]", "sphinx")
            session.run("sphinx-build", "docs", "docs/_build/test")
    """
        },
    )
    found, extras = pynox.nox_installs(repo, set())
    assert found == [("Pillow", "noxfile.py session cover")]
    assert extras == set()


def test_a_noxfile_that_does_not_parse_gives_nothing(tmp_path: Path) -> None:
    repo = make(tmp_path, {"noxfile.py": "print 'python 2'\n"})
    assert pynox.nox_installs(repo, set()) == ([], set())


def test_requirement_files_by_the_names_projects_give_them(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            "requirements/test-py3.txt": "nose\n",
            "requirements-testing.txt": "mock\n",
            "tests/requirements.txt": "pyfakefs\n",
            "docs/requirements.txt": "sphinx\n",
        },
    )
    names = {r for r, _ in pysources.requirement_files(repo, set())}
    assert names == {"nose", "mock", "pyfakefs"}  # docs' requirements are not the tests'


def test_test_requirements_with_an_underscore_are_read_s3fs_2021(tmp_path: Path) -> None:
    """s3fs (2021) declares its test requirements in ``test_requirements.txt``; unread, its tests
    could not import ``requests`` (moto's) and the bug's environment was reported broken."""
    repo = make(tmp_path, {"test_requirements.txt": "moto>=2.0.0\nflask\n", "dev_requirements.txt": "black\n"})
    found = pysources.requirement_files(repo, set())
    assert ("moto>=2.0.0", "test_requirements.txt") in found
    assert {r for r, _ in found} == {"moto>=2.0.0", "flask", "black"}


def test_an_include_that_leaves_the_repository_is_never_read(tmp_path: Path) -> None:
    """A path built from a repository stays under it: ``-r ../secret.txt`` (or an absolute path,
    or a link out) in a test requirements file made the secret's lines requirements, installed
    with network and written into the session report (found in review)."""
    (tmp_path / "secret.txt").write_text("secrettoken123\n")
    repo = make(
        tmp_path / "repo",
        {
            "requirements-dev.txt": f"pytest\n-r ../secret.txt\n-r {tmp_path}/secret.txt\n",
            "tox.ini": "[testenv]\ndeps = -r../secret.txt\n",
        },
    )
    (repo / "test-requirements.txt").symlink_to(tmp_path / "secret.txt")
    names = {r for r, _ in pysources.requirement_files(repo, set())}
    assert names == {"pytest"}
    recipe = PythonBuildpack().env_recipe(repo)
    assert "secrettoken123" not in " ".join(recipe.steps) + " ".join(recipe.notes)


def test_the_recipe_says_where_each_requirement_comes_from(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        {
            "tox.ini": "[testenv]\ndeps = mock\n",
            "setup.py": "from setuptools import setup\nsetup(name='d', tests_require=['nose'])\n",
        },
    )
    notes = PythonBuildpack().env_recipe(repo).notes
    assert "requirements from setup.py tests_require: nose; tox.ini [testenv] deps: mock" in notes
