"""Every error is one line, whatever the user's text in it held: ``rfsn test --tests $'a\\nb'``
printed ``no such test: a`` and ``b`` on two lines."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.cli.test_test_cmd import assert_one_line_error, rfsn
from tests.paths import ROOT
from tests.sandbox.projects import PASSING, make_project


def test_a_test_id_with_a_line_break_is_named_on_one_line(tmp_path: Path) -> None:
    repo = make_project(tmp_path / "p", PASSING)
    proc = rfsn("test", str(repo), "--tests", "a\nb", "--sandbox", "local")
    assert_one_line_error(proc, "no such test: a b")


def test_an_escape_sequence_in_user_text_is_not_sent_to_the_terminal(tmp_path: Path) -> None:
    proc = rfsn("test", str(tmp_path / "no\x1b[2Jsuch"), "--sandbox", "local")
    assert_one_line_error(proc, "no\\x1b[2Jsuch")
    assert "\x1b" not in proc.stderr


def test_error_lines_are_written_in_one_place() -> None:
    """An error echoed elsewhere would skip the flattening (the place: rfsn.cli.common.error_line)."""
    found = []
    for path in sorted((ROOT / "rfsn" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "err" and path.name != "common.py":
                found.append(f"{path.name}:{node.value.lineno}")
    assert found == []
