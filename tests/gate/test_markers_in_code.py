"""Skip markers are looked for in code, in the file's own language: a message or the source
a test of pytest writes for pytest to run is not a marker, and a JavaScript focus is not
looked for in Python."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rfsn.gate import Gate
from rfsn.gate.rules_tests import python_code
from rfsn.models import Edit, Phase
from tests.gate.conftest import ctx

MODULE = "def run(item):\n    return item\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "runner.py").write_text(MODULE)
    (tmp_path / "testing").mkdir()
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    return tmp_path


def edit(new_body: str) -> Edit:
    lines = new_body.splitlines()
    added = "".join(f"+{line}\n" for line in lines)
    return Edit(
        patch=f"--- a/pkg/runner.py\n+++ b/pkg/runner.py\n@@ -1,2 +1,{len(lines) + 1} @@\n"
        f" def run(item):\n{added}-    return item\n"
    )


def new_test(text: str) -> Edit:
    lines = text.splitlines()
    return Edit(
        patch=f"--- /dev/null\n+++ b/testing/test_repro.py\n@@ -0,0 +1,{len(lines)} @@\n"
        + "".join(f"+{line}\n" for line in lines)
    )


def test_a_marker_in_a_message_or_a_comment_is_not_code(project: Path) -> None:
    body = (
        "    if item is None:  # pytest.skip would hide this\n"
        '        raise ValueError("Using pytest.skip outside of a test is not allowed")\n'
        "    return item"
    )
    assert Gate().check(edit(body), ctx(project, Phase.PATCH)).accepted


def test_a_marker_in_code_is_still_refused(project: Path) -> None:
    body = '    import pytest\n    pytest.skip("no")\n    return item'
    decision = Gate().check(edit(body), ctx(project, Phase.PATCH))
    assert decision.rule == "test_tampering" and "pytest.skip/xfail call" in decision.reason


def test_a_reproduction_may_hold_the_source_of_a_test_it_hands_to_pytest(project: Path) -> None:
    text = (
        "def test_skipif_string_condition(pytester):\n"
        '    pytester.makepyfile("""\n'
        "        import pytest\n"
        '        @pytest.mark.skipif("skip")\n'
        "        def test_func():\n"
        "            pass\n"
        "        def pytest_runtest_logstart():\n"
        "            pass\n"
        '    """)\n'
        "    assert pytester.runpytest().ret == 0"
    )
    assert Gate().check(new_test(text), ctx(project, Phase.REPRODUCE)).accepted
    (project / "testing" / "test_repro.py").write_text(text + "\n")
    rigged = Edit(
        path="testing/test_repro.py", old="def test_skipif", new="@__import__('pytest').mark.skip\ndef test_skipif"
    )
    assert Gate().check(rigged, ctx(project, Phase.REPRODUCE)).rule == "test_tampering"


def test_a_javascript_focus_is_not_looked_for_in_python(project: Path) -> None:
    body = "    # fit(X) and fit_predict(X) agree\n    model = fit(item)\n    return model"
    assert Gate().check(edit(body), ctx(project, Phase.PATCH)).accepted


def test_python_code_blanks_strings_and_comments_only() -> None:
    code = python_code('x = "pytest.skip"  # pytest.skip\ny = f"{pytest.skip}"\n')
    assert code is not None and "pytest.skip" not in code[1] and code[1].startswith("x = ")
    assert python_code('x = """\nunclosed\n') is None


def test_a_reproduction_may_expect_the_exception_a_skip_raises(project: Path) -> None:
    """pytest-8906: a test of skipping itself names ``pytest.skip.Exception``, which skips
    nothing; a call of ``pytest.skip`` on the next line still does."""
    text = (
        "import pytest\n\n\ndef test_skip_outside_a_test_is_an_error(item):\n"
        "    x = pytest.raises(pytest.skip.Exception, lambda: setup(item))\n"
        "    assert x.value.msg == 'skipped'\n"
    )
    assert Gate().check(new_test(text), ctx(project, Phase.REPRODUCE)).accepted
    (project / "testing" / "test_repro.py").write_text(text)
    rigged = Edit(path="testing/test_repro.py", old="'skipped'\n", new="'skipped'\n    pytest.skip('not today')\n")
    assert Gate().check(rigged, ctx(project, Phase.REPRODUCE)).rule == "test_tampering"
