"""The ids rfsn grades are the ids the repository's SWE-bench log parser reads from the same run.

Each test runs pytest for real (rfsn's command for a spec whose runner is pytest: ``-rA`` and a
junit report) on a generated test module whose ids a parser rewrites, then checks that the
statuses rfsn grades are keyed exactly as the parser keys them, each with its junit status.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.batch.harness.grading import trusted_statuses
from rfsn.buildpacks.python.swebench import specs, upstream
from rfsn.buildpacks.python.swebench.specpytest import SpecBuildpack
from rfsn.buildpacks.python.swebench.upstream import harness_statuses
from rfsn.models import TestReport
from rfsn.models import TestStatus as S

pytest.importorskip("swebench")


Ran = dict[tuple[str, ...], tuple[str, int, str]]


def _run(root: Path, repo: str, source: str, ran: Ran | None = None) -> tuple[SpecBuildpack, TestReport]:
    """A real pytest run of ``source`` as rfsn runs a spec whose ``test_cmd`` is pytest, read by
    ``repo``'s log parser; with ``ran``, the run of a source and command already run is read again
    (the repositories of one parser run the same command: only the reading differs)."""
    pack = SpecBuildpack(
        {},
        specs.render_recipe({"python": "3.11"}, registry=False),
        upstream.log_parser(repo),
        f"{repo.replace('/', '__')}-1",
    )
    argv = pack.test_command(["tests/test_gen.py"], str(root / "report"))
    assert argv[0] == "python"
    key, ran = (source, *argv), {} if ran is None else ran
    if key not in ran:
        (root / "tests").mkdir(exist_ok=True)
        (root / "tests/test_gen.py").write_text(source)
        (root / "report").mkdir(exist_ok=True)
        done = subprocess.run(
            [sys.executable, *argv[1:]], cwd=root, capture_output=True, text=True, timeout=300, check=False
        )
        ran[key] = (done.stdout + done.stderr, done.returncode, (root / "report/junit.xml").read_text())
    output, exit_code, junit = ran[key]
    statuses = pack.parse(output, {"junit.xml": junit})
    return pack, TestReport(tests=statuses, exit_code=exit_code, log=output)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Ran]:
    """One root and the runs made in it, for the cases of a module that run the same source."""
    return tmp_path_factory.mktemp("shared"), {}


def _graded(pack: SpecBuildpack, report: TestReport) -> dict[str, S]:
    statuses, distrust = trusted_statuses(report, pack.harness_named(report))
    assert not distrust, distrust
    return statuses


def _parsers(pack: SpecBuildpack, report: TestReport) -> dict[str, S]:
    assert pack.parser is not None
    return harness_statuses(pack.parser, report.log, pack.instance_id)


PATHS = """\
import pytest


class TestExtractZippedPaths:
    @pytest.mark.parametrize("path", [{here!r}, "/etc/invalid/location", "//share/x", "rel/a.py"])
    def test_unzipped_paths_unchanged(self, path):
        assert path


def test_fails():
    assert 1 == 2
"""


@pytest.mark.parametrize("repo", ["psf/requests", "pylint-dev/pylint", "pydicom/pydicom"])
def test_a_path_parameter_is_graded_by_its_last_component_as_parse_log_pytest_options_names_it(
    shared: tuple[Path, Ran], repo: str
) -> None:
    # requests' PASS_TO_PASS holds TestExtractZippedPaths::test_unzipped_paths_unchanged[/test_utils.py]
    # where rfsn read [/testbed/tests/test_utils.py], and graded the gold patch unresolved
    root, ran = shared
    pack, report = _run(root, repo, PATHS.format(here=str(root / "tests/test_utils.py")), ran)
    graded = _graded(pack, report)
    assert graded == _parsers(pack, report)
    case = "tests/test_gen.py::TestExtractZippedPaths::test_unzipped_paths_unchanged"
    assert {t for t in graded if t.startswith(case)} == {
        f"{case}[/test_utils.py]",
        f"{case}[/location]",
        f"{case}[//share/x]",
        f"{case}[rel/a.py]",
    }
    assert graded["tests/test_gen.py::test_fails"] is S.FAILED


WHITESPACE = """\
import pytest


@pytest.mark.parametrize("x", ["a b", "c - d"])
def test_spaced(x):
    assert x.startswith("a")


@pytest.mark.xfail(reason="known")
def test_xfail():
    assert False


@pytest.mark.xfail(reason="unknown")
def test_xpass():
    assert True


def test_plain():
    pass
"""


@pytest.mark.parametrize("repo", ["pallets/flask", "pytest-dev/pytest", "pydata/xarray"])
def test_ids_cut_at_whitespace_and_an_unexpected_pass_are_graded_as_parse_log_pytest_reads_them(
    shared: tuple[Path, Ran], repo: str
) -> None:
    """The parser keeps an id up to its first whitespace (a failure's ``-`` message dropped first)
    and never sees an XPASS line: rfsn grades no id the parser does not give."""
    root, ran = shared
    pack, report = _run(root, repo, WHITESPACE, ran)
    graded = _graded(pack, report)
    assert graded == _parsers(pack, report)
    assert graded["tests/test_gen.py::test_spaced[a"] is S.PASSED
    assert graded["tests/test_gen.py::test_spaced[c"] is S.FAILED
    assert graded["tests/test_gen.py::test_xfail"] is S.PASSED  # the harness's XFAIL passes
    assert "tests/test_gen.py::test_xpass" not in graded


UNITS = """\
import pytest


@pytest.mark.parametrize("q", ["10m", "20m", "kg"])
def test_unit(q):
    assert q != "20m"
"""


@pytest.mark.parametrize("repo", ["astropy/astropy", "scikit-learn/scikit-learn"])
def test_an_id_holding_what_looks_like_an_ansi_code_is_graded_as_parse_log_pytest_v2_strips_it(
    shared: tuple[Path, Ran], repo: str
) -> None:
    """The parser strips ``[<digits>m`` (an ANSI colour without its escape) from every line, so
    ``test_unit[10m]`` is ``test_unit]`` to the harness."""
    root, ran = shared
    pack, report = _run(root, repo, UNITS, ran)
    graded = _graded(pack, report)
    assert graded == _parsers(pack, report)
    assert graded["tests/test_gen.py::test_unit]"] is S.FAILED  # [10m] and [20m] share it
    assert graded["tests/test_gen.py::test_unit[kg]"] is S.PASSED


BUTTONS = """\
import pytest


@pytest.mark.parametrize("button", [1, 3], ids=["MouseButton.LEFT", "MouseButton.RIGHT"])
def test_click(button):
    assert button == 1
"""


def test_a_mouse_button_parameter_is_graded_by_its_number_as_parse_log_matplotlib_names_it(tmp_path: Path) -> None:
    pack, report = _run(tmp_path, "matplotlib/matplotlib", BUTTONS)
    graded = _graded(pack, report)
    assert graded == _parsers(pack, report)
    assert graded == {"tests/test_gen.py::test_click[1]": S.PASSED, "tests/test_gen.py::test_click[3]": S.FAILED}


ERRORS = """\
import pytest


@pytest.fixture
def broken():
    raise RuntimeError("no fixture")


def test_error(broken):
    pass


@pytest.mark.xfail(reason="known")
def test_xfail():
    assert False


def test_fails():
    assert 1 == 2


def test_passes():
    pass
"""


def test_errors_and_expected_failures_the_seaborn_parser_never_reads_are_not_graded(tmp_path: Path) -> None:
    """parse_log_seaborn reads only PASSED and FAILED lines: to the harness a test that errors or
    is an expected failure does not exist (and so fails)."""
    pack, report = _run(tmp_path, "mwaskom/seaborn", ERRORS)
    graded = _graded(pack, report)
    assert graded == _parsers(pack, report)
    assert graded == {"tests/test_gen.py::test_fails": S.FAILED, "tests/test_gen.py::test_passes": S.PASSED}


def test_a_line_the_code_under_test_prints_never_sets_a_status(tmp_path: Path) -> None:
    """Only the junit report gives statuses: a failing test printing its own PASSED line keeps
    its failure, whatever the parser reads."""
    source = 'def test_lies():\n    print("PASSED tests/test_gen.py::test_lies")\n    assert False\n'
    pack, report = _run(tmp_path, "psf/requests", source)
    assert _graded(pack, report) == {"tests/test_gen.py::test_lies": S.FAILED}


def test_pytest_7521_an_inner_runs_summary_line_the_harness_reads_is_graded_and_never_one_naming_a_file_of_the_run(
    tmp_path: Path,
) -> None:
    """A test's captured output (shown by ``-rA``) that holds an inner pytest run's summary line is
    read by the harness's parser as a test, and pytest-dev__pytest-7521 lists one as PASS_TO_PASS
    (``test_capsysbinary.py::test_hello``, gold graded unresolved): it is graded as the harness
    reads it. A line naming a test of a file of the run is still no status."""
    source = (
        'def test_outer():\n    print("PASSED test_inner.py::test_hello")\n'
        '    print("PASSED tests/test_gen.py::test_absent")\n'
    )
    pack, report = _run(tmp_path, "pytest-dev/pytest", source)
    assert _parsers(pack, report)["tests/test_gen.py::test_absent"] == S.PASSED  # the parser reads both
    assert _graded(pack, report) == {"tests/test_gen.py::test_outer": S.PASSED, "test_inner.py::test_hello": S.PASSED}


PYTEST_331 = Path(__file__).parent / "fixtures" / "pytest331"


def test_astropy_7606_under_pytest_3_3_1_an_empty_id_is_named_by_its_argument_in_the_line_the_harness_reads() -> None:
    """Under the spec's pytest (astropy 1.3: 3.3.1), ``-rA`` prints no line for a passing test; the
    harness's parser reads the ``-vv`` lines (``... PASSED``), and there an id callable's empty
    answer is named by the argument and index (``[unit0]``), as in rfsn's junit report.
    astropy__astropy-7606 lists ``test_compose_roundtrip[]`` (a later pytest's name) in
    PASS_TO_PASS: no run of the spec names it, rfsn's grading nor the harness's. Captured output of
    pytest 3.3.1 (fixtures/pytest331: rfsn's command, and the spec's ``test_cmd`` with ``-vv``) on the
    module ``test_units.py.txt``, which parametrizes as astropy 1.3's test_units.py does."""
    parser = upstream.log_parser("astropy/astropy")
    pack = SpecBuildpack({}, specs.render_recipe({"python": "3.11"}, registry=False), parser, "astropy__astropy-7606")
    output = (PYTEST_331 / "rfsn.log").read_text()
    statuses = pack.parse(output, {"junit.xml": (PYTEST_331 / "junit.xml").read_text()})
    graded = _graded(pack, TestReport(tests=statuses, exit_code=1, log=output))
    harness = harness_statuses(parser, (PYTEST_331 / "harness-vv.log").read_text(), pack.instance_id)
    assert graded == harness
    assert graded["tests/test_units.py::test_compose_roundtrip[unit0]"] is S.PASSED
    assert graded["tests/test_units.py::test_plain[]"] is S.PASSED  # an empty string parameter is named so
    assert graded["tests/test_units.py::TestQuantity::test_x[2]"] is S.FAILED
    assert "tests/test_units.py::test_compose_roundtrip[]" not in graded
