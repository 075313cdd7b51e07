"""`rfsn test` prints every test id as it is: an id is never read as console markup."""

from __future__ import annotations

import io

from rich.console import Console

from rfsn.cli.test_cmd import print_report
from rfsn.models import TestReport
from rfsn.models import TestStatus as Status


def test_a_parametrized_id_with_a_path_in_brackets_is_printed_as_it_is_click_head() -> None:
    """click at HEAD: `MarkupError: closing tag '[/foo/bar/example.py-None-example.py]' ...
    doesn't match any open tag` ended `rfsn test` after its 2,016 tests had run."""
    test_id = "tests/test_utils.py::test_detect_program_name[/foo/bar/example.py-None-example.py]"
    out = io.StringIO()
    print_report(
        TestReport(tests={test_id: Status.PASSED}, duration=1.0, structured=True), Console(file=out, width=300)
    )
    assert test_id in out.getvalue() and "1 passed" in out.getvalue()
