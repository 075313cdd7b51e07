"""The pytest fork server must be indistinguishable from a cold ``python -m pytest``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from rfsn.buildpacks import select
from rfsn.buildpacks.base import Buildpack, WarmCapable, cases_unlimited, limit_cases
from rfsn.buildpacks.python.warm.client import WarmPytest
from rfsn.models import TestStatus as Status
from rfsn.runner import run_tests
from rfsn.sandbox import Sandbox, open_sandbox
from rfsn.settings import load_settings
from tests.conftest import with_test_patch

# Different layouts: requirements only (not installed), setup.py, src/ layout, unittest classes.
PROJECTS = ["ratelimit", "daterange", "minitpl", "lrucache"]


@pytest.mark.docker
@pytest.mark.parametrize("name", PROJECTS)
def test_warm_runs_report_exactly_what_cold_runs_report(
    name: str, docker_client: Any, devset_repos: Path, devset_instances: dict[str, Any], tmp_path: Path
) -> None:
    """Same statuses for the whole suite and for selected failing tests, warm or cold."""
    repo = with_test_patch(devset_repos, devset_instances[name], tmp_path / name)
    pack = select(repo)
    with open_sandbox(repo, pack, load_settings(), "docker") as box:
        warm = WarmPytest(box)
        assert warm.start()
        cold_all = run_tests(box, pack)
        warm_all = run_tests(box, pack, via=warm)
        assert warm_all.tests == cold_all.tests
        failing = devset_instances[name]["FAIL_TO_PASS"]
        assert run_tests(box, pack, failing, via=warm).tests == run_tests(box, pack, failing).tests


@pytest.mark.docker
def test_warm_run_past_its_timeout_is_killed(docker_client: Any, tmp_path: Path) -> None:
    """A looping test is killed at the timeout and the server keeps serving."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_loop.py").write_text(
        "import time\n\ndef test_loops():\n    while True:\n        time.sleep(0.01)\n\n"
        "def test_ok():\n    assert True\n"
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    pack = select(tmp_path)
    with open_sandbox(tmp_path, pack, load_settings(), "docker") as box:
        warm = WarmPytest(box)
        assert warm.start()
        report = run_tests(box, pack, ["tests/test_loop.py::test_loops"], timeout=2, via=warm)
        assert report.timed_out
        again = run_tests(box, pack, ["tests/test_loop.py::test_ok"], timeout=30, via=warm)
        assert again.passing == ["tests/test_loop.py::test_ok"]
        assert "test_loop" not in box.exec(["ps", "-eo", "args"], timeout=10).output


@pytest.mark.docker
def test_a_preloaded_server_hot_swaps_body_edits_and_hands_back_the_rest(
    docker_client: Any, devset_repos: Path, devset_instances: dict[str, Any], tmp_path: Path
) -> None:
    """Selected tests run in a child of the preloaded project with the edited function swapped
    in, reporting what a cold run reports; an edit outside function bodies goes to the plain
    server (fresh imports of the project), and a whole-suite run is cold."""
    instance = devset_instances["ratelimit"]
    repo = with_test_patch(devset_repos, instance, tmp_path / "ratelimit")
    pack = select(repo)
    failing = instance["FAIL_TO_PASS"]
    with open_sandbox(repo, pack, load_settings(), "docker") as box:
        warm = pack.warm_runner(box)
        assert isinstance(warm, WarmPytest) and warm.hot
        assert run_tests(box, pack, failing, via=warm).failing == sorted(failing)
        source = repo / "ratelimit" / "bucket.py"
        original = source.read_text()
        source.write_text(original.replace("self._tokens > cost", "self._tokens >= cost"))
        fixed = run_tests(box, pack, failing, via=warm)
        assert fixed.passing == sorted(failing) and warm.swapped == 2
        assert fixed.tests == run_tests(box, pack, failing).tests  # as a cold run says
        source.write_text(original + "\nEXTRA = 1\n")  # module level: not swappable
        with capture_logs() as logs:
            handed_back = run_tests(box, pack, failing, via=warm)
        assert handed_back.failing == sorted(failing) and warm.not_swappable == 1
        (why,) = [e["reason"] for e in logs if e["event"] == "warm.not_swappable"]
        assert why == "the edit is not local to function bodies"
        source.write_text(original)
        suite = run_tests(box, pack, via=warm)  # the whole suite: never hot
        assert suite.failing == sorted(failing) and warm.swapped == 2


def test_the_servers_of_a_local_sandbox_exit_once_it_is_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The servers are daemons (out of the sandbox's process group): they must notice that the
    session removed their socket and exit, never outlive it on the host."""
    import os
    import subprocess
    import sys
    import time

    from rfsn.buildpacks.python.buildpack import PythonBuildpack
    from rfsn.sandbox.local import LocalSandbox

    (tmp_path / "test_one.py").write_text("def test_one():\n    assert True\n")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    box = LocalSandbox(tmp_path, None, {}, "2g")
    warm = WarmPytest(box)
    assert warm.start() and warm.hot
    report = run_tests(box, PythonBuildpack(), ["test_one.py::test_one"], via=warm)
    assert report.passing == ["test_one.py::test_one"] and warm.swapped == 1
    scratch = str(box.scratch)

    def servers() -> list[str]:
        ps = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True).stdout
        return [line for line in ps.splitlines() if scratch in line and "server.py" in line]

    assert len(servers()) == 2
    box.close()
    deadline = time.monotonic() + 15
    while servers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert servers() == []


def test_a_run_handed_back_to_the_plain_server_gets_the_cold_start_up_more_minitpl_taskqueue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screening limit learned from forked runs leaves out the project's imports and collection;
    a run the preloaded server hands back (an edit outside function bodies) has them again and gets
    ``cold_start`` more (minitpl's and taskqueue's gold fixes, cut at 1.4 s, passed in 1.5 s); a
    forked run does not."""
    import os
    import sys

    from rfsn.buildpacks.python.buildpack import PythonBuildpack
    from rfsn.sandbox.local import LocalSandbox

    slow = "import time\n\n\ndef slow():\n    time.sleep(2)\n    return 1\n"
    (tmp_path / "lib.py").write_text(slow)
    (tmp_path / "test_one.py").write_text("from lib import slow\n\n\ndef test_one():\n    assert slow() == 1\n")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    box = LocalSandbox(tmp_path, None, {}, "2g")
    warm, pack, test = WarmPytest(box), PythonBuildpack(), ["test_one.py::test_one"]
    assert warm.start() and warm.hot
    warm.cold_start = 60.0
    (tmp_path / "lib.py").write_text(slow + "\nEXTRA = 1\n")  # module level: handed back
    handed_back = run_tests(box, pack, test, timeout=1.0, via=warm)
    assert handed_back.passing == test and warm.not_swappable == 1
    (tmp_path / "lib.py").write_text(slow.replace("return 1", "return 1 + 0"))  # a body edit: forked
    forked = run_tests(box, pack, test, timeout=1.0, via=warm)
    assert forked.timed_out and warm.swapped == 1
    box.close()


def test_a_server_is_out_of_its_starters_process_group_when_the_start_returns_warm_run_flake(
    tmp_path: Path,
) -> None:
    """The sandbox stops what a command left in its process group when the command ends: a server
    forked but not yet in a session of its own (slow to be scheduled, here a second) went with it,
    and its socket stayed with nobody listening."""
    import socket
    import sys
    import time

    from rfsn.buildpacks.python.warm import client
    from rfsn.sandbox.local import LocalSandbox

    starter = tmp_path / "start.py"
    starter.write_text(
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(client.WarmPytest.scripts)!r})\n"
        "setsid = os.setsid\n"
        "os.setsid = lambda: (time.sleep(1), setsid())[1]\n"
        "import pytest_server\n"
        "pytest_server.daemon(sys.argv[1])\n"
    )
    box, server = LocalSandbox(tmp_path, None, {}, "2g"), tmp_path / "server.sock"
    try:
        assert box.exec([sys.executable, str(starter), str(server)], timeout=60).exit_code == 0
        time.sleep(1.5)  # past the server's ``setsid``
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(5)
            conn.connect(str(server))  # refused when the server was stopped with its starter
    finally:
        server.unlink(missing_ok=True)  # the server exits at its next look for its socket
        box.close()


def test_a_whole_suite_run_is_a_fresh_process_never_a_fork(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run that decides plausibility is compared with a cold baseline: it must be cold too. A
    forked child inherits its server's interpreter (here, ``__main__``); pytest's own suite had a
    logging test fail in a forked whole suite and pass cold, on unchanged code."""
    import os
    import sys

    from rfsn.buildpacks.python.buildpack import PythonBuildpack
    from rfsn.sandbox.local import LocalSandbox

    (tmp_path / "test_fresh.py").write_text(
        "import sys\n\ndef test_started_as_python_m_pytest():\n"
        "    spec = getattr(sys.modules['__main__'], '__spec__', None)\n"
        "    assert spec is not None and spec.name == 'pytest.__main__'\n"
    )
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    box = LocalSandbox(tmp_path, None, {}, "2g")
    try:
        warm, pack = WarmPytest(box), PythonBuildpack()
        assert warm.start()
        test = "test_fresh.py::test_started_as_python_m_pytest"
        assert run_tests(box, pack, [test], via=warm).failing == [test]  # a fork is not fresh
        assert run_tests(box, pack, via=warm).passing == [test]  # the whole suite: cold
    finally:
        box.close()


MANY_KINDS = {
    "conftest.py": """
import pytest

@pytest.fixture(scope="session")
def shared():
    return {"hits": 0}

@pytest.fixture
def broken():
    raise RuntimeError("fixture fails")
""",
    "tests/test_kinds.py": """
import sys
import unittest

import pytest

from lib import double

def test_passes(shared):
    shared["hits"] += 1
    print("to stdout")
    assert double(2) == 4

def test_fails():
    assert double(3) == 7

def test_errors(broken):
    pass

@pytest.mark.skip(reason="not today")
def test_skipped():
    pass

@pytest.mark.xfail
def test_expected_failure():
    assert False

@pytest.mark.parametrize("n, m", [(1, 2), (2, 5), (0, 0)], ids=["one", "two wrong", "zero"])
def test_param(n, m):
    assert double(n) == m

def test_capsys(capsys):
    print("seen")
    sys.stderr.write("err")
    assert capsys.readouterr() == ("seen\\n", "err")

class TestGroup:
    def test_in_class(self, shared):
        assert shared["hits"] <= 1

class Legacy(unittest.TestCase):
    def test_unittest(self):
        self.assertEqual(double(5), 11)
""",
    "lib.py": "def double(n):\n    return n * 2\n",
    "pytest.ini": "[pytest]\n",
}


@contextmanager
def _live(root: Path, files: dict[str, str]) -> Iterator[tuple[Sandbox, Buildpack, WarmPytest]]:
    """The project ``files`` in a Docker sandbox, with the Python buildpack's warm runner."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    pack = select(root)
    with open_sandbox(root, pack, load_settings(), "docker") as box:
        warm = pack.warm_runner(box) if isinstance(pack, WarmCapable) else None
        assert isinstance(warm, WarmPytest) and warm.hot
        yield box, pack, warm


@pytest.mark.docker
def test_preloaded_items_run_without_a_new_session_and_report_what_cold_runs_report(
    docker_client: Any, tmp_path: Path
) -> None:
    """Selected tests run through the preloading server's live session (no session header in
    the output: no ``pytest.main``), with every kind of outcome as a cold run reports it, fail
    fast included, and a brief run (both with Python's tracebacks: pytest's cost cachetools'
    screening 65 ms a failure); an edited function is swapped in; other options fall back to
    pytest.main."""
    selected = [
        "tests/test_kinds.py::test_passes",
        "tests/test_kinds.py::test_fails",
        "tests/test_kinds.py::test_errors",
        "tests/test_kinds.py::test_skipped",
        "tests/test_kinds.py::test_expected_failure",
        "tests/test_kinds.py::test_param[one]",
        "tests/test_kinds.py::test_param[two wrong]",
        "tests/test_kinds.py::test_capsys",
        "tests/test_kinds.py::TestGroup::test_in_class",
        "tests/test_kinds.py::Legacy::test_unittest",
    ]
    with _live(tmp_path, MANY_KINDS) as (box, pack, warm):
        for _ in range(2):  # a child never changes the session the next child starts from
            hot = run_tests(box, pack, selected, via=warm)
            cold = run_tests(box, pack, selected)
            assert hot.tests == cold.tests and hot.exit_code == cold.exit_code == 1
            assert "test session starts" in cold.log and "test session starts" not in hot.log
            assert "FAILED tests/test_kinds.py::test_fails" in hot.log  # the short summary
        assert hot.tests["tests/test_kinds.py::test_param[two wrong]"] == "failed"
        assert hot.tests["tests/test_kinds.py::test_errors"] == "error"
        fast = run_tests(box, pack, selected, via=warm, max_failures=1)
        assert fast.tests == run_tests(box, pack, selected, max_failures=1).tests
        assert fast.failing == ["tests/test_kinds.py::test_fails"]
        # a run that stops at failures writes Python's own tracebacks, still in the live session
        assert "Traceback (most recent call last)" in fast.log and "test session starts" not in fast.log
        assert "Traceback (most recent call last)" not in hot.log
        brief = run_tests(box, pack, selected, via=warm, brief=True)  # a screening run to its end
        assert brief.tests == hot.tests and "Traceback (most recent call last)" in brief.log
        assert "test session starts" not in brief.log
        (tmp_path / "lib.py").write_text("def double(n):\n    return n * 2 + (n == 3)\n")
        edited = run_tests(box, pack, ["tests/test_kinds.py::test_fails"], via=warm)
        assert edited.passing == ["tests/test_kinds.py::test_fails"] and "test session starts" not in edited.log
        swapped = warm.swapped
        verbose = warm.exec(["python", "-m", "pytest", "-v", "tests/test_kinds.py::test_fails"], timeout=60)
        assert "test session starts" in verbose.output and warm.swapped == swapped + 1


@pytest.mark.docker
def test_a_project_hooking_session_start_gets_a_session_per_run(docker_client: Any, tmp_path: Path) -> None:
    """Session hooks of the project's own must run once per run: such a project's requests go
    through pytest.main in the preloaded child."""
    files = {
        **MANY_KINDS,
        "conftest.py": MANY_KINDS["conftest.py"]
        + "\ndef pytest_sessionstart(session):\n    print('session hook ran')\n",
    }
    with _live(tmp_path, files) as (box, pack, warm):
        hot = run_tests(box, pack, ["tests/test_kinds.py::test_passes"], via=warm)
        assert hot.passing == ["tests/test_kinds.py::test_passes"] and "test session starts" in hot.log


@pytest.mark.docker
def test_a_file_that_cannot_be_collected_leaves_the_others_live(docker_client: Any, tmp_path: Path) -> None:
    """A test module that cannot import (a missing optional dependency) keeps its own tests
    off the live session, not the others'; a run naming it reports what a cold run reports."""
    files = {
        **MANY_KINDS,
        "tests/test_optional.py": "import not_installed_anywhere\n\ndef test_needs_it():\n    pass\n",
    }
    with _live(tmp_path, files) as (box, pack, warm):
        live = run_tests(box, pack, ["tests/test_kinds.py::test_fails"], via=warm)
        assert live.failing == ["tests/test_kinds.py::test_fails"] and "test session starts" not in live.log
        both = ["tests/test_kinds.py::test_passes", "tests/test_optional.py::test_needs_it"]
        hot = run_tests(box, pack, both, via=warm)
        assert hot.tests == run_tests(box, pack, both).tests and "test session starts" in hot.log


def test_an_edit_to_a_module_pytest_itself_imported_reaches_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project pytest depends on (iniconfig, pluggy, a plugin the environment loads) is imported
    by the server before any request: without preload, a run after an edit must see the edit."""
    import os
    import sys

    from rfsn.buildpacks.python.buildpack import PythonBuildpack
    from rfsn.sandbox.local import LocalSandbox

    (tmp_path / "helper.py").write_text("def value():\n    return 1\n")
    (tmp_path / "test_h.py").write_text("import helper\n\ndef test_h():\n    assert helper.value() == 2\n")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setenv("PYTEST_PLUGINS", "helper")  # pytest imports it at the server's start
    box = LocalSandbox(tmp_path, None, {}, "2g")
    try:
        warm = WarmPytest(box, hot_swap=False)
        assert warm.start()
        assert run_tests(box, PythonBuildpack(), ["test_h.py::test_h"], via=warm).failing == ["test_h.py::test_h"]
        (tmp_path / "helper.py").write_text("def value():\n    return 2\n")
        assert run_tests(box, PythonBuildpack(), ["test_h.py::test_h"], via=warm).passing == ["test_h.py::test_h"]
    finally:
        box.close()


@pytest.mark.docker
def test_a_run_with_no_per_test_limit_is_served_live_in_a_session_that_limits_tests_history_markdown(
    docker_client: Any, tmp_path: Path
) -> None:
    """A repair session limits each test (``limit_cases``), and a candidate's targets run with no
    per-test limit (``cases_unlimited``): that run, screened for every candidate, is served by the
    live session, not by a ``pytest.main`` of its own; a run with the limit is served live too,
    and gets it."""
    files = {**MANY_KINDS, "tests/test_slow.py": "import time\n\ndef test_slow():\n    time.sleep(30)\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    pack = select(tmp_path)
    limit_cases(pack, 2.0)
    with open_sandbox(tmp_path, pack, load_settings(), "docker") as box:
        warm = pack.warm_runner(box) if isinstance(pack, WarmCapable) else None
        assert isinstance(warm, WarmPytest) and warm.hot
        with cases_unlimited(pack):
            targets = run_tests(box, pack, ["tests/test_kinds.py::test_fails"], via=warm)
        assert targets.failing == ["tests/test_kinds.py::test_fails"] and "test session starts" not in targets.log
        limited = run_tests(box, pack, ["tests/test_slow.py::test_slow"], via=warm, timeout=25)
        assert limited.tests == {"tests/test_slow.py::test_slow": Status.TIMEOUT}  # its own limit holds
        assert "test session starts" not in limited.log  # live too: the limit as pytest-timeout's mark
        cold = run_tests(box, pack, ["tests/test_slow.py::test_slow"], timeout=25)
        assert cold.tests == limited.tests
