"""A coverage.py plugin that starts a dynamic context at a test function in a test module.

Loaded by the coverage of `pycoverage.process_coverage` (``plugins = rfsn_test_context``;
it runs in the sandbox, with the standard library and coverage only). coverage's own
``dynamic_context = test_function`` starts a context at the first function named ``test*``
on the stack and keeps it for every call below, so a runner whose own functions are
named so (a ``runtests.test``, a ``Tests.test`` method) holds the context for every
test it runs, and no line is attributed to a test. Here the function must also live in a
file named as test modules are (``test_*.py``, ``*_test.py``, ``tests.py``; not
``testing.py``). A test module a runner ran with ``exec`` has no module
name; its path names it (and its method, by the function's name alone under coverage 6.2,
whose qualified name of such a function fails).
"""

import os
import re

import coverage
from coverage.context import qualname_from_frame

_TEST_FILE = re.compile(r"^test_.*\.py$|^tests?\.py$|_tests?\.py$")


def _starts_test(frame):
    code = frame.f_code
    if not (code.co_name.startswith("test") or code.co_name == "runTest"):
        return None
    if not _TEST_FILE.search(os.path.basename(code.co_filename)):
        return None
    try:
        name = qualname_from_frame(frame)
    except TypeError:  # coverage 6.2 adds the module name, None here, to a string
        name = None
    if name is None or name.startswith("None."):  # run by exec(): no module name, so its path
        path = os.path.relpath(code.co_filename, os.environ.get("RFSN_COVERAGE_ROOT") or os.getcwd())
        if path.startswith(".."):
            path = os.path.basename(path)
        module = os.path.splitext(path)[0].replace(os.sep, ".")
        name = module + "." + (name[len("None.") :] if name else code.co_name)
    return name


class TestContext(coverage.CoveragePlugin):
    def dynamic_context(self, frame):
        return _starts_test(frame)


def coverage_init(reg, options):
    if hasattr(reg, "add_dynamic_context"):  # coverage >= 5.0
        reg.add_dynamic_context(TestContext())
