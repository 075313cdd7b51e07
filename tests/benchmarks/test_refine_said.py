"""A refine whose runs read no test says what the runner said, as ``rfsn test``'s "no tests
found" does, not only that its report was empty.

Rich-Harris/magic-string f026e5a (2015, jsbugs design row): the ``pretest`` build failed, mocha
could not load the tests (``Error: Cannot find module '../'``: the package's main is the build's
output) and the row said only "the runs read no test: the runner's report is empty".
"""

from __future__ import annotations

from tests.benchmarks.test_history import mine

#: the start of that base run's output (mocha 2 on Node 5.12.0)
_LOG = (
    "module.js:341\n"
    "    throw err;\n"
    "    ^\n"
    "\n"
    "Error: Cannot find module '../'\n"
    "    at Function.Module._resolveFilename (module.js:339:15)\n"
    "    at Function.Module._load (module.js:290:25)\n"
    "    at Module.require (module.js:367:17)\n"
)


def test_runs_that_read_no_test_say_what_the_runner_said_magic_string_f026e5a() -> None:
    said = mine.no_test_said(1, _LOG)
    assert said == "the runner exited 1: Error: Cannot find module '../'"
    row = {"instance_id": "x", "FAIL_TO_PASS": ["test/index.js"]}
    assert mine.refined(row, mine.Runs({}, {}, said))["refined"] == (
        "no test fails at the buggy commit and passes with the fix (the runs read no test: the runner exited 1:"
        " Error: Cannot find module '../')"
    )
    # a run that exited 0 or printed nothing says nothing more than the empty report
    assert mine.no_test_said(0, _LOG) == mine.no_test_said(1, " \n") == ""
    assert mine.refined(row, ({}, {}))["refined"].endswith("(the runs read no test: the runner's report is empty)")
