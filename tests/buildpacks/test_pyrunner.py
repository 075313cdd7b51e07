"""A project's tests run when pytest's patterns miss them: the patterns of the runner it
declares (issue 45: a nose-era layout of ``tests_*.py`` files, "no tests found"), and a file
a user named beside a folder that holds it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.python import ciinstalls
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.pyrunner import pytest_option, runner_patterns, uncollected_patterns
from rfsn.sandbox.fake import FakeSandbox, Reply


def _repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.mark.parametrize(
    ("files", "patterns"),
    [
        ({"tox.ini": "[testenv]\ncommands = python -m unittest discover -s tests -p '*_tests.py'\n"}, ("*_tests.py",)),
        ({"Makefile": "test:\n\tpython -m unittest discover --pattern=check_*.py\n"}, ("check_*.py",)),
        ({".github/workflows/ci.yml": "run: python -m unittest discover tests\n"}, ("test*.py",)),
        ({"setup.cfg": "[nosetests]\nverbosity = 2\n"}, ("test*.py", "*_test*.py")),
        ({"setup.py": "setup(name='x', test_suite='tests')\n"}, ("test*.py",)),
    ],
)
def test_the_declared_runner_gives_its_file_patterns(
    tmp_path: Path, files: dict[str, str], patterns: tuple[str, ...]
) -> None:
    assert runner_patterns(_repo(tmp_path, files)) == patterns


def test_the_runners_patterns_only_where_pytests_match_no_file(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"tests/tests_mod.py": "", "setup.py": ""})
    assert uncollected_patterns(repo, ["test_*.py", "*_test.py"]) == ("test*.py",)
    (repo / "tests" / "test_other.py").write_text("")
    assert uncollected_patterns(repo, ["test_*.py", "*_test.py"]) == ()


def test_a_pytest_configuration_is_read_where_pytest_reads_it(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path, {"setup.cfg": "[tool:pytest]\npython_files = check_*.py\n", "tox.ini": "[tox]\nenvlist = py\n"}
    )
    assert pytest_option(repo, "python_files") == ["check_*.py"]
    (repo / "pyproject.toml").write_text("[tool.pytest.ini_options]\ntestpaths = ['t']\n")
    assert pytest_option(repo, "python_files") == []  # pyproject comes first: pytest reads only it
    (repo / "pytest.ini").write_text("")
    assert pytest_option(repo, "testpaths") == []


def test_a_named_file_beside_its_folder_is_collected_by_real_pytest(tmp_path: Path) -> None:
    """pytest collects a file named on its command line only by the folder's patterns when the
    folder is named too (as the whole suite names it): the patterns take the file in."""
    repo = _repo(
        tmp_path,
        {"tests/test_other.py": "def test_other():\n    pass\n", "tests/tests_mod.py": "def test_add():\n    pass\n"},
    )
    pack = PythonBuildpack()
    pack.collect(repo)
    assert pack.python_files == ()  # pytest's patterns find tests: the project's own stand
    pack.collect(repo, ["tests/tests_mod.py"])
    argv = pack.test_command([], str(tmp_path / "report"))
    done = subprocess.run(
        [sys.executable, *argv[1:], "--collect-only", "-q", "-p", "no:randomly"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "tests/tests_mod.py::test_add" in done.stdout, done.stdout + done.stderr
    assert "tests/test_other.py::test_other" in done.stdout


def test_a_project_that_sets_its_python_files_keeps_them(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"pytest.ini": "[pytest]\npython_files = check_*.py\n", "tests/tests_mod.py": ""})
    pack = PythonBuildpack()
    pack.collect(repo)
    assert pack.python_files == ()
    pack.collect(repo, ["tests/tests_mod.py"])
    assert pack.python_files == ("check_*.py", "tests/tests_mod.py")


def test_a_named_file_outside_the_projects_testpaths_joins_them_for_real_pytest(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        {
            "pytest.ini": "[pytest]\ntestpaths = tests\n",
            "tests/test_other.py": "def test_other():\n    pass\n",
            "checks/tests_mod.py": "def test_add():\n    pass\n",
        },
    )
    pack = PythonBuildpack()
    pack.collect(repo, ["checks/tests_mod.py"])
    assert pack.testpaths == ("tests", "checks/tests_mod.py")
    argv = pack.test_command([], str(tmp_path / "report"))
    done = subprocess.run(
        [sys.executable, *argv[1:], "--collect-only", "-q"], cwd=repo, capture_output=True, text=True, timeout=120
    )
    assert "checks/tests_mod.py::test_add" in done.stdout, done.stdout + done.stderr
    assert "tests/test_other.py::test_other" in done.stdout
    pack.collect(repo, ["tests/tests_x.py"])  # inside them: its patterns take it in
    assert pack.testpaths == ("tests", "checks/tests_mod.py")


_DOCKER_PY_CI = """
jobs:
  unit-tests:
    steps:
      - name: Run unit tests
        run: |
          docker logout
          py.test -v --cov=docker tests/unit
  integration-tests:
    steps:
      - run: make integration-dind
"""


def test_without_testpaths_the_suite_is_what_cis_pytest_runs_name_docker_py_2026(tmp_path: Path) -> None:
    """docker-py 2026: CI runs ``py.test tests/unit`` on the runner and its integration tests
    through make, against a Docker daemon; rfsn collected the whole checkout and 396 integration
    tests errored for want of a daemon. Without ``testpaths`` of its own, a project's suite is
    the paths CI's pytest runs name; a file named outside them joins them."""
    repo = _repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": _DOCKER_PY_CI,
            "tests/unit/test_api.py": "def test_api():\n    pass\n",
            "tests/integration/test_daemon.py": "def test_daemon():\n    raise OSError('no daemon')\n",
        },
    )
    assert ciinstalls.ci_testpaths(repo) == ["tests/unit"]
    pack = PythonBuildpack()
    pack.collect(repo)
    argv = pack.test_command([], str(tmp_path / "report"))
    done = subprocess.run(
        [sys.executable, *argv[1:], "--collect-only", "-q"], cwd=repo, capture_output=True, text=True, timeout=120
    )
    assert "tests/unit/test_api.py::test_api" in done.stdout, done.stdout + done.stderr
    assert "test_daemon" not in done.stdout
    pack.collect(repo, ["tests/integration/test_daemon.py"])
    assert pack.testpaths == ("tests/unit", "tests/integration/test_daemon.py")


@pytest.mark.parametrize(
    ("runs", "paths"),
    [
        (
            ["pytest websocket/tests -v -r f", "pytest ./docs/source --doctest-modules"],
            ["websocket/tests", "docs/source"],
        ),
        (["python -m pytest tests/unit", "pytest"], []),  # one runs the whole suite
        (["pytest tests/unit", "tox -e py"], []),  # tox's commands name their own
        (["pytest tests/unit", "pytest ."], []),
        (["coverage run -m pytest tests/unit::test_a missing/ && coverage report"], ["tests/unit"]),
    ],
)
def test_ci_testpaths_only_where_every_test_command_names_paths(
    tmp_path: Path, runs: list[str], paths: list[str]
) -> None:
    steps = "".join(f"      - run: {run}\n" for run in runs)
    files = {".github/workflows/ci.yml": f"jobs:\n  test:\n    steps:\n{steps}"}
    repo = _repo(
        tmp_path, {**files, **{f"{p}/test_x.py": "" for p in ("tests/unit", "websocket/tests", "docs/source")}}
    )
    assert ciinstalls.ci_testpaths(repo) == paths


def test_pexpect_2022_an_option_s_value_in_ci_s_pytest_command_is_no_test_path(tmp_path: Path) -> None:
    """pexpect's ``py.test --cov pexpect --cov-config .coveragerc``: both values exist in the tree;
    taken as paths, pytest stopped with "found no collectors for /testbed/.coveragerc"."""
    files = {
        ".travis.yml": "script:\n  - py.test --cov pexpect --cov-config .coveragerc\n",
        ".coveragerc": "[run]\n",
        "pexpect/__init__.py": "",
        "tests/test_x.py": "",
    }
    assert ciinstalls.ci_testpaths(_repo(tmp_path, files)) == []
    files[".travis.yml"] = "script:\n  - py.test -k 'not slow' --cov pexpect tests\n"
    assert ciinstalls.ci_testpaths(_repo(tmp_path / "named", files)) == ["tests"]


_PER_PYTHON_TOX = """[tox]
envlist = py310, py311, py312
[testenv]
commands =
    {envpython} -m pip install .
    py310: {envpython} py3.10/pkg/tests/__main__.py
    py311: {envpython} py3.11/pkg/tests/__main__.py
    py312: {envpython} py3.12/pkg/tests/__main__.py
"""


def test_the_suite_is_the_tree_tox_tests_for_the_running_python_multiprocess_2022(tmp_path: Path) -> None:
    """multiprocess 2022: a copy of the package and its tests per Python (``py3.10/``,
    ``py3.11/``, ...), and tox runs only the running Python's (``py311: {envpython}
    py3.11/multiprocess/tests/__main__.py``); rfsn collected every copy, and 47 of 86 tests were
    collection errors of the other Pythons' trees (at HEAD the run passed 900 s). Without
    ``testpaths`` of its own or CI's, the suite is what tox's env for the running Python tests."""
    files = {"tox.ini": _PER_PYTHON_TOX}
    for python in ("3.10", "3.11", "3.12"):
        files[f"py{python}/pkg/tests/test_x.py"] = f"def test_on_{python.replace('.', '_')}():\n    pass\n"
    repo = _repo(tmp_path, files)
    versions = json.dumps({"pytest": "8.0.0", "python": "3.11.4"})
    box = FakeSandbox(repo, {("python", "-c"): Reply(0, versions), ("python", "-m"): Reply(0, "pytest 8.0.0")})
    pack = PythonBuildpack()
    pack.fit(box)
    box.close()
    assert pack.testpaths == ("py3.11/pkg/tests",)
    argv = pack.test_command([], str(tmp_path / "report"))
    done = subprocess.run(
        [sys.executable, *argv[1:], "--collect-only", "-q"], cwd=repo, capture_output=True, text=True, timeout=120
    )
    assert "test_on_3_11" in done.stdout, done.stdout + done.stderr
    assert "test_on_3_10" not in done.stdout and "test_on_3_12" not in done.stdout


@pytest.mark.parametrize(
    ("commands", "paths"),
    [
        ("py311: pytest tests/unit {posargs}\npy310: pytest tests/old", ["tests/unit"]),
        ("pytest tests/unit\npy311: pytest", []),  # one runs the whole suite
        ("{envpython} -m pip install .\nflake8 src", []),  # none runs tests
        ("python tools/__main__.py", []),  # no test folder's
    ],
)
def test_tox_testpaths_only_where_every_test_command_of_the_env_names_some(
    tmp_path: Path, commands: str, paths: list[str]
) -> None:
    body = "".join(f"    {line}\n" for line in commands.splitlines())
    files = {"tox.ini": f"[testenv]\ncommands =\n{body}", "tests/unit/test_x.py": "", "tests/old/test_y.py": ""}
    assert ciinstalls.tox_testpaths(_repo(tmp_path, {**files, "tools/__main__.py": ""}), "3.11") == paths


def test_tox_testpaths_never_name_a_folder_outside_the_project(tmp_path: Path) -> None:
    """A tox command's test folder is the project's words: one outside its tree is not a test path."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__main__.py").write_text("")
    repo = _repo(tmp_path / "p", {"tox.ini": "[testenv]\ncommands =\n    python ../tests/__main__.py\n"})
    assert ciinstalls.tox_testpaths(repo, "3.11") == []
