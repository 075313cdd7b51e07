"""Localization by naming convention: the source a failing test's file is named for, and in it
the definitions the test's own words point to."""

from __future__ import annotations

from pathlib import Path

from rfsn.planners.base import RepairContext
from rfsn.planners.code.location import Location
from rfsn.planners.patch.explore import mentions
from rfsn.planners.patch.explore.tested import linked_files, named_for, ran, under_test
from rfsn.planners.patch.strategies.model import prompt

SKIPPING = '''"""Skip and xfail."""


def evaluate_skip_marks(item):
    for mark in item.iter_markers(name="skip"):
        return mark.kwargs.get("reason", "")
    return None


def evaluate_xfail_marks(item):
    for mark in item.iter_markers(name="xfail"):
        return mark.kwargs.get("reason", "")
    return None


def pytest_runtest_call(item):
    xfailed = item.stash.get("xfailed", None)
    if xfailed is None:
        item.stash["xfailed"] = evaluate_xfail_marks(item)
    yield


class Report:
    def longrepr(self):
        return "report"

    def format_duration(self, seconds):
        return f"{seconds:.2f}s"
'''
TEST_SKIPPING = '''import pytest


class TestXFail:
    def test_dynamic_xfail_set_during_runtest(self, pytester):
        pytester.makepyfile("""
            import pytest
            def test_this(request):
                request.node.add_marker(pytest.mark.xfail(reason="xfail"))
                assert 0
        """)
        result = pytester.runpytest("-rsx")
        result.assert_outcomes(xfailed=1)


def test_skip_reason():
    assert True
'''
FILES = {
    "src/runner/__init__.py": "",
    "src/runner/skipping.py": SKIPPING,
    "src/runner/main.py": "def wrap_session(config):\n    return config\n",
    "src/runner/mark/__init__.py": "def xfail(reason):\n    return reason\n",
    "src/runner/domains/python.py": "def parse_signature(sig):\n    return sig\n",
    "src/runner/domains/c.py": "def parse_c(sig):\n    return sig\n",
    "src/runner/builders/html/__init__.py": "def write_page(doc):\n    return doc\n",
    "src/runner/builders/text.py": "def write_text(doc):\n    return doc\n",
    "src/runner/assertion/rewrite.py": "def rewrite_asserts(tree):\n    return tree\n",
    "bench/bench.py": "def run():\n    return 1\n",
    **{f"src/runner/plugins/p{i}.py": f"def hook_{i}():\n    return {i}\n" for i in range(30)},
}


def test_a_test_file_is_linked_to_the_module_it_is_named_for() -> None:
    assert linked_files("testing/test_skipping.py", FILES) == ["src/runner/skipping.py"]
    # a plural, a longer form, a package's __init__, a file name inside a longer word
    assert linked_files("tests/test_domain_python.py", FILES) == ["src/runner/domains/python.py"]
    assert linked_files("tests/test_build_html.py", FILES) == ["src/runner/builders/html/__init__.py"]
    assert linked_files("testing/test_assertrewrite.py", FILES) == ["src/runner/assertion/rewrite.py"]
    assert linked_files("pkg/skipping_test.go", {"pkg/skipping.go": "", "pkg/main.go": ""}) == ["pkg/skipping.go"]
    # a test file named for nothing in the project links nothing
    assert linked_files("tests/test_regressions.py", FILES) == []
    # no file named as the test is: one whose name holds the test's words
    assert linked_files(
        "sympy/simplify/tests/test_cse.py", {"sympy/simplify/cse_main.py": "", "sympy/core/mul.py": ""}
    ) == ["sympy/simplify/cse_main.py"]
    assert linked_files("tests/test_cse.py", {"pkg/cse.py": "", "pkg/cse_main.py": ""}) == ["pkg/cse.py"]


def test_a_test_file_is_linked_to_the_module_beside_its_tests_folder_first() -> None:
    """sympy's ``printing/tests/test_latex.py`` is named for ``printing/latex.py``, not for the
    rarer ``parsing/latex/_antlr/latexlexer.py`` (before, the parser's files came first and the
    printer was past the limit of two)."""
    files = dict.fromkeys(
        [
            "sympy/printing/latex.py",
            "sympy/parsing/latex/__init__.py",
            "sympy/parsing/latex/_antlr/latexlexer.py",
            "sympy/parsing/latex/_antlr/latexparser.py",
            "sympy/parsing/latex/errors.py",
            *(f"sympy/core/m{n}.py" for n in range(40)),
        ],
        "",
    )
    assert linked_files("sympy/printing/tests/test_latex.py", files)[0] == "sympy/printing/latex.py"
    # no folder in common: the rarest name first, as before
    assert linked_files("tests/test_latex.py", files)[0] == "sympy/parsing/latex/_antlr/latexlexer.py"


def test_the_test_files_named_for_source_files_come_in_the_sources_order() -> None:
    tests = ["testing/test_main.py", "testing/test_skipping.py", "tests/test_build_html.py", "tests/test_misc.py"]
    assert named_for(["src/runner/skipping.py", "src/runner/builders/html/__init__.py"], tests, FILES) == [
        "testing/test_skipping.py",
        "tests/test_build_html.py",
    ]
    assert named_for(["src/runner/builders/html/__init__.py", "src/runner/main.py"], tests, FILES) == [
        "tests/test_build_html.py",
        "testing/test_main.py",
    ]
    assert named_for(["bench/bench.py"], tests, FILES) == []


def test_the_tests_words_choose_the_definitions_of_the_linked_module(tmp_path: Path) -> None:
    (tmp_path / "testing").mkdir()
    (tmp_path / "testing/test_skipping.py").write_text(TEST_SKIPPING)
    failing = ["testing/test_skipping.py::TestXFail::test_dynamic_xfail_set_during_runtest"]
    found = [(d.path, d.name) for d in under_test(failing, tmp_path, FILES)]
    # the words of the inner program's code (a string) count: xfail, mark, request, runtest
    assert set(found[:2]) == {
        ("src/runner/skipping.py", "evaluate_xfail_marks"),
        ("src/runner/skipping.py", "pytest_runtest_call"),
    }
    assert ("src/runner/skipping.py", "format_duration") not in found
    # a bare test name (sympy's runner) is found in the test file that defines it
    bare = [(d.path, d.name) for d in under_test(["test_dynamic_xfail_set_during_runtest"], tmp_path, FILES)]
    assert bare == found


def test_the_patch_request_shows_the_code_the_failing_tests_are_named_for(tmp_path: Path) -> None:
    (tmp_path / "testing").mkdir()
    (tmp_path / "testing/test_skipping.py").write_text(TEST_SKIPPING)

    def request(failing: list[str]) -> str:
        return prompt(
            RepairContext(
                workspace=tmp_path,
                language="python",
                failing=failing,
                passing=[],
                locations=[],
                problem="Dynamically adding an xfail marker no longer ignores the failure",
                files=FILES,
            )
        )

    shown = request(["testing/test_skipping.py::TestXFail::test_dynamic_xfail_set_during_runtest"])
    assert "## Code the failing tests' files are named for" in shown
    assert '        item.stash["xfailed"] = evaluate_xfail_marks(item)' in shown
    assert "## Code the failing tests' files are named for" not in request(["testing/test_other.py::test_x"])


PRINTER = (
    "def mathematica_code(expr):\n    return Printer().doprint(expr)\n\n\n"
    "class Printer:\n    def doprint(self, expr):\n        return self._print(expr)\n\n"
    "    def _print_Function(self, expr):\n        if expr.func in known:\n            return known[expr.func]\n"
    "        return expr.name\n\n    def _print_Pow(self, expr):\n        return '^'\n"
)
CORE = "".join(f"def core_{n}(x):\n    return x + {n}\n\n\n" for n in range(8))


def test_the_patch_request_shows_what_the_failing_tests_ran_in_their_module(tmp_path: Path) -> None:
    """The test names ``mathematica_code``; the fault is in the helper it ran, ranked below core
    lines only the failing test reached (sympy-15345): it is shown all the same."""
    (tmp_path / "pkg/tests").mkdir(parents=True)
    (tmp_path / "pkg/tests/test_mathematica.py").write_text(
        "from pkg.mathematica import mathematica_code\n\n\ndef test_Max():\n"
        "    assert mathematica_code(Max(x, 2)) == 'Max[x, 2]'\n"
    )
    files = {"pkg/mathematica.py": PRINTER, "pkg/core.py": CORE}
    locations = [
        *(Location("pkg/core.py", 2 + 4 * n, 1.0) for n in range(8)),
        Location("pkg/mathematica.py", 11, 0.4),
        Location("pkg/mathematica.py", 7, 0.2),
    ]
    text = prompt(
        RepairContext(
            workspace=tmp_path,
            language="python",
            failing=["pkg/tests/test_mathematica.py:test_Max"],
            passing=[],
            locations=locations,
            problem="",
            files=files,
        )
    )
    section = text.split("## Code of those files the failing tests ran (its most suspicious first)\n", 1)[1]
    assert section.index("def _print_Function") < section.index("def doprint")
    assert "def _print_Pow" not in section and "def mathematica_code" not in section  # not run; shown already
    assert ran(["test_Max"], tmp_path, files, {}) == []  # no coverage: nothing to add


def test_a_definition_the_budget_left_out_is_not_taken_for_shown(tmp_path: Path) -> None:
    """The tests' words chose ``refine_big`` and ``refine``; only the first fit in the section's
    budget, and ``refine``, which the failing test ran, was then left out of the next one too."""
    (tmp_path / "pkg/tests").mkdir(parents=True)
    (tmp_path / "pkg/tests/test_refine.py").write_text("def test_arg():\n    assert refine(arg(x)) and refine_big(x)\n")
    big = (
        "def refine_big(x):\n"
        + "".join(f"    x = x + {n}  # {'pad ' * 22}\n" for n in range(30))
        + "    return x\n\n\n"
    )
    small = (
        "def refine(expr):\n"
        + "".join(f"    expr = expr  # {'refine arg ' * 7}{n}\n" for n in range(25))
        + "    return expr\n"
    )
    files = {"pkg/refine.py": big + small, "pkg/core.py": CORE}
    first = big.count("\n") + 1
    locations = [
        *(Location("pkg/core.py", 2 + 4 * n, 1.0) for n in range(8)),
        Location("pkg/refine.py", first + 3, 0.3),
    ]
    text = prompt(
        RepairContext(
            workspace=tmp_path,
            language="python",
            failing=["test_arg"],
            passing=[],
            locations=locations,
            problem="",
            files=files,
        )
    )
    assert text.count("def refine(expr):") == 1 and text.count("def refine_big(x):") == 1


SOURCE = '''"""Source lines of statements."""


def getstatement(lineno, source):
    return getstatementrange_ast(lineno, source)


def getstatementrange_ast(lineno, source):
    start, end = get_statement_startend2(lineno, source)
    return start, end


def get_statement_startend2(lineno, node):
    values = [x.lineno - 1 for x in node.body]
    return values[0], values[-1]


def indent(source):
    return "    " + source
'''
TEST_SOURCE = """from runner.source import getstatementrange_ast


def getstatement(lineno, source):
    start, end = getstatementrange_ast(lineno, source)
    return source[start:end]


def test_decorator():
    source = getstatement(3, "@foo\\ndef bar():\\n    pass\\n")
    assert "@foo" in source
"""


def test_a_helper_the_test_calls_lends_it_its_words(tmp_path: Path) -> None:
    # the test's own body says only "getstatement"; the module's helper it calls names the
    # function the helper runs, which the test's words alone do not reach
    (tmp_path / "testing").mkdir()
    (tmp_path / "testing/test_source.py").write_text(TEST_SOURCE)
    files = {"src/runner/source.py": SOURCE, **FILES}
    found = [d.name for d in under_test(["testing/test_source.py::test_decorator"], tmp_path, files)]
    assert "getstatementrange_ast" in found[:2] and "indent" not in found


def test_a_long_definition_is_shown_around_the_lines_the_test_speaks_of(tmp_path: Path) -> None:
    filler = "".join(f"    step_{n} = {n}\n" for n in range(80))
    long = (
        '"""Index."""\n\n\ndef create_index(entries):\n'
        + filler
        + "    symbols = [e for e in entries if not e.isalpha()]\n"
        + "    return sorted(symbols, key=symbol_sort_key)\n"
        + filler.replace("step_", "late_")
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_index.py").write_text(
        "from runner.index import create_index\n\n\ndef test_symbols_sort_first():\n"
        "    assert create_index(['&', 'a'])[0] == '&'  # symbols, by symbol_sort_key\n"
    )
    files = {"src/runner/index.py": long, **FILES}
    found = under_test(["tests/test_index.py::test_symbols_sort_first"], tmp_path, files)
    assert found[0].name == "create_index"
    shown = mentions.render(found[:1], files)
    assert "    return sorted(symbols, key=symbol_sort_key)" in shown
    assert "    4  def create_index(entries):" in shown  # the signature stays in view
    assert "step_0 = 0" not in shown


def test_a_sympy_id_lends_its_test_its_words(tmp_path: Path) -> None:
    """The SWE-bench harness names a failing sympy test ``path.py:name``."""
    (tmp_path / "testing").mkdir()
    (tmp_path / "testing/test_skipping.py").write_text(TEST_SKIPPING)
    pytest_style = under_test(
        ["testing/test_skipping.py::TestXFail::test_dynamic_xfail_set_during_runtest"], tmp_path, FILES
    )
    assert (
        under_test(["testing/test_skipping.py:test_dynamic_xfail_set_during_runtest"], tmp_path, FILES)
        == pytest_style
        != []
    )
