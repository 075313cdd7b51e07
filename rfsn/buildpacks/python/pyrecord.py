"""A record of a pytest run written as each test ends (``record_plugin.py``), read where the
run's junit report is missing: a run killed at its limit after it ignored both interrupts, or
hung in a test's teardown, still reports the tests it finished.

Only a run of the whole suite is recorded: a run of named tests (a candidate's screening) keeps
its argv, which the warm server's preloaded session matches on.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rfsn.buildpacks.wrapped import importable
from rfsn.errors import InputError
from rfsn.inputs import json_value
from rfsn.models import TestStatus
from rfsn.observability.logging import get_logger

RECORD_MODULE = "rfsn_record"
RECORD_PLUGIN = Path(__file__).with_name("record_plugin.py").read_text(encoding="utf-8")
#: the record's file name in the run's report directory
RECORD_FILE = "record.jsonl"
_PREFIX = ["python", "-m", "pytest"]
log = get_logger(__name__)


def recorded(argv: Sequence[str], report_dir: str, host_dir: Path) -> list[str]:
    """``argv`` (``python -m pytest ...``) writing its record into ``report_dir`` (``host_dir``
    on the host, where the plugin goes); any other argv as it is."""
    if list(argv[:3]) != _PREFIX:
        return list(argv)
    (host_dir / f"{RECORD_MODULE}.py").write_text(RECORD_PLUGIN, encoding="utf-8")
    record = f"RFSN_TEST_RECORD={report_dir}/{RECORD_FILE}"
    # before the report's option, the last: the program's argv keeps its start and its end
    return [*importable(report_dir), record, *argv[:-1], "-p", RECORD_MODULE, argv[-1]]


def _status(when: str, outcome: str, before: TestStatus | None) -> TestStatus | None:
    """A test's status after one of its phases ended, as the junit report has it (`junit.case_status`):
    a failed setup or teardown is an error, a skip in any phase a skip, an expected failure a pass."""
    if outcome == "xfailed":
        return TestStatus.PASSED
    if outcome == "failed":
        return TestStatus.FAILED if when == "call" else TestStatus.ERROR
    if outcome == "skipped":
        return TestStatus.SKIPPED
    return TestStatus.PASSED if when == "call" else before


def read_record(text: str) -> dict[str, TestStatus]:
    """Test id -> status, from the record's lines (a line cut by the kill is skipped)."""
    statuses: dict[str, TestStatus] = {}
    for line in text.splitlines():
        try:
            entry = json_value(line)
            test, when, outcome = entry["id"], entry["when"], entry["outcome"]
        except (InputError, KeyError, TypeError):
            continue
        before = statuses.get(test)
        status = before if before == TestStatus.ERROR else _status(when, outcome, before)
        if status is not None:
            statuses[test] = status
    log.info("tests.record_read", tests=len(statuses), reason="pytest wrote no junit report")
    return statuses
