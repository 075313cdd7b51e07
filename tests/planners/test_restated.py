"""Which old tests a reproduction restates: the same name and a similar body, outside the
reproduction's own file."""

from __future__ import annotations

from pathlib import Path

from rfsn.models import TestReport, testfiles
from rfsn.models import TestStatus as Status
from rfsn.planners.reproduce.issue import without_old_failures
from rfsn.planners.reproduce.restated import name_in_file, repeated, restated, set_aside

OLD = (
    "from m import f\n\n\ndef test_total():\n    assert f(2) == 3\n\n\n"
    "class TestParse:\n    def test_empty(self):\n        assert f(0) == 1\n\n\n"
    "def test_other():\n    assert f(5) == 6\n"
)
NEW = (
    "from m import f\n\n\ndef test_total():\n    assert f(2) == 4\n\n\n"
    "class TestParse:\n    def test_empty(self):\n        assert f(0) == 0\n"
)
FILES = {
    "tests/test_m.py": OLD,
    "tests/test_repro.py": NEW,
    "tests/test_unrelated.py": "def test_total():\n    import json\n    assert json.dumps([]) == '[]'\n",
}


def test_name_is_class_and_function_parameters_aside() -> None:
    assert name_in_file("tests/a.py::TestX::test_y[1-2]") == "TestX::test_y"
    assert name_in_file("tests/a.py::test_z") == "test_z"
    # sympy's runner, named by the SWE-bench harness's parser (a passing test: its bare name)
    assert name_in_file("sympy/core/tests/test_a.py:test_z") == name_in_file("test_z") == "test_z"
    assert testfiles.test_id_file("sympy/core/tests/test_a.py:test_z") == "sympy/core/tests/test_a.py"


def test_an_old_test_repeated_with_new_expectations_is_restated() -> None:
    passing = [
        "tests/test_m.py::test_total",
        "tests/test_m.py::TestParse::test_empty",
        "tests/test_m.py::test_other",
        "tests/test_unrelated.py::test_total",
    ]
    reproduction = ["tests/test_repro.py::test_total", "tests/test_repro.py::TestParse::test_empty"]
    # the same name in an unrelated file with another body is not restated; nor a test not repeated
    assert restated(passing, reproduction, FILES) == [
        "tests/test_m.py::test_total",
        "tests/test_m.py::TestParse::test_empty",
    ]


def test_a_restated_sympy_test_is_restated_by_its_bare_name_too() -> None:
    """The harness's sympy parser names a passing test by its bare name, beside rfsn's
    ``path.py:name`` (sympy-16503: the gold patch breaks the old ``test_pretty_sum``, which the
    reproduction restates, and the bare name broke too)."""
    files = {"sympy/m/tests/test_m.py": OLD, "sympy/m/tests/test_rfsn_repro_m.py": NEW}
    passing = ["sympy/m/tests/test_m.py:test_total", "test_total", "sympy/m/tests/test_m.py:test_other", "test_other"]
    assert restated(passing, ["sympy/m/tests/test_rfsn_repro_m.py:test_total"], files) == [
        "sympy/m/tests/test_m.py:test_total",
        "test_total",
    ]


def test_nothing_is_restated_without_a_python_source_to_compare() -> None:
    assert restated(["tests/test_m.py::test_total"], ["tests/test_repro.py::test_total"], {}) == []
    assert restated(["t/a.test.js > total"], ["t/repro.test.js > total"], {}) == []


def test_a_restating_test_that_passes_at_baseline_is_set_aside_with_the_old_one() -> None:
    """A reproduction's test that passes before any fix is the model's, not the project's: a copy
    of a neighbour (pylint-7114's moved where its data paths no longer hold) breaks with the right
    fix. It is set aside, and so is the old test it restates: it is looked at before it goes."""
    passed, failed = Status.PASSED, Status.FAILED
    run = TestReport(
        tests={
            "tests/test_m.py::test_total": passed,
            "tests/test_m.py::TestParse::test_empty": passed,
            "tests/test_m.py::test_other": passed,
            "tests/test_repro.py::test_total": passed,  # restates, passing
            "tests/test_repro.py::TestParse::test_empty": failed,
        }
    )
    kept, aside, own = set_aside(run, ["tests/test_repro.py::TestParse::test_empty"], FILES)
    assert aside == ["tests/test_m.py::TestParse::test_empty", "tests/test_m.py::test_total"]
    assert own == ["tests/test_repro.py::test_total"]
    assert sorted(kept.tests) == ["tests/test_m.py::test_other", "tests/test_repro.py::TestParse::test_empty"]


def test_a_test_the_fix_renamed_is_restated_by_its_near_copy_in_the_same_class() -> None:
    """pytest-11148: the fix renamed ``test_importmode_twice_is_different_module`` to
    ``test_remembers_previous_imports`` and turned its assertion round. A one-line body, or a
    copy in another class, restates nothing under another name."""
    body = (
        '        """`importlib` mode {doc}."""\n'
        '        module1 = import_path(simple_module, mode="importlib", root=tmp_path)\n'
        '        module2 = import_path(simple_module, mode="importlib", root=tmp_path)\n'
        "        assert module1 is {op}module2\n"
    )
    old = (
        "class TestImportPath:\n    def test_importmode_twice_is_different_module(self, simple_module, tmp_path):\n"
        + body.format(doc="always returns a new module", op="not ")
        + "\n    def test_short(self):\n        assert f(1) == 2\n"
        + "\n\nclass TestOther:\n    def test_twice(self, simple_module, tmp_path):\n"
        + body.format(doc="always returns a new module", op="not ")
    )
    new = (
        "class TestImportPath:\n    def test_remembers_previous_imports(self, simple_module, tmp_path):\n"
        + body.format(doc="remembers previous module (#10341)", op="")
        + "\n    def test_short_now(self):\n        assert f(1) == 3\n"
    )
    files = {"testing/test_pathlib.py": old, "testing/test_repro.py": new}
    passing = [
        "testing/test_pathlib.py::TestImportPath::test_importmode_twice_is_different_module",
        "testing/test_pathlib.py::TestImportPath::test_short",
        "testing/test_pathlib.py::TestOther::test_twice",
    ]
    reproduction = [
        "testing/test_repro.py::TestImportPath::test_remembers_previous_imports",
        "testing/test_repro.py::TestImportPath::test_short_now",
    ]
    assert restated(passing, reproduction, files) == [passing[0]]


def test_bodies_are_the_source_segments_ast_gives() -> None:
    """Bodies are cut from lines split once per module (``ast.get_source_segment`` splits the
    module again at every call: 20 s on sphinx's tests); the text must be the same, form feeds,
    non-ASCII text, line separators inside strings and multi-line statements included."""
    import ast

    from rfsn.planners.reproduce.restated import bodies

    source = (
        "x = '\x0c'\n\x0c\ndef test_a():\n    s = 'é\u2028ü'\n    assert s == (1,\n        2)\n\n"
        "class TestT:\n    def test_b(self): return 2\n    async def test_c(self):\n"
        "        '''doc\r\n        more'''\r\n        await x; y = 1\n"
    )
    tree = ast.parse(source)
    expected = {}
    for node in tree.body:
        for name, fn in (
            [(node.name, node)]
            if isinstance(node, ast.FunctionDef)
            else [(f"{node.name}::{m.name}", m) for m in node.body]
            if isinstance(node, ast.ClassDef)
            else []
        ):
            expected[name] = "\n".join(ast.get_source_segment(source, s) or "" for s in fn.body)
    assert bodies(source) == expected and set(expected) == {"test_a", "TestT::test_b", "TestT::test_c"}


def test_a_copy_of_a_test_failing_at_baseline_repeats_that_old_failure() -> None:
    """sphinx-8721: the model's file copies a neighbour the environment fails. The copy is an
    old failure, not the problem; a test of the same name with another body, or one whose old
    version is in the reproduction's own file, is not."""
    failing = [
        "tests/test_m.py::test_total",
        "tests/test_unrelated.py::test_total",
        "tests/test_repro.py::TestParse::test_empty",
    ]
    copy = NEW.replace("f(2) == 4", "f(2) == 3")  # test_total as the old file has it
    files = {**FILES, "tests/test_repro.py": copy}
    reproduction = ["tests/test_repro.py::test_total", "tests/test_repro.py::TestParse::test_empty"]
    assert repeated(failing, reproduction, files) == {"tests/test_repro.py::test_total": "tests/test_m.py::test_total"}
    assert repeated(failing, reproduction, {"tests/test_repro.py": copy}) == {}  # no old source
    assert repeated([], reproduction, files) == {}


def test_a_copy_of_a_test_the_limit_stopped_at_baseline_is_a_target(tmp_path: Path) -> None:
    """sympy-13437: ``test_bell``, slow under load, was stopped by the per-test limit at baseline;
    the model's copy with the problem's assertion failed at once. A stopped test showed no failure
    for the copy to repeat: the copy is the target. A copy of a test that failed stays none."""
    for path, text in {**FILES, "tests/test_repro.py": NEW.replace("f(2) == 4", "f(2) == 3")}.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    targets = ["tests/test_repro.py::test_total"]

    def baseline(status: Status) -> TestReport:
        return TestReport(tests={"tests/test_m.py::test_total": status, "tests/test_m.py::test_other": Status.PASSED})

    assert without_old_failures(targets, "", baseline(Status.TIMEOUT), tmp_path) == (targets, "")
    assert without_old_failures(targets, "", baseline(Status.FAILED), tmp_path) == (
        [],
        "the new tests that fail repeat tests that failed before any change "
        "(tests/test_repro.py::test_total repeats tests/test_m.py::test_total)",
    )
