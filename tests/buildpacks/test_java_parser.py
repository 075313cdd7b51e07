"""The surefire parser on recorded reports, and the -Dtest filter."""

from __future__ import annotations

from rfsn.buildpacks.java.buildpack import JavaBuildpack, maven_test_filter, parse_surefire
from rfsn.models import TestStatus as Status
from tests.buildpacks.conftest import FIXTURES

JAVA = FIXTURES / "java"
CLS = "com.example.shapes.AreaTest"


def _reports() -> dict[str, str]:
    return {p.name: p.read_text() for p in (JAVA / "reports").iterdir()}


def test_recorded_junit5_reports() -> None:
    """Recorded from a real `mvn -o test` of fixtures/java/shapes (surefire 3.2.5, JUnit 5.10)."""
    assert parse_surefire(_reports()) == {
        f"{CLS}#rectangleMultiplies": Status.PASSED,
        f"{CLS}#triangleHalves": Status.FAILED,
        f"{CLS}#circle": Status.SKIPPED,
        f"{CLS}#squareOfSide(int)[1]": Status.PASSED,
        f"{CLS}#squareOfSide(int)[2]": Status.PASSED,
        f"{CLS}$Degenerate#zeroWidth": Status.PASSED,
    }


def test_other_files_and_bad_xml_are_ignored() -> None:
    assert parse_surefire({"cwd.txt": "/x", "TEST-broken.xml": "<testsuite"}) == {}


def test_error_elements_are_errors() -> None:
    xml = '<testsuite><testcase classname="a.B" name="m"><error type="java.lang.NPE"/></testcase></testsuite>'
    assert parse_surefire({"TEST-a.B.xml": xml}) == {"a.B#m": Status.ERROR}


def test_test_filter_groups_methods_by_class() -> None:
    assert maven_test_filter(
        [
            f"{CLS}#triangleHalves",
            f"{CLS}#squareOfSide(int)[1]",
            f"{CLS}#squareOfSide(int)[2]",
            f"{CLS}$Degenerate#zeroWidth",
            "a.Whole",
        ]
    ) == (f"{CLS}#triangleHalves+squareOfSide,{CLS}$Degenerate#zeroWidth,a.Whole")


def test_command_collects_reports_and_runs_offline() -> None:
    argv = JavaBuildpack().test_command([f"{CLS}#triangleHalves"], "/scratch/r")
    assert argv[:2] == ["sh", "-c"] and argv[3:5] == ["rfsn", "/scratch/r"]
    assert argv[5:7] == ["mvn", "-B"] and "-o" in argv and argv[-1] == "test"
    assert f"-Dtest={CLS}#triangleHalves" in argv
