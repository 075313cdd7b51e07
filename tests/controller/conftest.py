"""Controller fixtures: a tiny Python project in a real git workspace, and junit replies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rfsn.observability.logging import unbind
from rfsn.workspace import Workspace, prepare
from tests.sandbox.projects import make_project

BUGGY = "def add(a, b):\n    return a - b\n"
FIXED = "def add(a, b):\n    return a + b\n"
TESTS = (
    "from calc import add\n\n"
    "def test_add():\n    assert add(2, 3) == 5\n\n"
    "def test_zero():\n    assert add(0, 0) == 0\n"
)
FILES = {"calc.py": BUGGY, "tests/test_calc.py": TESTS}
FIX_PATCH = """\
diff --git a/calc.py b/calc.py
--- a/calc.py
+++ b/calc.py
@@ -1,2 +1,2 @@
 def add(a, b):
-    return a - b
+    return a + b
"""


def junit(**statuses: str) -> str:
    """A junit.xml (xunit1, as pytest writes it) with tests/test_calc.py::<name> -> status."""
    body = {"passed": "", "failed": '<failure message="assert"/>', "error": '<error message="boom"/>'}
    cases = "".join(
        f'<testcase classname="tests.test_calc" name="{name}" file="tests/test_calc.py">{body[status]}</testcase>'
        for name, status in statuses.items()
    )
    return f'<?xml version="1.0"?><testsuites><testsuite name="pytest">{cases}</testsuite></testsuites>'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The buggy project as a user's git repository."""
    return make_project(tmp_path / "src", FILES, name="calc")


@pytest.fixture
def workspace(project: Path, tmp_path: Path) -> Workspace:
    return prepare(str(project), tmp_path / "ws")


@pytest.fixture(autouse=True)
def _unbound_context() -> Iterator[None]:
    """The controller binds step and phase into contextvars; keep them out of other tests."""
    yield
    unbind("session_id", "phase", "step")
