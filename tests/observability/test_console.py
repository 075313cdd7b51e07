"""Data is never markup: every table and line the CLI prints shows ids and reasons as they are.

Pytest ids like ``test_path[/tmp]`` made ``rfsn test``, ``rfsn buildpacks detect`` and ``rfsn
validate`` exit 3 (rich's MarkupError) after the work was done; ``[a;b]`` ids were stripped and
``:x:`` became an emoji.
"""

from __future__ import annotations

import ast
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from rfsn import models
from rfsn.batch.validate import Validity
from rfsn.buildpacks.base import Detection
from rfsn.buildpacks.discovery import BuildpackInfo
from rfsn.cli.buildpacks_cmd import detection_table
from rfsn.cli.evaluate_cmd import validity_table
from rfsn.cli.repair_cmd import LiveView, _summary
from rfsn.cli.test_cmd import print_report
from rfsn.models import SessionResult, SessionStatus, TestReport
from rfsn.observability.console import console, shown
from rfsn.observability.heartbeat import Heartbeat
from tests.paths import ROOT

#: the characters markup, emoji codes and terminals read, among plain ones
IDS = st.text(alphabet="ab/;:x[]\n\x1b\x07 ", min_size=1, max_size=30)


def _printed(*renderables: object) -> str:
    buffer = io.StringIO()
    out = console(file=buffer, width=10_000)
    for renderable in renderables:
        out.print(renderable)
    return buffer.getvalue()


def _plain(output: str, *texts: str) -> None:
    """Each text appears whole, on one line, and no control character reaches the terminal."""
    assert "\x1b" not in output and "\x07" not in output
    for text in texts:
        assert shown(text) in output, (text, output)


@settings(max_examples=60, deadline=None)
@given(first=IDS, second=IDS)
def test_test_ids_with_brackets_colons_and_escapes_print_as_they_are(first: str, second: str) -> None:
    buffer = io.StringIO()
    tests = {
        f"t.py::test_path[{first}]": models.TestStatus.PASSED,
        f"t.py::test_path[{second}]": models.TestStatus.FAILED,
    }
    print_report(TestReport(tests=tests), console(file=buffer, width=10_000))
    _plain(buffer.getvalue(), *tests)


@settings(max_examples=60, deadline=None)
@given(name=IDS, reason=IDS)
def test_detection_reasons_from_a_repository_print_as_they_are(name: str, reason: str) -> None:
    info = BuildpackInfo(name=name, target="m:a", source="builtin")
    _plain(_printed(detection_table([(info, Detection(score=0.5, reasons=[reason]))])), name, reason)


@settings(max_examples=60, deadline=None)
@given(instance_id=IDS, label=IDS, message=IDS)
def test_validate_table_prints_instance_ids_and_reasons_as_they_are(instance_id: str, label: str, message: str) -> None:
    row = Validity(
        instance_id=instance_id, valid=False, gold_resolves=None, empty_resolves=None, label=label, message=message
    )
    _plain(_printed(validity_table([row])), instance_id, label, message)


@settings(max_examples=60, deadline=None)
@given(message=IDS, rationale=IDS)
def test_repair_summary_and_live_view_print_a_models_text_as_it_is(message: str, rationale: str) -> None:
    buffer = io.StringIO()
    out = console(file=buffer, width=10_000)
    _summary(SessionResult(session_id="s", status=SessionStatus.NOT_FIXED, message=message), Path("o"), out)
    view = LiveView()
    view.last = view.best = rationale
    out.print(view)
    _plain(buffer.getvalue(), message, rationale)


def test_heartbeat_lines_are_one_line_each() -> None:
    buffer = io.StringIO()
    Heartbeat("rfsn", lambda _: "phase [/x] :x:\nnext\x1b[2J", console(file=buffer)).say(1.0)
    assert buffer.getvalue() == "rfsn: phase [/x] :x:\\nnext\\x1b[2J\n"


def test_every_rich_console_comes_from_the_one_factory() -> None:
    """A Console built anywhere else would read markup from data again."""
    factory = ROOT / "rfsn" / "observability" / "console.py"
    made = []
    for path in sorted((ROOT / "rfsn").rglob("*.py")):
        if path == factory:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Console":
                made.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert made == []


def test_an_id_with_a_right_to_left_override_or_a_line_separator_is_shown_escaped() -> None:
    """Audit 68: a test file named ``test_bidi\\u202egnp.py`` printed its override raw, so the
    terminal showed the rest of the row reversed (a name other than the test's)."""
    tests = {
        "tests/test_bidi\u202egnp.py::test_b": models.TestStatus.PASSED,
        "t.py::test_p[a\u2028b\u2066c\u200fd]": models.TestStatus.FAILED,
    }
    buffer = io.StringIO()
    print_report(TestReport(tests=tests), console(file=buffer, width=10_000))
    printed = buffer.getvalue()
    assert not {"\u202e", "\u2028", "\u2066", "\u200f"} & set(printed), printed
    assert "tests/test_bidi\\u202egnp.py::test_b" in printed and "t.py::test_p[a\\u2028b\\u2066c\\u200fd]" in printed
