"""repair_workspace: a real session in the local sandbox, and its six outputs whatever the end."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import structlog

from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.controller.trajectory import read
from rfsn.models import SessionResult, SessionStatus
from rfsn.observability.logging import configure
from rfsn.planners.reproduce.baseline import BaselineOptions
from rfsn.settings import Settings, load_settings
from rfsn.workspace import Workspace, prepare
from tests.controller.conftest import BUGGY, FILES, FIX_PATCH, FIXED
from tests.sandbox.projects import make_project

OUTPUTS = ("patch.diff", "result.json", "trajectory.jsonl", "events.jsonl", "report.md", "metrics.prom")


@pytest.fixture(autouse=True)
def _logging() -> Iterator[None]:
    """events.jsonl is fed by rfsn's structlog setup, as the CLI configures it."""
    configure("warning")
    yield
    structlog.reset_defaults()


@pytest.fixture(scope="module")
def local_settings(rfsn_home: Path) -> Settings:
    """Local sandbox; its venv (built from PyPI) in the run's rfsn home, once a worker for every module
    whose projects have the same recipe. The sessions given a model run with ``cache=False``."""
    return load_settings(home=rfsn_home, sandbox="local", test_timeout=120)


def session(
    workspace: Workspace, settings: Settings, out: Path, baseline: BaselineOptions | None = None, **options: object
) -> SessionResult:
    opts = RepairOptions(out_dir=out, sandbox="local", session_id="s1", **{"timeout": 300, **options})  # type: ignore[arg-type]
    return repair_workspace(workspace, opts, settings, baseline=baseline)


def assert_outputs(out: Path, result: SessionResult) -> None:
    for name in OUTPUTS:
        assert (out / name).is_file(), f"{name} missing"
    assert SessionResult.model_validate_json((out / "result.json").read_text()) == result
    assert (out / "patch.diff").read_text() == result.patch
    assert f"# rfsn repair: {result.status.value}" in (out / "report.md").read_text()
    assert "rfsn_sessions_total" in (out / "metrics.prom").read_text()
    events = [json.loads(line)["event"] for line in (out / "events.jsonl").read_text().splitlines()]
    assert events[0] == "session.start" and events[-1] == "session.end"
    assert len(read(out / "trajectory.jsonl")) == result.steps


def model_session(
    tmp_path: Path,
    local_settings: Settings,
    files: dict[str, str],
    replies: list[str],
    problem: str,
    name: str = "calc",
) -> SessionResult:
    """Issue-only: a session of the openai planner (the real client) against the scripted
    loopback server, on a project of ``files``, in the local sandbox."""
    from rfsn.llm.fake_server import FakeServer, Scripted

    repo = make_project(tmp_path / "src", files, name=name)
    settings = load_settings(
        home=local_settings.home, sandbox="local", test_timeout=120, openai_api_key="sk-test-issue-only-0123456789"
    )
    with FakeServer([Scripted(text=reply) for reply in replies]) as server:
        return session(
            prepare(str(repo), tmp_path / "ws"),
            settings,
            tmp_path / "out",
            planner="openai",
            model="m",
            base_url=server.base_url("openai"),
            problem=problem,
            cache=False,
        )


def test_an_error_inside_the_session_still_writes_every_output(workspace: Workspace, tmp_path: Path) -> None:
    result = session(workspace, load_settings(home=tmp_path / "home"), tmp_path / "out", planner="nope")
    assert result.status is SessionStatus.ERROR
    assert "unknown planner 'nope'" in result.message
    assert result.steps == 0 and result.patch == ""
    assert_outputs(tmp_path / "out" / "s1", result)


def test_a_project_whose_declared_pythons_cannot_be_had_ends_env_error_saying_so(
    tmp_path: Path, local_settings: Settings
) -> None:
    """A 2019 project that declares only Python 3.6 and 3.7 and excludes every later one (issue
    45), with no archive of either."""
    repo = make_project(
        tmp_path / "src",
        {
            "tox.ini": "[tox]\nenvlist = py36, py37\n",
            "setup.cfg": "[options]\npython_requires = <3.8\n",
            "tests/test_a.py": "def test_a():\n    pass\n",
        },
    )
    result = session(prepare(str(repo), tmp_path / "ws"), local_settings, tmp_path / "out")
    assert result.status is SessionStatus.ENV_ERROR and result.steps == 0
    assert result.message.startswith("Python 3.6, 3.7 is not shipped by Debian (only 3.11, 3.13, 3.9)")
    assert_outputs(tmp_path / "out" / "s1", result)


def test_a_local_session_fixes_a_one_operator_bug(
    workspace: Workspace, tmp_path: Path, local_settings: Settings
) -> None:
    result = session(workspace, local_settings, tmp_path / "out")
    assert result.status is SessionStatus.FIXED, result.message
    assert result.failing_before == ["tests/test_calc.py::test_add"] and result.failing_after == []
    assert "-    return a - b\n+    return a + b\n" in result.patch
    assert (workspace.path / "calc.py").read_text() == FIXED  # the session leaves the fix applied
    assert set(result.phase_durations) == {"reproduce", "localize", "patch", "verify"}
    assert_outputs(tmp_path / "out" / "s1", result)
    # what the environment is and why, in result.json and report.md
    assert result.environment[0].startswith("Python 3.11: ") and "packages as " in result.environment[1]
    assert f"## Environment\n\n- {result.environment[0]}\n" in (tmp_path / "out" / "s1" / "report.md").read_text()
    # the template that made the patch and the checks it passed, in result.json and report.md
    assert result.template and result.checks == ["minimal: one edit"]
    report_md = (tmp_path / "out" / "s1" / "report.md").read_text()
    assert f"- template: `{result.template}`\n- minimal: one edit\n" in report_md
    # each screened candidate, in order, with the score it was ranked by and its outcome
    events = [json.loads(line) for line in (tmp_path / "out" / "s1" / "events.jsonl").read_text().splitlines()]
    screened = [e for e in events if e["event"] == "planner.screened"]
    assert len(screened) == result.candidates_tried and all(isinstance(e["score"], float) for e in screened)
    assert {"plausible": result.template} == {
        e["outcome"]: e["template"] for e in screened if e["outcome"] == "plausible"
    }


def test_a_file_a_test_writes_into_the_working_copy_is_no_part_of_the_patch_lxml_8ebcd2c(
    tmp_path: Path, local_settings: Settings
) -> None:
    """A test that writes a file where it runs (a fixture it saves, a report) leaves it in the working
    copy: the patch holds only what the session's edits touched."""
    writes = "\n\ndef test_saves():\n    with open('saved.xml', 'w') as fh:\n        fh.write('<a/>')\n"
    files = {**FILES, "tests/test_calc.py": FILES["tests/test_calc.py"] + writes}
    workspace = prepare(str(make_project(tmp_path / "src", files, name="calc")), tmp_path / "ws")
    result = session(workspace, local_settings, tmp_path / "out")
    assert result.status is SessionStatus.FIXED, result.message
    assert (workspace.path / "saved.xml").is_file()  # the tests wrote it, the session ran them
    assert "saved.xml" not in result.patch and "-    return a - b\n+    return a + b\n" in result.patch
    assert (tmp_path / "out" / "s1" / "patch.diff").read_text() == result.patch


def test_a_passing_suite_is_not_reproduced(tmp_path: Path, local_settings: Settings) -> None:
    repo = make_project(tmp_path / "src", {**FILES, "calc.py": FIXED}, name="calc")
    result = session(prepare(str(repo), tmp_path / "ws"), local_settings, tmp_path / "out")
    assert result.status is SessionStatus.NOT_REPRODUCED
    assert result.steps == 2  # the baseline run, then the finish
    assert_outputs(tmp_path / "out" / "s1", result)


def test_a_session_with_a_suite_runs_only_those_files_for_the_whole_suite(
    tmp_path: Path, local_settings: Settings
) -> None:
    """``BaselineOptions.suite``: the baseline and the final check run those test files; a failing
    test elsewhere is neither run nor a target."""
    elsewhere = "def test_elsewhere():\n    assert False, 'unrelated'\n"
    repo = make_project(tmp_path / "src", {**FILES, "tests/test_elsewhere.py": elsewhere}, name="calc")
    out = tmp_path / "out"
    result = session(
        prepare(str(repo), tmp_path / "ws"), local_settings, out, baseline=BaselineOptions(suite=["tests/test_calc.py"])
    )
    assert result.status is SessionStatus.FIXED, result.message
    assert result.failing_before == ["tests/test_calc.py::test_add"]

    def ran(out: Path) -> set[str]:
        return {
            t
            for step in read(out / "s1" / "trajectory.jsonl")
            if step["outcome"]["report"]
            for t in step["outcome"]["report"]["tests"]
        }

    assert "tests/test_calc.py::test_add" in ran(out) and "tests/test_elsewhere.py::test_elsewhere" not in ran(out)
    session(prepare(str(repo), tmp_path / "ws2"), local_settings, tmp_path / "out2")
    assert "tests/test_elsewhere.py::test_elsewhere" in ran(tmp_path / "out2")  # the whole suite


def fixed_with(tmp_path: Path, settings: Settings, name: str, text: str, ignored: str) -> Path:
    """A session on the calc project with the test file ``name`` in its suite too (``ignored``:
    what it writes, kept out of git): fixed; its output directory."""
    repo = make_project(tmp_path / "src", {**FILES, name: text, ".gitignore": f"{ignored}\n"}, name="calc")
    result = session(
        prepare(str(repo), tmp_path / "ws"),
        settings,
        tmp_path / "out",
        baseline=BaselineOptions(suite=["tests/test_calc.py", name]),
    )
    assert result.status is SessionStatus.FIXED, result.message
    return tmp_path / "out" / "s1"


#: a test file whose import fails (a module that is not installed) and whose interpreter, once
#: it has tried, crashes when it tries again (astropy 3.1's ``coordinates`` in its environment
#: crashes so now and then)
UNCOLLECTED = """import os
import signal

_tried = os.path.join(os.path.dirname(__file__), ".tried")  # ignored by git (.gitignore)
if os.path.exists(_tried):
    os.kill(os.getpid(), signal.SIGSEGV)
open(_tried, "w").close()
import not_installed_anywhere  # noqa: E402
"""


def test_a_suite_file_that_collected_nothing_at_baseline_is_left_out_of_the_whole_suite(
    tmp_path: Path, local_settings: Settings
) -> None:
    """A test file of the session's suite whose import failed at baseline holds no test that
    passed, and no target (its failure is the environment's): the later runs of the whole suite
    (coverage, screening) leave it out, and so do not meet the crash trying it again brings."""
    out = fixed_with(tmp_path, local_settings, "tests/test_uncollected.py", UNCOLLECTED, ".tried")
    runs = [step for step in read(out / "trajectory.jsonl") if step["outcome"]["report"]]
    assert runs[0]["outcome"]["report"]["tests"]["tests/test_uncollected.py"] == "error"
    assert all("tests/test_uncollected.py" not in step["outcome"]["report"]["tests"] for step in runs[1:])


#: a test file whose first import crashes the interpreter (SIGSEGV), and no later one does
CRASHES_ONCE = """import os
import signal

_crashed = os.path.join(os.path.dirname(__file__), ".crashed")  # ignored by git (.gitignore)
if not os.path.exists(_crashed):
    open(_crashed, "w").close()
    os.kill(os.getpid(), signal.SIGSEGV)


def test_fine():
    assert True
"""


def test_a_baseline_whose_runner_died_of_a_signal_runs_again(tmp_path: Path, local_settings: Settings) -> None:
    """A crash of the interpreter now and then (a C extension's) says nothing of the tests: the
    baseline runs again (its own step: the same run, without widening collection again), and the
    session goes on from the run that finished. Before, the crash's placeholders (every file an
    error) were the baseline's tests, and no test had run."""
    out = fixed_with(tmp_path, local_settings, "tests/test_crashes_once.py", CRASHES_ONCE, ".crashed")
    crashed, again = read(out / "trajectory.jsonl")[:2]
    assert crashed["proposal"].pop("collect") == [] and crashed["proposal"] == again["proposal"]
    assert crashed["outcome"]["report"]["exit_code"] > 128
    assert again["outcome"]["report"]["tests"]["tests/test_crashes_once.py::test_fine"] == "passed"
    events = [json.loads(line)["event"] for line in (out / "events.jsonl").read_text().splitlines()]
    assert events.count("baseline.again") == 1


#: a project that is its own pytest plugin (as pytest is in its repository): reporting a failure
#: runs its code, and its bug crashes pytest (INTERNALERROR) before the failing test is reported
PLUGIN = {
    "conftest.py": 'pytest_plugins = ["heading"]\n',
    "heading.py": (
        "import pytest\n\n\n"
        "def indent(text, depth):\n"
        "    if depth > 0:\n"
        "        raise ValueError(f'a negative depth: {depth}')\n"
        "    return '  ' * depth + text\n\n\n"
        "@pytest.hookimpl(hookwrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n"
        "    report = outcome.get_result()\n"
        "    if report.failed:\n"
        "        report.sections.append(('where', indent(report.nodeid, 1)))\n"
    ),
    "tests/test_flat.py": "from heading import indent\n\n\ndef test_flat():\n    assert indent('x', 0) == 'x'\n",
}
NESTED = "from heading import indent\n\n\ndef test_nested():\n    assert indent('x', 2) == '    x'\n"


def test_a_target_the_projects_own_crash_left_unreported_is_failing_not_unknown(
    tmp_path: Path, local_settings: Settings
) -> None:
    """pytest-7168: the target's failure makes the project's code crash pytest before the target
    is reported. The harness's parser counts a test the run never reported as failed; so does
    rfsn, when the run was cut short by the project's own crash (not "no such test")."""
    repo = make_project(tmp_path / "src", {**PLUGIN, "tests/test_nested.py": NESTED}, name="heading")
    target = "tests/test_nested.py::test_nested"
    result = session(prepare(str(repo), tmp_path / "ws"), local_settings, tmp_path / "out", tests=[target])
    assert result.status is SessionStatus.FIXED, result.message
    assert result.failing_before == [target] and result.failing_after == []
    assert "-    if depth > 0:\n+    if depth < 0:\n" in result.patch


def test_a_named_test_whose_module_cannot_import_is_a_failing_target_not_unknown(
    tmp_path: Path, local_settings: Settings
) -> None:
    """voluptuous 2016: the named test's module imports what the fix adds, so pytest reports a
    collection error for its file and never the test. The harness counts the test failed; so does
    rfsn (a target, not "no such test"); a test of a file that does not exist is still unknown."""
    hidden = "from calc import humanize\n\n\ndef test_money():\n    assert humanize.money(1) == '$1'\n"
    repo = make_project(tmp_path / "src", {**FILES, "tests/test_humanize.py": hidden}, name="calc")
    target = "tests/test_humanize.py::test_money"
    result = session(prepare(str(repo), tmp_path / "ws"), local_settings, tmp_path / "out", tests=[target])
    assert result.status is SessionStatus.NOT_FIXED, result.message  # no template writes a module
    assert result.failing_before == [target]
    absent = session(
        prepare(str(repo), tmp_path / "ws2"),
        local_settings,
        tmp_path / "out2",
        tests=["tests/test_absent.py::test_money"],
    )
    assert absent.status is SessionStatus.ERROR
    assert absent.message.startswith("no such test: tests/test_absent.py::test_money"), absent.message


def test_a_reproduction_that_crashes_the_runner_in_the_projects_code_reproduces(
    tmp_path: Path, local_settings: Settings
) -> None:
    """Issue-only, pytest-7168: the model's new test makes the project's code crash pytest before
    the test is reported, after another test of the file passed. The run was cut short by the
    problem itself: the test functions the file defines that it never reported are the targets
    (not "no test of the new file was collected", nor "the new tests error": pytest's record of
    its own crash)."""
    flat_first = NESTED.replace(
        "\n\n\ndef test_nested", "\n\n\ndef test_flat():\n    assert indent('x', 0) == 'x'\n\n\ndef test_nested"
    )  # reported, then the next test crashes pytest
    reproduction = f"tests/test_issue.py\n```python\n{flat_first}```\n"
    fix = (
        "```diff\n--- a/heading.py\n+++ b/heading.py\n@@ -4,3 +4,3 @@\n def indent(text, depth):\n"
        "-    if depth > 0:\n+    if depth < 0:\n         raise ValueError(f'a negative depth: {depth}')\n```\n"
    )
    problem = "indent('x', 2) raises 'a negative depth: 2', and a failing test crashes pytest (INTERNALERROR)."
    result = model_session(tmp_path, local_settings, PLUGIN, [reproduction, fix], problem, name="heading")
    assert result.status is SessionStatus.FIXED, result.message
    assert result.failing_before == ["tests/test_issue.py::test_nested"] and result.failing_after == []
    assert "+    if depth < 0:" in result.patch and "test_issue" not in result.patch


def test_a_spent_step_budget_ends_the_session(workspace: Workspace, tmp_path: Path, local_settings: Settings) -> None:
    result = session(workspace, local_settings, tmp_path / "out", max_steps=3)
    assert result.status is SessionStatus.BUDGET_EXHAUSTED
    assert result.steps == 3  # baseline, coverage, the first candidate's edit
    assert result.failing_before == ["tests/test_calc.py::test_add"]  # known once the baseline ran
    assert result.patch == ""  # a candidate still applied is not a fix
    assert_outputs(tmp_path / "out" / "s1", result)


def test_building_the_environment_is_not_paid_out_of_the_sessions_time_budget(
    workspace: Workspace, tmp_path: Path, local_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time budget is the repair's, counted from when the sandbox is ready; how long the
    environment took is reported apart. The history corpus's repair run (s5): a cold image took
    45 to 130 s of a 240 s budget, so a session's chance depended on what the image cache held."""
    import contextlib
    import time
    import types

    from rfsn.controller import budget, ending
    from rfsn.controller import session as session_module

    # the session's clocks (its budget, its environment's and its whole duration) read a monotonic
    # time that the slow open moves on, as a long image build would, without the test waiting it out
    offset = [0.0]
    clock = types.SimpleNamespace(monotonic=lambda: time.monotonic() + offset[0])
    for module in (budget, ending, session_module):
        monkeypatch.setattr(module, "time", clock)
    opened = session_module.open_sandbox

    @contextlib.contextmanager
    def slow_open(*args: object, **kwargs: object) -> Iterator[object]:
        with opened(*args, **kwargs) as sandbox:  # type: ignore[arg-type]
            offset[0] += 26  # an image build longer than the whole budget
            yield sandbox

    monkeypatch.setattr(session_module, "open_sandbox", slow_open)
    result = session(workspace, local_settings, tmp_path / "out", timeout=25)
    assert result.status is SessionStatus.FIXED, result.message
    assert result.environment_seconds >= 26 and result.duration >= result.environment_seconds
    out = tmp_path / "out" / "s1"
    ready = [e for e in events_of(out) if e["event"] == "session.sandbox_ready"]
    assert len(ready) == 1 and float(ready[0]["seconds"]) >= 26  # type: ignore[arg-type]
    report = (out / "report.md").read_text()
    assert f"the environment (built or reused, outside the time budget): {result.environment_seconds:.1f}s" in report
    assert_outputs(out, result)


def events_of(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]


def test_a_search_the_budget_cut_logs_its_end_in_its_own_session(
    workspace: Workspace, tmp_path: Path, local_settings: Settings
) -> None:
    """Every search a session opens ends with it, so what it logs as it ends is that session's. The
    history corpus's repair run (s5): a template search cut by the budget was left open, and its
    ``template.budget`` came when it was collected, in the worker's next session (or never)."""
    first = session(workspace, local_settings, tmp_path / "out", max_steps=4)  # the baseline's two runs, a try
    assert first.status is SessionStatus.BUDGET_EXHAUSTED
    ended = [e for e in events_of(tmp_path / "out" / "s1") if e["event"] == "template.budget"]
    assert [(e["session_id"], e["tried"]) for e in ended] == [("s1", 1)]
    assert events_of(tmp_path / "out" / "s1")[-1]["event"] == "session.end"
    passing = make_project(tmp_path / "src2", {**FILES, "calc.py": FIXED}, name="calc")
    options = RepairOptions(out_dir=tmp_path / "out", sandbox="local", session_id="s2", timeout=300)
    # whatever the first session left open is collected inside the next one
    repair_workspace(
        prepare(str(passing), tmp_path / "ws2"), options, local_settings, on_step=lambda step: gc.collect()
    )
    assert [e for e in events_of(tmp_path / "out" / "s2") if e["event"] == "template.budget"] == []


def test_the_report_names_the_patchs_concerns_and_the_alternatives() -> None:
    from rfsn.controller.report import render_report
    from rfsn.models import Alternative, SessionResult, SessionStatus

    result = SessionResult(
        session_id="s",
        status=SessionStatus.FIXED,
        patch="--- a\n+++ b\n",
        concerns=["f() now returns None where it returned a number"],
        alternatives=[Alternative(description="x -> y", patch="--- c\n+++ d\n")],
    )
    text = render_report(result, "repo")
    assert "## Concerns about the patch\n\n- f() now returns None where it returned a number" in text
    assert "## Alternative 1: x -> y (no concerns)\n\n```diff\n--- c\n+++ d\n```" in text
    plain = render_report(SessionResult(session_id="s", status=SessionStatus.NOT_FIXED), "repo")
    assert "Concerns" not in plain and "Alternative" not in plain


def test_the_report_names_the_template_of_the_patch_and_the_checks_it_passed() -> None:
    from rfsn.controller.report import render_report
    from rfsn.models import SessionResult, SessionStatus

    checks = ["minimal: one edit", "dropped m.py:2 `x.split` -> `x.rsplit`: the patch held without it"]
    text = render_report(
        SessionResult(
            session_id="s", status=SessionStatus.FIXED, patch="--- a\n+++ b\n", template="operator", checks=checks
        ),
        "repo",
    )
    assert "```\n\n- template: `operator`\n- minimal: one edit\n- dropped m.py:2 " in text
    plain = render_report(SessionResult(session_id="s", status=SessionStatus.NOT_FIXED), "repo")
    assert "template" not in plain


KNOWN = (
    "from calc import add\n\n\ndef test_zero():\n    assert add(0, 0) == 0\n\n\n"
    "def test_difference_is_kept():\n    assert add(5, 3) == 2\n"
)
#: the model's reproduction: a failing test of the problem, and a copy of the neighbour that
#: asserts the bug (it passes before any fix, and restates the old test: the right fix breaks both)
COPIES_A_NEIGHBOUR = (
    "tests/test_add_sums.py\n```python\nfrom calc import add\n\n\n"
    "def test_add_sums():\n    assert add(2, 3) == 5\n\n\n"
    "def test_difference_is_kept():\n    assert add(5, 3) == 2\n```\n"
)


def test_a_reproductions_own_passing_test_that_the_fix_breaks_is_a_concern_not_a_refusal(
    tmp_path: Path, local_settings: Settings
) -> None:
    """Issue-only: the model's file copies a neighbour that passes before any fix. The right fix
    breaks the copy and the old test it restates; both are the verdict's concerns, and the fix
    is `fixed` (before, the copy was a passing test the fix broke: no plausible patch)."""
    result = model_session(
        tmp_path,
        local_settings,
        {"calc.py": BUGGY, "tests/test_calc.py": KNOWN},
        [COPIES_A_NEIGHBOUR, f"```diff\n{FIX_PATCH}```\n"],
        "add(2, 3) returns -1, not 5",
    )
    assert result.status is SessionStatus.FIXED, result.message
    assert result.failing_before == ["tests/test_add_sums.py::test_add_sums"]
    assert "return a + b" in result.patch and "tests/" not in result.patch
    assert sorted(result.concerns) == [
        "tests/test_add_sums.py::test_difference_is_kept no longer passes: the reproduction's own test, "
        "which passed before any fix",
        "tests/test_calc.py::test_difference_is_kept no longer passes: the reproduction restates it with "
        "new expectations",
    ]


LISTS_ITS_DIRECTORY = (
    "import os\n\n\ndef test_the_test_files_are_known():\n"
    "    here = os.path.dirname(os.path.abspath(__file__))\n"
    "    assert sorted(f for f in os.listdir(here) if f.endswith('.py')) == "
    "['test_calc.py', 'test_layout.py']\n"
)
REPRODUCES = (
    "tests/test_add_sums.py\n```python\nfrom calc import add\n\n\n"
    "def test_add_sums():\n    assert add(2, 3) == 5\n```\n"
)


def test_a_test_the_reproductions_file_breaks_is_no_regression_of_the_fix(
    tmp_path: Path, local_settings: Settings
) -> None:
    """Issue-only: the baseline ran before the model's file existed, and a test that lists its
    directory fails once it is there, with or without a fix. Run with no candidate applied, it
    fails too: it is set aside, and the right fix is `fixed` (before, it was a passing test the
    fix broke: no plausible patch, as pylint-7114's gold patch was). Here the coverage run, made
    with no candidate applied, is the run that shows it (``test_meta`` has the whole-suite run,
    when the coverage run did not reach the test)."""
    files = {
        "calc.py": BUGGY,
        "tests/test_calc.py": "from calc import add\n\n\ndef test_zero():\n    assert add(0, 0) == 0\n",
        "tests/test_layout.py": LISTS_ITS_DIRECTORY,
    }
    result = model_session(
        tmp_path, local_settings, files, [REPRODUCES, f"```diff\n{FIX_PATCH}```\n"], "add(2, 3) returns -1, not 5"
    )
    assert result.status is SessionStatus.FIXED, result.message
    assert result.failing_before == ["tests/test_add_sums.py::test_add_sums"]
    assert "return a + b" in result.patch and "tests/" not in result.patch
    events = [json.loads(line) for line in (tmp_path / "out" / "s1" / "events.jsonl").read_text().splitlines()]
    unsteady = [e for e in events if e["event"] == "planner.unsteady"]
    assert [e["tests"] for e in unsteady] == [["tests/test_layout.py::test_the_test_files_are_known"]]
    assert result.concerns == [
        "tests/test_layout.py::test_the_test_files_are_known does not pass with the "
        "reproduction's file in place, with or without the patch"
    ]


CALLED_OBSOLETE = f"OBSOLETE: tests/test_calc.py::test_difference_is_kept\n```diff\n{FIX_PATCH}```\n"


def test_an_old_test_the_model_calls_obsolete_when_the_fix_breaks_it_is_a_concern_not_a_refusal(
    tmp_path: Path, local_settings: Settings
) -> None:
    """Issue-only: an old test asserts the bug and the reproduction does not restate it (the
    project's fix removed it, as pytest-5413's test patch removed ``test_excinfo_str``). The right
    fix breaks it; told so, the model calls it obsolete, and the fix is `fixed` with a concern
    that names it (before, no plausible patch). The tests covering the edit form a tier that
    stops at its first failure: the obsolete test is not among them."""
    unrelated = "".join(f"def test_unrelated_{n}():\n    assert {n} == {n}\n\n\n" for n in range(6))
    files = {"calc.py": BUGGY, "tests/test_calc.py": KNOWN, "tests/test_other.py": unrelated}
    result = model_session(
        tmp_path,
        local_settings,
        files,
        [REPRODUCES, f"```diff\n{FIX_PATCH}```\n", CALLED_OBSOLETE],
        "add(2, 3) returns -1, not 5",
    )
    assert result.status is SessionStatus.FIXED, result.message
    screened = [
        s["proposal"]["rationale"]
        for s in read(tmp_path / "out" / "s1" / "trajectory.jsonl")
        if s["proposal"]["intent"] == "run_tests" and "covering" in s["proposal"]["rationale"]
    ]
    assert len(screened) == 2, screened  # the candidate's first screening, then with the test called obsolete
    assert result.candidates_tried == 2
    assert "return a + b" in result.patch and "tests/" not in result.patch
    assert result.concerns == [
        "tests/test_calc.py::test_difference_is_kept no longer passes: the model called "
        "it obsolete (it asserts the behaviour the problem asks to change)"
    ]
    events = [json.loads(line) for line in (tmp_path / "out" / "s1" / "events.jsonl").read_text().splitlines()]
    called = [e for e in events if e["event"] == "planner.obsolete"]
    assert [e["accepted"] for e in called] == [["tests/test_calc.py::test_difference_is_kept"]]


def test_a_new_patch_sent_with_the_tests_it_calls_obsolete_is_screened_with_them_set_aside(
    tmp_path: Path, local_settings: Settings
) -> None:
    """Told that its fix broke an old test, the model answers with another fix and the test
    called obsolete: the names count for that patch too once it is seen to break the same test
    (before, the new patch was screened with nothing set aside and lost: no further round)."""
    other = FIX_PATCH.replace("+    return a + b", "+    return b + a")
    assert other != FIX_PATCH
    files = {"calc.py": BUGGY, "tests/test_calc.py": KNOWN}
    result = model_session(
        tmp_path,
        local_settings,
        files,
        [REPRODUCES, f"```diff\n{FIX_PATCH}```\n", CALLED_OBSOLETE.replace(FIX_PATCH, other)],
        "add(2, 3) returns -1, not 5",
    )
    assert result.status is SessionStatus.FIXED, result.message
    assert "return b + a" in result.patch
    assert result.concerns == [
        "tests/test_calc.py::test_difference_is_kept no longer passes: the model called "
        "it obsolete (it asserts the behaviour the problem asks to change)"
    ]
    events = [json.loads(line) for line in (tmp_path / "out" / "s1" / "events.jsonl").read_text().splitlines()]
    called = [e for e in events if e["event"] == "planner.obsolete"]
    assert [e["accepted"] for e in called] == [[], ["tests/test_calc.py::test_difference_is_kept"]]


@pytest.mark.parametrize("named", ["tests/test_calc.py::test_zero", "tests/test_calc.py::test_difference"])
def test_a_model_cannot_call_obsolete_a_test_the_fix_did_not_break(
    tmp_path: Path, local_settings: Settings, named: str
) -> None:
    """Only the tests the candidate broke may be called obsolete, by their id or their function:
    another name (a test that still passes, a prefix of the broken one) sets nothing aside."""
    reply = CALLED_OBSOLETE.replace("tests/test_calc.py::test_difference_is_kept", named)
    result = model_session(
        tmp_path,
        local_settings,
        {"calc.py": BUGGY, "tests/test_calc.py": KNOWN},
        [REPRODUCES, reply],
        "add(2, 3) returns -1, not 5",
    )
    assert result.status is SessionStatus.NOT_FIXED, result.message
    assert result.candidates_tried == 1  # named nothing it broke: the same patch is not screened again
    events = [json.loads(line) for line in (tmp_path / "out" / "s1" / "events.jsonl").read_text().splitlines()]
    assert [e["accepted"] for e in events if e["event"] == "planner.obsolete"] == [[]]


def test_a_plausible_patch_the_budget_cuts_before_verify_is_returned_with_its_evidence_humanize_e5a3976(
    tmp_path: Path, local_settings: Settings
) -> None:
    """A session whose budget ends while it holds a plausible patch returns that patch, saying
    verify was cut. The history corpus's repair run (s6): the gold patch was plausible 10 s
    before the end, the next candidate's screening took the rest, and the session kept none."""
    from rfsn.llm.fake_server import FakeServer, Scripted

    fix = f"```diff\n{FIX_PATCH}```\n"
    slow = (
        "```diff\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,4 @@\n+import time\n+time.sleep(600)\n"
        " def add(a, b):\n     return a - b\n```\n"
    )  # the model's answer comes after the budget's end (its screening alone no longer can take it all):
    # asked after the sandbox was ready, a delay of the whole budget ends past it
    repo = make_project(tmp_path / "src", FILES, name="calc")
    settings = load_settings(
        home=local_settings.home, sandbox="local", test_timeout=120, openai_api_key="sk-test-budget-0123456789"
    )
    with FakeServer([Scripted(text=fix), Scripted(text=slow, delay=20)]) as server:
        result = session(
            prepare(str(repo), tmp_path / "ws"),
            settings,
            tmp_path / "out",
            planner="openai",
            model="m",
            base_url=server.base_url("openai"),
            cache=False,
            timeout=20,
            tests=["tests/test_calc.py::test_add"],
        )
    assert result.status is SessionStatus.BUDGET_EXHAUSTED, result.message
    assert "verify was cut" in result.message
    assert "-    return a - b\n+    return a + b\n" in result.patch and "sleep" not in result.patch
    assert result.failing_before == ["tests/test_calc.py::test_add"]
    assert any(c.startswith("verify was cut by the budget") for c in result.concerns)
    assert_outputs(tmp_path / "out" / "s1", result)
    lines = (tmp_path / "out" / "s1" / "events.jsonl").read_text().splitlines()
    events = {e["event"]: e for e in map(json.loads, lines)}
    ready, end = (datetime.fromisoformat(events[k]["timestamp"]) for k in ("session.sandbox_ready", "session.end"))
    assert (end - ready).total_seconds() < 20 + 5  # the late answer was not waited for
