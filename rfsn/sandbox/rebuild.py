"""The build of the sources a project's tests import, run before each test run (``RebuildCapable``).

A patch to ``src/`` reaches the ``dist/`` the tests run only if the build runs again; where the
tree as it is then does not build, no test runs on it, as ``npm test`` stops at a failing
``pretest``: a run of a tree that does not build must not be judged on an earlier tree's build.
"""

from __future__ import annotations

from collections.abc import Sequence

from rfsn.buildpacks.base import Buildpack, RebuildCapable, SandboxView
from rfsn.models import TestReport, TestStatus
from rfsn.observability.logging import get_logger

log = get_logger(__name__)


def rebuilt(
    sandbox: SandboxView, buildpack: Buildpack, tests: Sequence[str], timeout: float
) -> tuple[float, TestReport | None]:
    """The run's timeout less the seconds the build took, and the report of the run when the
    tree does not build (``tests`` errored, the build's failure as the reason; else None)."""
    if not isinstance(buildpack, RebuildCapable):
        return timeout, None
    built, broken = buildpack.rebuild(sandbox, timeout)
    log.info("tests.rebuilt", seconds=round(built, 3), broken=broken)
    if not broken:
        return max(timeout - built, 1.0), None
    errored = dict.fromkeys(tests, TestStatus.ERROR)
    return timeout, TestReport(tests=errored, exit_code=1, duration=built, log=broken, reason=broken)
