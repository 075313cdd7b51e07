"""What a SWE-bench repair session runs for its whole suite: all of it in a small project; in
a large one the test patch's files, or, issue-only, the files named for what the problem
points to (the narrowed suite, which a small project's session turns to when its whole suite
outlasts its limit)."""

from __future__ import annotations

from pathlib import Path

from rfsn.batch.harness.suite import session_suites


def _project(root: Path) -> Path:
    files = {
        "pkg/__init__.py": "",
        "pkg/printing/latex.py": "def latex(expr, inv_trig_style='abbreviated'):\n    return str(expr)\n",
        "pkg/printing/tests/test_latex.py": "def test_latex():\n    assert True\n",
        "pkg/core/tests/test_basic.py": "def test_basic():\n    assert True\n",
        "pkg/core/tests/helpers.py": "X = 1\n",
        "pkg/core/basic.py": "class Basic:\n    pass\n",
        **{f"pkg/m{n}/tests/test_m{n}.py": "def test_m():\n    assert True\n" for n in range(6)},
    }
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


PROBLEM = "`latex(acsc(x), inv_trig_style='full')` gives `\\operatorname{acsc}`: latex ignores the style"
PATCH = (
    "diff --git a/pkg/printing/tests/test_latex.py b/pkg/printing/tests/test_latex.py\n"
    "diff --git a/pkg/core/tests/helpers.py b/pkg/core/tests/helpers.py\n"
    "diff --git a/pkg/gone/tests/test_gone.py b/pkg/gone/tests/test_gone.py\n"
)


LATEX = ["pkg/printing/tests/test_latex.py"]


def test_a_small_project_runs_its_whole_suite_and_keeps_the_narrowed_files_for_a_timeout(tmp_path: Path) -> None:
    """No suite (all of it), and the files a large project would run, for when it times out."""
    root = _project(tmp_path)
    assert session_suites(root, PATCH, PROBLEM) == ([], LATEX)
    assert session_suites(root, "", PROBLEM) == ([], LATEX)
    assert session_suites(root, "", "It crashes.") == ([], [])  # nothing to narrow to


def test_a_large_project_runs_the_test_patchs_files_or_those_named_for_the_problem(tmp_path: Path) -> None:
    root = _project(tmp_path)
    # given the test patch: its test modules that exist (not a helper, not a deleted file)
    assert session_suites(root, PATCH, PROBLEM, max_whole=4) == (LATEX, [])
    # issue-only: the test files named for the code the problem points to
    assert session_suites(root, "", PROBLEM, max_whole=4) == (LATEX, [])
    # nothing named for what it points to: the whole suite
    assert session_suites(root, "", "It crashes.", max_whole=4) == ([], [])
