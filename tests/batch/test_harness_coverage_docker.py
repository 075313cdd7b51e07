"""Per-test coverage of a runner rfsn does not start itself: a repository laid out as sympy is,
whose ``bin/test`` runs the tests in a Python subprocess of its own (as sympy's does, for hash
randomization) through a function named ``test`` that ``exec``s each test file, and prints
sympy's output, read by the harness's own sympy log parser. The
coverage a localization needs comes from inside that subprocess, and ranks the fault first."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.swebench import upstream
from rfsn.planners.localize.sbfl import rank
from rfsn.runner import Measure, run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings

pytest.importorskip("swebench")
pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.usefixtures("docker_client", "no_leaked_sandboxes")]

BIN_TEST = '''#!/usr/bin/env python
"""sympy's bin/test, as far as its process and output go: the tests run in a child Python."""
import os
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
args = sys.argv[1:]
words = args[args.index("-k") + 1:] if "-k" in args else []  # -k takes every word after it
args = args[:args.index("-k")] if "-k" in args else args
paths = [a for a in args if not a.startswith("-")]
limit = [int(a.split("=")[1]) for a in args if a.startswith("--timeout=")]
env = dict(os.environ, PYTHONHASHSEED="7")
child = "import sys; sys.path.insert(0, %r); import calc.testing; calc.testing.test(%r, %r, %r)" % (
    root, paths, limit[0] if limit else 0, words)
sys.exit(subprocess.call([sys.executable, "-c", child], env=env))
'''
TESTING = '''import signal
import sys


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def test(paths, timeout=0, words=()):
    """sympy's runner: its own function is named ``test`` (coverage's test_function context would
    start here and hold for every test), and it runs a test file with ``exec``, so the
    test functions have no module name. With ``timeout`` a test is stopped by SIGALRM past
    that many seconds and printed ``T``; with ``words`` only the tests whose names contain one
    run. The line of a file's last test ends with the file's ``[OK]`` or ``[FAIL]``."""
    failed = []
    signal.signal(signal.SIGALRM, _alarm)
    for path in paths:
        namespace = {"__file__": path}
        with open(path) as source:
            exec(compile(source.read(), path, "exec"), namespace)
        names = [n for n in namespace if n.startswith("test_") and (not words or any(w in n for w in words))]
        print("%s[%d] " % (path, len(names)))
        before = len(failed)
        for number, name in enumerate(names, 1):
            signal.alarm(timeout)
            try:
                namespace[name]()
                line = name + " ok"
            except AssertionError:
                line = name + " F"
                failed.append("%s:%s" % (path, name))
            except Timeout:
                line = name + " Timeout T"
            signal.alarm(0)
            end = "" if number < len(names) else "  [FAIL]" if len(failed) > before else "  [OK]"
            print(line + end, flush=True)
    for name in failed:
        print("_" * 10 + " " + name + " " + "_" * 10)
    sys.exit(1 if failed else 0)
'''
CORE = """def clamp(value, low, high):
    if value < low:
        return low
    if value > high:
        return low
    return value


def double(value):
    return value * 2
"""
TESTS = """from calc.core import clamp, double


def test_clamp_inside():
    assert clamp(5, 0, 10) == 5


def test_clamp_below():
    assert clamp(-1, 0, 10) == 0


def test_clamp_above():
    assert clamp(11, 0, 10) == 10


def test_double():
    assert double(2) == 4
"""
FAULT = ("calc/core.py", 5)


def _repo(root: Path) -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "calc" / "tests").mkdir(parents=True)
    (root / "bin" / "test").write_text(BIN_TEST)
    (root / "bin" / "test").chmod(0o755)
    (root / "calc" / "__init__.py").write_text("")
    (root / "calc" / "testing.py").write_text(TESTING)
    (root / "calc" / "core.py").write_text(CORE)
    (root / "calc" / "tests" / "__init__.py").write_text("")
    (root / "calc" / "tests" / "test_core.py").write_text(TESTS)
    (root / "setup.py").write_text("from setuptools import setup\nsetup(name='calc', packages=['calc'])\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def test_a_runner_that_tests_in_a_subprocess_of_its_own_is_measured_from_inside(tmp_path: Path) -> None:
    from rfsn.buildpacks.python.swebench.harnessrun import HarnessRunBuildpack

    root = _repo(tmp_path / "calc")
    spec = {"test_cmd": "PYTHONWARNINGS='ignore::UserWarning' bin/test -C --verbose"}
    pack = HarnessRunBuildpack(
        spec,
        PythonBuildpack().env_recipe(root),
        ["calc/tests/test_core.py"],
        upstream.log_parser("sympy/sympy"),
        "sympy__sympy-1",
        repo="sympy/sympy",
        selects=True,
    )
    with open_sandbox(root, pack, load_settings(), "docker") as box:
        report = run_tests(box, pack, timeout=300, measure=Measure(coverage=True))
    # the harness names a test by its bare name, and rfsn by its file too: the coverage is
    # the file's ids', measured in the child process the runner started
    failing = [t for t, s in report.tests.items() if s.value == "failed" and ":" in t]
    passing = [t for t, s in report.tests.items() if s.value == "passed" and ":" in t]
    assert failing == ["calc/tests/test_core.py:test_clamp_above"], report.log[-2000:]
    assert report.coverage is not None and set(report.coverage) == {*failing, *passing}
    assert report.coverage["calc/tests/test_core.py:test_clamp_above"]["calc/core.py"] == [2, 4, 5]
    assert report.coverage["calc/tests/test_core.py:test_double"]["calc/core.py"] == [10]
    by_test = {t: {f: set(lines) for f, lines in files.items()} for t, files in report.coverage.items()}
    ranked = rank(by_test, failing, passing)
    assert (ranked[0].file, ranked[0].line) == FAULT


SLOW = """import time


def test_fast():
    assert True


def test_stuck():
    time.sleep(600)


def test_after():
    assert True
"""


def test_a_stuck_test_is_stopped_by_the_runners_own_per_test_limit(tmp_path: Path) -> None:
    """A session's per-test limit goes to ``bin/test`` as its ``--timeout``: a test stuck for
    minutes (sympy 1.1's ``test_sin_cos`` in its harness environment) reads as timed out and the
    run goes on to the next test, instead of the whole run outlasting its limit. A selection of
    named tests runs only those, by ``bin/test``'s ``-k``."""
    from rfsn.buildpacks.base import limit_cases
    from rfsn.buildpacks.python.swebench.harnessrun import HarnessRunBuildpack

    root = _repo(tmp_path / "calc")
    (root / "calc" / "tests" / "test_slow.py").write_text(SLOW)
    spec = {"test_cmd": "PYTHONWARNINGS='ignore::UserWarning' bin/test -C --verbose"}
    pack = HarnessRunBuildpack(
        spec,
        PythonBuildpack().env_recipe(root),
        ["calc/tests/test_slow.py"],
        upstream.log_parser("sympy/sympy"),
        "sympy__sympy-1",
        repo="sympy/sympy",
        selects=True,
    )
    limit_cases(pack, 2)
    with open_sandbox(root, pack, load_settings(), "docker") as box:
        report = run_tests(box, pack, timeout=120)
        # a selection of named tests runs those (with -k), not their whole files
        named = run_tests(
            box, pack, ["calc/tests/test_slow.py:test_after", "calc/tests/test_core.py:test_double"], timeout=120
        )
    assert not report.timed_out, report.log[-2000:]
    assert {t: s.value for t, s in report.tests.items() if ":" in t} == {
        "calc/tests/test_slow.py:test_fast": "passed",
        "calc/tests/test_slow.py:test_stuck": "timeout",
        "calc/tests/test_slow.py:test_after": "passed",
    }
    assert {t: s.value for t, s in named.tests.items() if ":" in t} == {
        "calc/tests/test_slow.py:test_after": "passed",
        "calc/tests/test_core.py:test_double": "passed",
    }


def test_per_test_coverage_in_an_environment_that_keeps_an_older_coverage(tmp_path: Path) -> None:
    """An environment may keep a coverage older than rfsn's (a Python 3.6 one keeps 6.2, which has
    dynamic contexts but no ``--data-file`` option): both ways of measuring, pytest under
    coverage and a runner measured from inside, still give per-test coverage."""
    from rfsn.buildpacks.python.swebench.harnessrun import HarnessRunBuildpack

    root = _repo(tmp_path / "calc")
    (root / "requirements.txt").write_text("coverage==6.2\n")  # its tracer fails on Python 3.11
    (root / "setup.py").write_text(
        "from setuptools import setup\nsetup(name='calc', packages=['calc'], python_requires='<3.10')\n"
    )
    recipe = PythonBuildpack().env_recipe(root)
    spec = {"test_cmd": "PYTHONWARNINGS='ignore::UserWarning' bin/test -C --verbose"}
    harness = HarnessRunBuildpack(
        spec,
        recipe,
        ["calc/tests/test_core.py"],
        upstream.log_parser("sympy/sympy"),
        "sympy__sympy-1",
        repo="sympy/sympy",
        selects=True,
    )
    with open_sandbox(root, harness, load_settings(), "docker") as box:
        version = box.exec(["python", "-m", "coverage", "--version"], timeout=60).output
        inside = run_tests(box, harness, timeout=300, measure=Measure(coverage=True))
        under = run_tests(
            box, PythonBuildpack(), ["calc/tests/test_core.py"], timeout=300, measure=Measure(coverage=True)
        )
    assert "version 6.2" in version, version
    for report, failing in (
        (inside, "calc/tests/test_core.py:test_clamp_above"),
        (under, "calc/tests/test_core.py::test_clamp_above"),
    ):
        assert report.coverage, report.log[-2000:]
        assert report.coverage[failing]["calc/core.py"] == [2, 4, 5], report.log[-2000:]


STUCK = """import signal
import time


def test_stuck_in_c_code():
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])  # no per-test limit reaches it
    time.sleep(600)
"""


@pytest.mark.parametrize("added", [False, True], ids=["in-the-suite", "added-by-the-session"])
def test_a_baseline_cut_short_by_its_limit_keeps_the_files_it_ran_to_the_end(tmp_path: Path, added: bool) -> None:
    """sympy-15678: a test of its session's third file hung where ``bin/test``'s per-test limit
    could not stop it (in C code), and the baseline ran into the run's limit: the session ended
    in an error. The files the runner shows it ran to the end are the baseline, and from then on
    the whole suite; the file it was in says nothing, and is not run again, even where the
    session added it (a test file the base does not have runs with the suite otherwise)."""
    from rfsn.buildpacks.base import limit_cases
    from rfsn.buildpacks.python.swebench.harnessrun import HarnessRunBuildpack
    from rfsn.controller.executor import Executor
    from rfsn.models import Phase, RunTests
    from rfsn.planners.reproduce.baseline import Baseline, BaselineOptions
    from rfsn.workspace import prepare
    from tests.planners.test_baseline import drive

    root = _repo(tmp_path / "calc")
    stuck = "calc/tests/test_stuck.py"
    if not added:
        (root / stuck).write_text(STUCK)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "calc"], cwd=root, check=True
        )
    workspace = prepare(str(root), tmp_path / "ws")
    if added:
        (workspace.path / stuck).write_text(STUCK)
    suite = ("calc/tests/test_core.py",) if added else ("calc/tests/test_core.py", stuck)
    spec = {"test_cmd": "PYTHONWARNINGS='ignore::UserWarning' bin/test -C --verbose"}
    pack = HarnessRunBuildpack(
        spec,
        PythonBuildpack().env_recipe(root),
        list(suite),
        upstream.log_parser("sympy/sympy"),
        "sympy__sympy-1",
        repo="sympy/sympy",
        selects=True,
    )
    limit_cases(pack, 2)
    options = BaselineOptions(suite=list(suite))
    with open_sandbox(workspace.path, pack, load_settings(), "docker") as box:
        # the limit each run waits out: the files before the stuck one take a second or two, even under load
        executor = Executor(box, pack, workspace, test_timeout=10.0)
        runs = Baseline(options, workspace=workspace, buildpack=pack)
        baseline = drive(runs.run(RunTests(phase=Phase.REPRODUCE)), executor).report
        # a test the session was given to fix, in the file the run did not finish: not cut
        given = Baseline(
            options, workspace=workspace, buildpack=pack, given=("calc/tests/test_stuck.py:test_stuck_in_c_code",)
        )
        uncut = drive(given.run(RunTests(phase=Phase.REPRODUCE)), executor).report
    assert uncut is not None and uncut.timed_out and given.suite == suite
    assert baseline is not None and not baseline.timed_out, baseline.log[-2000:]
    assert {t: s.value for t, s in baseline.tests.items() if ":" in t} == {
        "calc/tests/test_core.py:test_clamp_inside": "passed",
        "calc/tests/test_core.py:test_clamp_below": "passed",
        "calc/tests/test_core.py:test_clamp_above": "failed",
        "calc/tests/test_core.py:test_double": "passed",
    }
    assert runs.suite == ("calc/tests/test_core.py",) and runs.files() == runs.suite
