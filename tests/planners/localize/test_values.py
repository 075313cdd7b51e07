"""A wrong value a module writes at import time: the failing test's message shows it, and the
project line that writes it is ranked."""

from __future__ import annotations

from pathlib import Path

from structlog.testing import capture_logs

from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.planners.localize.values import shown_values, written_values
from rfsn.settings import load_settings
from rfsn.workspace import prepare
from tests.sandbox.projects import make_project

WORDS = (
    "class Japanese:\n"  # 1
    "    words = {\n"  # 2
    "        'now': 'ima',\n"  # 3
    "        'second': 'nibanme',\n"  # 4
    "        'minute': 'ippun',\n"  # 5
    "    }\n"  # 6
    "    def word(self, name):\n"  # 7
    "        return self.words[name]\n"
)  # 8
TESTS = (
    "from pkg.words import Japanese\n\n"
    "def test_second():\n    assert Japanese().word('second') == 'ichibyou'\n\n"
    "def test_now():\n    assert Japanese().word('now') == 'ima'\n\n"
    "def test_minute():\n    assert Japanese().word('minute') == 'ippun'\n"
)


def test_the_values_a_failure_quotes_are_read_from_its_failure_lines() -> None:
    output = (
        "    def test_second():\n>       assert word('second') == 'ichibyou'\n"
        "E       AssertionError: assert 'nibanme' == 'ichibyou'\n"
        "E         - ichibyou\nE         + nibanme\n"
        "E       ValueError: ('Unknown string format:', '2017')\n"
        "AssertionError: \"1.2.3-rc\" != 'x1'\n"
    )
    # an exception's message is not: its frames say where it was written (dateutil 0b773a5)
    assert shown_values(output) == ["nibanme", "ichibyou", "1.2.3-rc", "x1"]


def test_a_value_the_test_writes_or_many_lines_write_is_no_evidence() -> None:
    output = "E       AssertionError: assert 'nibanme' == 'ichibyou'\n"
    files = {"pkg/words.py": WORDS, "pkg/other.py": "X = 'ichibyou'\n"}
    got = written_values(output, files, {"tests/test_w.py": TESTS}, ["tests/test_w.py::test_second"])
    assert [(loc.file, loc.line, loc.score) for loc in got] == [("pkg/words.py", 4, 1.0)]
    many = {f"pkg/m{n}.py": "X = 'nibanme'\n" for n in range(4)}
    assert written_values(output, many, {}, ["tests/test_w.py::test_second"]) == []


def test_a_wrong_word_of_a_class_body_table_ranks_first_arrow_fe9602e(tmp_path: Path, rfsn_home: Path) -> None:
    """arrow fe9602e (the history corpus, s6): a locale's class-body dict held a wrong word; it
    runs at import, so no test's coverage holds it, and the line that reads it runs in every
    test of the locale. The failing assertion shows the word; a real session in the local
    sandbox ranks the line that writes it first."""
    repo = make_project(
        tmp_path / "repo", {"pkg/__init__.py": "", "pkg/words.py": WORDS, "tests/test_words.py": TESTS}, name="words"
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
    assert localized["by"] == "coverage" and localized["top"][0] == "pkg/words.py:4", localized
