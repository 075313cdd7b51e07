"""A test's id names its file from where rfsn runs pytest, also where an ini file beside the tests
makes their folder pytest's rootdir: an id can always be passed back to pytest."""

from __future__ import annotations

from pathlib import Path

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.pyoptions import PytestFeatures
from rfsn.buildpacks.python.swebench import specs
from rfsn.buildpacks.python.swebench.specpytest import SpecBuildpack
from rfsn.models import TestStatus as Status
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings
from tests.sandbox.projects import make_project

TESTS = {
    "tests/pytest.ini": "[pytest]\n",
    "tests/test_console.py": "def test_export_html():\n    pass\n\n\ndef test_save_html():\n    assert 0\n",
}


def test_a_selected_file_under_an_ini_of_its_own_is_named_from_the_repository_rich_60fde2a(tmp_path: Path) -> None:
    """rich keeps its pytest.ini in tests/: a run of tests/test_console.py named its tests
    `test_console.py::...` (pytest's rootdir was tests/), and those ids, passed back to pytest
    from the repository, stopped it with "file not found"."""
    repo = make_project(tmp_path / "p", TESTS)
    pack = PythonBuildpack()
    with open_sandbox(repo, pack, load_settings(), "local") as box:
        report = run_tests(box, pack, ["tests/test_console.py"], timeout=300)
        assert report.tests == {
            "tests/test_console.py::test_export_html": Status.PASSED,
            "tests/test_console.py::test_save_html": Status.FAILED,
        }, report.log[-2000:]
        again = run_tests(box, pack, ["tests/test_console.py::test_export_html"], timeout=300)
    assert again.tests == {"tests/test_console.py::test_export_html": Status.PASSED}, again.log[-2000:]


def test_the_rootdir_goes_to_a_pytest_that_has_the_option_and_not_to_a_harness_spec() -> None:
    """``--rootdir`` came with pytest 3.5; a spec's harness names tests as its own pytest run does."""
    pack = PythonBuildpack()
    pack.pytest = PytestFeatures(version=(3, 5, 0))
    assert "--rootdir=." in pack.test_command(["tests/test_a.py"], "/r")
    pack.pytest = PytestFeatures(version=(3, 4, 2))
    assert not any(a.startswith("--rootdir") for a in pack.test_command(["tests/test_a.py"], "/r"))
    spec = SpecBuildpack({"test_cmd": "pytest -rA"}, specs.render_recipe({"python": "3.11"}, registry=False))
    assert not any(a.startswith("--rootdir") for a in spec.test_command(["tests/test_a.py"], "/r"))
