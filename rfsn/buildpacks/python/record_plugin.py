"""A pytest plugin writing each test's outcome as the test ends, one JSON line each, to the file
``RFSN_TEST_RECORD`` names: what a run reports when its junit is never written (a run that
ignores the interrupts at its limit, or hangs in a test or its teardown, and is killed).

Loaded by `pyrecord.recorded` (``-p rfsn_record``); it runs in the sandbox on every Python and
pytest rfsn supports (the standard library and pytest's report hooks only).
"""

import json
import os


def _write(nodeid, when, outcome):
    path = os.environ.get("RFSN_TEST_RECORD")
    if path:
        with open(path, "a") as out:
            out.write(json.dumps({"id": nodeid, "when": when, "outcome": outcome}) + "\n")


def pytest_runtest_logreport(report):
    expected = report.outcome == "skipped" and hasattr(report, "wasxfail")
    _write(report.nodeid, report.when, "xfailed" if expected else report.outcome)


def pytest_collectreport(report):
    if report.failed:
        _write(report.nodeid, "collect", "failed")
