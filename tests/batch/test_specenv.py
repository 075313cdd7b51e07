"""rfsn's pytest command for a spec whose runner is pytest runs the code the spec's own
``test_cmd`` runs (real pytest runs, graded as the harness's log parser reads the spec's)."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.python.swebench import specs, upstream
from rfsn.buildpacks.python.swebench.specpytest import SpecBuildpack, running_options
from rfsn.buildpacks.python.swebench.upstream import harness_statuses
from rfsn.models import TestStatus as S

pytest.importorskip("swebench")

#: a report-header hook that leaves DeprecationWarning an error, as astropy 3.1's does (its
#: ``ignore_warnings`` exits into ``treat_deprecations_as_exceptions``); the ini turns pytest's
#: own warnings capture off, as astropy's setup.cfg does
CONFTEST = (
    "import warnings\n\n\ndef pytest_report_header(config):\n"
    "    warnings.simplefilter('error', DeprecationWarning)\n    return 'header'\n"
)
INI = "[pytest]\naddopts = -p no:warnings\n"
TEST = "import warnings\n\n\ndef test_warns():\n    warnings.warn('old', DeprecationWarning)\n"


@pytest.mark.parametrize(("test_cmd", "status"), [("pytest -rA", S.FAILED), ("pytest --no-header -rA", S.PASSED)])
def test_astropy_8707_a_report_header_hook_runs_where_the_specs_test_cmd_runs_it(
    tmp_path: Path, test_cmd: str, status: S
) -> None:
    """The header's hooks run code, so rfsn's run has a header exactly when the spec's command
    does: the harness's ``pytest -rA`` errs every nose-style test of astropy 3.1's test_header.py
    (astropy__astropy-8707, its header hook makes pytest's deprecation of ``setup(self)`` an
    error), where the dataset's lists came from ``pytest --no-header``."""
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "pytest.ini").write_text(INI)
    (tmp_path / "test_gen.py").write_text(TEST)
    (tmp_path / "report").mkdir()
    parser = upstream.log_parser("astropy/astropy")
    pack = SpecBuildpack(
        {"test_cmd": test_cmd}, specs.render_recipe({"python": "3.11"}, registry=False), parser, "astropy__astropy-1"
    )
    argv = pack.test_command(["test_gen.py"], str(tmp_path / "report"))
    assert argv[0] == "python"
    ours = subprocess.run(
        [sys.executable, *argv[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    graded = pack.parse(ours.stdout + ours.stderr, {"junit.xml": (tmp_path / "report/junit.xml").read_text()})
    theirs = subprocess.run(
        [sys.executable, "-m", *shlex.split(test_cmd), "test_gen.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert harness_statuses(parser, theirs.stdout, "astropy__astropy-1") == {"test_gen.py::test_warns": status}
    assert graded == {"test_gen.py::test_warns": status}


def test_only_the_options_that_decide_what_runs_are_carried_and_none_twice() -> None:
    ours = ["python", "-m", "pytest", "-p", "no:cacheprovider", "-rA"]
    assert running_options("pytest --no-header -rA --tb=no -p no:cacheprovider -p no:nose", ours) == [
        "--no-header",
        "-p",
        "no:nose",
    ]
    assert running_options("pytest -rA -vv -o console_output_style=classic --tb=no", ours) == []
    assert running_options("pytest -rA 'unclosed", ours) == []
