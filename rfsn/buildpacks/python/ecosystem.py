"""The Python ecosystem: what rfsn knows of Python, its tests, and its buildpack."""

from __future__ import annotations

from rfsn.buildpacks.ecosystem import BaseImages, Ecosystem, GateRules, Language, TestConventions

#: Python version -> the Debian release whose own Python it is
DEBIAN_PYTHON = {"3.9": "bullseye", "3.11": "bookworm", "3.13": "trixie"}

_READ_ONLY_PIP = ("list", "show", "freeze", "check")
ECOSYSTEM = Ecosystem(
    name="python",
    buildpack="rfsn.buildpacks.python.buildpack:PythonBuildpack",
    languages=(Language(name="python", extensions=(".py",)),),
    tests=TestConventions(
        names=(r"test_.*\.py", r".*_tests?\.py", r"tests?\.py", r"conftest\.py"),
        helpers=("conftest.py",),
        globs=("test_*.py", "*_test.py"),
    ),
    gate=GateRules(
        commands=("python", "python3", "pytest", "py.test", "pip", "pip3"),
        subcommands={"pip": _READ_ONLY_PIP, "pip3": _READ_ONLY_PIP},
        markers=(
            ("pytest skip/xfail marker", r"\bmark\s*\.\s*(?:skip|skipif|xfail)\b"),
            # ``pytest.skip.Exception`` names the exception a skip raises (a test of skipping
            # expects it): it skips nothing
            ("pytest.skip/xfail call", r"\bpytest\s*\.\s*(?:skip|xfail)\b(?!\s*\.\s*Exception\b)"),
            ("pytest.importorskip call", r"\bpytest\s*\.\s*importorskip\b"),
            ("module-wide pytestmark", r"\bpytestmark\b"),
            ("collection filter", r"\bcollect_ignore(?:_glob)?\b|\b__test__\s*="),
            # the gate reads a Python file that parses for this one by scope instead (its HOOK_MARKER)
            ("pytest plugin hook", r"\bdef\s+pytest_\w+|\bpytest_plugins\b|\bpytest11\b"),
            (
                "unittest skip",
                r"\bunittest\s*\.\s*(?:skip\w*|expectedFailure)\b|"
                r"@\s*(?:skip|skipIf|skipUnless|expectedFailure)\b|"
                r"\bskipTest\s*\(|\bSkipTest\b|__unittest_skip__",
            ),
            ("hard exit", r"\bos\s*\.\s*_exit\s*\(|\bpytest\s*\.\s*exit\b(?!\s*\.\s*Exception\b)"),
        ),
        session_wide=frozenset({"hard exit", "pytest plugin hook"}),
    ),
    images=BaseImages(versions=tuple(DEBIAN_PYTHON), image="rfsn.buildpacks.python.pyrecipe:python_image"),
    instances="rfsn.buildpacks.python.swebench.environment:PROVIDER",
)
