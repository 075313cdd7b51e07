"""junit XML -> pytest node ids: real pytest output for tricky layouts, and round-trip properties."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import quoteattr

from hypothesis import given
from hypothesis import strategies as st

from rfsn.buildpacks.junit import parse_junit, parse_junit_durations, parse_junit_reasons, pytest_node_id
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.models import TestStatus as Status
from tests.buildpacks.conftest import FIXTURES

P, F, E, S = Status.PASSED, Status.FAILED, Status.ERROR, Status.SKIPPED

TRICKY = {
    "tests/__init__.py": "",
    "tests/base_mod.py": "class Base:\n    def test_inherited(self): pass\n",
    "tests/test_inherit.py": "from tests.base_mod import Base\nclass TestChild(Base):\n    pass\n",
    "tests/sub.dir/test_dotted.py": "def test_d(): pass\n",
    "pkg/__init__.py": 'def f():\n    """\n    >>> 1 + 1\n    2\n    """\n',
    "tests/test_a.py": textwrap.dedent("""
        import pytest

        class TestOuter:
            def test_m(self): pass
            class TestInner:
                def test_n(self): assert False
                @pytest.mark.parametrize("x", ["a.b", "c::d", "[e]", "x/y"])
                def test_p(self, x): pass

        @pytest.fixture
        def bad():
            raise RuntimeError("setup")

        @pytest.fixture
        def bad_teardown():
            yield
            raise RuntimeError("teardown")

        def test_setup_error(bad): pass
        def test_fail_and_teardown(bad_teardown): assert False
        def test_teardown_only(bad_teardown): pass
        @pytest.mark.skip
        def test_skip(): pass
        @pytest.mark.xfail
        def test_xfail(): assert False
        @pytest.mark.xfail
        def test_xpass(): pass
        @pytest.mark.parametrize("v", [1.5, "a-b"])
        def test_param(v): pass
    """),
}
EXPECTED = {
    "pkg/__init__.py::pkg.f": P,
    "tests/sub.dir/test_dotted.py::test_d": P,
    "tests/test_a.py::TestOuter::test_m": P,
    "tests/test_a.py::TestOuter::TestInner::test_n": F,
    "tests/test_a.py::TestOuter::TestInner::test_p[a.b]": P,
    "tests/test_a.py::TestOuter::TestInner::test_p[c::d]": P,
    "tests/test_a.py::TestOuter::TestInner::test_p[[e]]": P,
    "tests/test_a.py::TestOuter::TestInner::test_p[x/y]": P,
    "tests/test_a.py::test_setup_error": E,
    "tests/test_a.py::test_fail_and_teardown": F,  # a failure and a teardown error: the worst wins
    "tests/test_a.py::test_teardown_only": E,
    "tests/test_a.py::test_skip": S,
    "tests/test_a.py::test_xfail": P,  # an expected failure passes, as for the harness
    "tests/test_a.py::test_xpass": P,
    "tests/test_a.py::test_param[1.5]": P,
    "tests/test_a.py::test_param[a-b]": P,
    "tests/test_inherit.py::TestChild::test_inherited": P,
}
_SUMMARY = re.compile(r"^(PASSED|FAILED|ERROR|XFAIL|XPASS) (\S+)")


def host_pytest(tree: dict[str, str], root: Path, *args: str) -> tuple[str, str]:
    """Run pytest on the host; returns (the -rA output, the xunit1 junit XML)."""
    for name, text in tree.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-rA",
            "-o",
            "junit_family=xunit1",
            f"--junitxml={root / 'junit.xml'}",
            "-W",
            "ignore",
            *args,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.stdout, (root / "junit.xml").read_text()


def test_the_reasons_are_what_pytests_failure_sections_show_first(tmp_path: Path) -> None:
    """A plain ``assert`` without its ``AssertionError: ``, an error outside the call unwrapped
    from junit's ``failed on setup with "..."``, and the file each was raised in."""
    _, xml = host_pytest(TRICKY, tmp_path, "tests")
    reasons = parse_junit_reasons(xml, pytest_node_id)
    assert reasons["tests/test_a.py::TestOuter::TestInner::test_n"] == ("assert False", "tests/test_a.py")
    assert reasons["tests/test_a.py::test_setup_error"] == ("RuntimeError: setup", "tests/test_a.py")
    assert set(reasons) == {t for t, s in EXPECTED.items() if s in (F, E) and t.startswith("tests/")}
    assert parse_junit_reasons("not xml", pytest_node_id) == {}


def summary_ids(output: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for line in output.splitlines():
        match = _SUMMARY.match(line)
        if match:
            found.setdefault(match.group(2), set()).add(match.group(1))
    return found


def test_real_pytest_output_for_tricky_layouts(tmp_path: Path) -> None:
    output, xml = host_pytest(TRICKY, tmp_path, "--doctest-modules", "tests", "pkg")
    parsed = parse_junit(xml, pytest_node_id)
    assert parsed == EXPECTED
    # every id pytest prints in its -rA summary is one we name the same way
    assert set(summary_ids(output)) <= set(parsed)


def test_recorded_tricky_output() -> None:
    xml = (FIXTURES / "pytest_junit" / "tricky.xml").read_text()
    parsed = PythonBuildpack().parse("", {"junit.xml": xml})
    assert {k: v for k, v in parsed.items() if "f g" not in k} == EXPECTED
    assert parsed["tests/test_a.py::TestOuter::TestInner::test_p[f g]"] == P


def test_collection_error_names_the_file(tmp_path: Path) -> None:
    tree = {"tests/test_ok.py": "def test_ok(): pass\n", "tests/test_broken.py": "import nonexistent_module_xyz\n"}
    output, xml = host_pytest(tree, tmp_path)
    assert parse_junit(xml, pytest_node_id) == {"tests/test_broken.py": E}
    assert "ERROR tests/test_broken.py" in output


def test_collection_error_with_continue(tmp_path: Path) -> None:
    tree = {"test_ok.py": "def test_ok(): pass\n", "test_broken.py": "raise ImportError('x')\n"}
    _, xml = host_pytest(tree, tmp_path, "--continue-on-collection-errors")
    assert parse_junit(xml, pytest_node_id) == {"test_broken.py": E, "test_ok.py::test_ok": P}


def test_pytests_own_crash_leaves_no_nameless_test(tmp_path: Path) -> None:
    """pytest-7168: a plugin crashes pytest (INTERNALERROR) as it makes the report of a failing
    test; the junit report keeps an empty ``<testcase>`` for the test it was reporting. That is
    no test (it was read as ``.py``, a test that passed, then broke once the fix let the real
    test report)."""
    plugin = (
        "import pytest\n\n@pytest.hookimpl(hookwrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n    report = (yield).get_result()\n"
        "    if report.failed:\n        raise RuntimeError('the plugin fails')\n"
    )
    tree = {"plug.py": plugin, "tests/test_p.py": "def test_ok(): pass\ndef test_bad(): assert 0\n"}
    output, xml = host_pytest(tree, tmp_path, "-p", "plug", "tests")
    assert "INTERNALERROR" in output
    assert any(not case.attrib.keys() - {"time"} for case in ET.fromstring(xml).iter("testcase"))
    parsed = parse_junit(xml, pytest_node_id)
    assert parsed["tests/test_p.py::test_ok"] == P and ".py" not in parsed, parsed
    assert ".py" not in parse_junit_durations(xml, pytest_node_id)


def test_bad_or_missing_xml() -> None:
    assert parse_junit("<testsuite><testcase", pytest_node_id) == {}
    assert PythonBuildpack().parse("some output", {}) == {}


# -- properties: ids pytest can print survive the trip through xunit1 XML ------------------

_ident = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)
_cls = st.from_regex(r"Test[A-Z][A-Za-z0-9_]{0,6}", fullmatch=True)
_param = st.text(st.sampled_from("abz019.:-_/[]= "), min_size=1, max_size=12)


@st.composite
def node_ids(draw: st.DrawFn) -> str:
    dirs = draw(st.lists(st.one_of(_ident, st.from_regex(r"[a-z]{1,4}\.[a-z]{1,4}", fullmatch=True)), max_size=3))
    path = "/".join([*dirs, "test_" + draw(_ident) + ".py"])
    classes = draw(st.lists(_cls, max_size=2))
    name = "test_" + draw(_ident)
    if draw(st.booleans()):
        name += "[" + draw(_param) + "]"
    return "::".join([path, *classes, name])


def mangle(nodeid: str) -> tuple[str, str]:
    """(classname, name) the way pytest's junitxml.mangle_test_address writes them."""
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    return ".".join(names[:-1]), names[-1]


def xunit1(cases: list[tuple[str, str, str | None, str]]) -> str:
    body = ""
    for classname, name, file, child in cases:
        file_attr = f" file={quoteattr(file)}" if file is not None else ""
        inner = f"<{child} message='m'/>" if child else ""
        body += f"<testcase classname={quoteattr(classname)} name={quoteattr(name)}{file_attr}>{inner}</testcase>"
    return f"<testsuites><testsuite name='pytest'>{body}</testsuite></testsuites>"


@given(
    st.lists(
        st.tuples(node_ids(), st.sampled_from(["", "failure", "error", "skipped"])),
        min_size=1,
        max_size=8,
        unique_by=lambda pair: pair[0],
    )
)
def test_round_trip_with_file_attribute(cases: list[tuple[str, str]]) -> None:
    xml = xunit1([(*mangle(nid), nid.split("::")[0], child) for nid, child in cases])
    statuses = {"": P, "failure": F, "error": E, "skipped": S}
    assert parse_junit(xml, pytest_node_id) == {nid: statuses[child] for nid, child in cases}


@given(node_ids())
def test_round_trip_of_inherited_tests(nodeid: str) -> None:
    """``file`` names the base class's module; the id is still the subclass's."""
    classname, name = mangle(nodeid)
    if "::Test" not in nodeid:
        return
    base_file = nodeid.split("::")[0].rsplit("/", 1)[0] + "/base.py" if "/" in nodeid.split("::")[0] else "base.py"
    assert pytest_node_id_of(classname, name, base_file) == nodeid


@given(node_ids().filter(lambda nid: "." not in nid.split("::")[0].removesuffix(".py")))
def test_round_trip_without_file_attribute(nodeid: str) -> None:
    assert pytest_node_id_of(*mangle(nodeid), None) == nodeid


def pytest_node_id_of(classname: str, name: str, file: str | None) -> str:
    return next(iter(parse_junit(xunit1([(classname, name, file, "")]), pytest_node_id)))


@given(st.lists(st.sampled_from(["", "failure", "error", "skipped"]), min_size=1, max_size=4))
def test_worst_status_wins_for_repeated_ids(children: list[str]) -> None:
    xml = xunit1([("tests.test_x", "test_y", "tests/test_x.py", c) for c in children])
    order = ["", "skipped", "error", "failure"]
    worst = max(children, key=order.index)
    expected = {"": P, "failure": F, "error": E, "skipped": S}[worst]
    assert parse_junit(xml, pytest_node_id) == {"tests/test_x.py::test_y": expected}


def test_durations_add_up_per_test_id() -> None:
    xml = (
        '<testsuite><testcase classname="tests.test_a" name="test_x" file="tests/test_a.py" '
        'time="0.25"/><testcase classname="tests.test_a" name="test_x" file="tests/test_a.py" '
        'time="0.5"><error message="teardown"/></testcase><testcase classname="tests.test_a" '
        'name="test_y" file="tests/test_a.py" time="n/a"/></testsuite>'
    )
    assert parse_junit_durations(xml, pytest_node_id) == {"tests/test_a.py::test_x": 0.75}
    assert parse_junit_durations("<not xml", pytest_node_id) == {}


def test_an_expected_failure_is_a_pass_and_a_plain_skip_is_not(tmp_path: Path) -> None:
    """pylint-7114: the test patch marks a test xfail; the fix makes it fail as marked. pytest
    writes ``<skipped type="pytest.xfail">``; read as skipped, that test had gone from passing
    (an unexpected pass) to skipped, and the right fix was refused. The harness counts an
    expected failure as passed."""
    tree = {
        "tests/test_x.py": textwrap.dedent("""
        import pytest

        @pytest.mark.xfail(reason="not yet")
        def test_expected():
            assert False

        @pytest.mark.xfail(reason="fixed by now")
        def test_unexpected():
            pass

        @pytest.mark.xfail(strict=True)
        def test_strict():
            pass

        @pytest.mark.skip(reason="no")
        def test_skipped():
            pass
    """)
    }
    _, xml = host_pytest(tree, tmp_path, "tests")
    assert parse_junit(xml, pytest_node_id) == {
        "tests/test_x.py::test_expected": P,
        "tests/test_x.py::test_unexpected": P,
        "tests/test_x.py::test_strict": F,
        "tests/test_x.py::test_skipped": S,
    }


def test_a_test_file_named_with_control_characters_loses_no_test_of_the_report(tmp_path: Path) -> None:
    """Audit 68: pytest writes a file name's control characters (an escape, a bell) raw into the
    report's attributes, which XML cannot hold; the whole report read as no test at all."""
    tree = {
        "tests/test_ok.py": "def test_ok(): pass\n",
        "tests/test_esc\x1b[2J\x1b]0;T\x07.py": "def test_esc(): assert False\n",
        "tests/test_nl\nx.py": "def test_nl(): pass\n",
    }
    _, xml = host_pytest(tree, tmp_path)
    assert parse_junit(xml, pytest_node_id) == {
        "tests/test_ok.py::test_ok": P,
        "tests/test_esc\x1b[2J\x1b]0;T\x07.py::test_esc": F,
        "tests/test_nl\nx.py::test_nl": P,
    }
    reasons = parse_junit_reasons(xml, pytest_node_id)
    assert reasons["tests/test_esc\x1b[2J\x1b]0;T\x07.py::test_esc"][0] == "assert False"
