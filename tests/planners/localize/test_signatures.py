"""A failing test whose call its callee's signature refuses: the callee's definition is ranked."""

from __future__ import annotations

from pathlib import Path

from structlog.testing import capture_logs

from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.planners.localize.signatures import callee_definitions, ran_project, refused_callees
from rfsn.settings import load_settings
from rfsn.workspace import prepare
from tests.sandbox.projects import make_project

SOURCE = (
    "def circular_shifts(iterable):\n"  # 1
    "    items = list(iterable)\n"  # 2
    "    return [tuple(items[i:] + items[:i]) for i in range(len(items))]\n"  # 3
    "class Version:\n"  # 4
    "    def __init__(self, major,\n"  # 5
    "                 minor):\n"  # 6
    "        self.major, self.minor = major, minor\n"  # 7
    "class Empty:\n"  # 8
    "    pass\n"
)  # 9


def test_the_errors_of_a_refused_call_name_their_callee() -> None:
    output = (
        "E       TypeError: circular_shifts() got an unexpected keyword argument 'steps'\n"
        "E   TypeError: Version.__init__() missing 1 required positional argument: 'minor'\n"
        "TypeError: f() takes 2 positional arguments but 3 were given\n"
        "TypeError: g() got multiple values for argument 'x'\n"
        "TypeError: unsupported operand type(s) for +: 'int' and 'str'\n"
    )
    assert refused_callees(output) == ["circular_shifts", "Version.__init__", "f", "g"]


def test_a_refused_calls_callee_ranks_its_signature_then_its_body() -> None:
    files = {"pkg/m.py": SOURCE, "tests/test_m.py": "def circular_shifts(x, steps):\n    pass\n"}
    got = callee_definitions("TypeError: circular_shifts() got an unexpected keyword argument 'steps'", files)
    assert [(loc.file, loc.line, loc.score) for loc in got] == [
        ("pkg/m.py", 1, 1.0),
        ("pkg/m.py", 2, 0.5),
        ("pkg/m.py", 3, 0.5),
    ]  # never the test file's
    # a method, named qualified (Python 3.10) or not; a class called, by its __init__
    for name in ("Version.__init__()", "__init__()", "Version()"):
        got = callee_definitions(f"TypeError: {name} missing 1 required positional argument: 'minor'", files)
        assert [(loc.line, loc.score) for loc in got] == [(5, 1.0), (6, 1.0), (7, 0.5)], name
    assert [loc.line for loc in callee_definitions("TypeError: Empty() takes no arguments", files)] == [8]
    # a name defined too often says nothing of which is meant
    many = {f"pkg/m{n}.py": "def run(a):\n    return a\n" for n in range(4)}
    assert callee_definitions("TypeError: run() takes 1 positional argument but 2 were given", many) == []


def test_a_test_that_ran_only_its_own_lines_ran_nothing_of_the_project() -> None:
    assert not ran_project({"tests/test_m.py": [3, 4]})
    assert ran_project({"tests/test_m.py": [3], "pkg/m.py": [1]})


def test_a_test_stopped_at_the_call_localizes_the_callees_definition(tmp_path: Path, rfsn_home: Path) -> None:
    """more-itertools fb95291 (the history corpus, s5): the failing tests pass an argument the
    fix adds, so they raise TypeError in their own frames; coverage had no project line for
    them and the session ended "could not localize the fault". A real session in the local
    sandbox ranks the callee's signature first."""
    tests = (
        "from pkg.m import circular_shifts\n\n"
        "def test_steps():\n    assert circular_shifts('abcd', steps=2) == [('a',)]\n\n"
        "def test_plain():\n    assert len(circular_shifts('ab')) == 2\n"
    )
    repo = make_project(
        tmp_path / "repo", {"pkg/__init__.py": "", "pkg/m.py": SOURCE, "tests/test_m.py": tests}, name="shifts"
    )
    settings = load_settings(home=rfsn_home, sandbox="local", test_timeout=120)  # its venv: once a worker
    options = RepairOptions(
        out_dir=tmp_path / "out",
        sandbox="local",
        max_steps=4,  # to the first edit
        timeout=300,
    )  # (the baseline, its failures once more, coverage)
    with capture_logs() as logs:
        repair_workspace(prepare(str(repo), tmp_path / "ws"), options, settings)
    (localized,) = [e for e in logs if e["event"] == "planner.localized"]
    assert localized["top"][0] == "pkg/m.py:1", localized
