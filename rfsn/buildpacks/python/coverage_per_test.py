"""A pytest plugin measuring each test's lines with a coverage.py that has no contexts (before 5.0).

Loaded by `pycoverage.per_test_plan` (``-p rfsn_per_test``; it runs in the sandbox, with the
standard library, pytest and coverage only). Coverage starts afresh around each test and its
lines go to that test's node id; the report is shaped as ``coverage json --show-contexts``
shapes it (``{"files": {path: {"contexts": {line: [node id, ...]}}}}``), so
`pycoverage.per_test_coverage` reads it as it reads a report with contexts. Lines run outside
any test (imports, collection) belong to none, as with contexts.
"""

import json
import os

import coverage
import pytest

#: a hook wrapper as the environment's pytest declares one (``pytest.hookimpl`` since 2.8)
hookwrapper = pytest.hookimpl(hookwrapper=True) if hasattr(pytest, "hookimpl") else pytest.mark.hookwrapper
#: coverage's API class (``coverage.coverage`` before 4.0)
Coverage = getattr(coverage, "Coverage", None) or coverage.coverage


def measured(cov):
    """{path: lines} of ``cov``'s last measurement (``get_data`` since 4.0, its data before)."""
    if hasattr(cov, "get_data"):
        data = cov.get_data()
        return {path: data.lines(path) or () for path in data.measured_files()}
    cov._harvest_data()
    return {path: sorted(cov.data.executed_lines(path)) for path in cov.data.measured_files()}


class PerTest:
    def __init__(self, rcfile, output):
        self.cov = Coverage(config_file=rcfile)
        self.output = output
        self.files = {}

    @hookwrapper
    def pytest_runtest_protocol(self, item, nextitem):
        self.cov.erase()
        self.cov.start()
        try:
            yield
        finally:
            self.cov.stop()
            for path, lines in measured(self.cov).items():
                for line in lines:
                    self.files.setdefault(path, {}).setdefault(str(line), []).append(item.nodeid)

    def pytest_sessionfinish(self, session):
        with open(self.output, "w") as out:
            json.dump({"files": {path: {"contexts": lines} for path, lines in self.files.items()}}, out)


def pytest_configure(config):
    config.pluginmanager.register(
        PerTest(os.environ["RFSN_COVERAGE_RC"], os.environ["RFSN_COVERAGE_JSON"]), "rfsn_per_test_coverage"
    )
