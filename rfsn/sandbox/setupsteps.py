"""A sandbox's setup commands (the project's own install, run where its tests run): run, and what
their failure means.

A setup command that fails on a system file the env image lacks (``autogen.sh: 1: aclocal: not
found``) gets the Debian packages that ship those files, as an env image build does
(``syspkgs``): they are kept for the recipe, so its image is built again with them, and the
setup runs once more there. A setup that failed is what a run says when no more of its tests
pass than error: the suite then says more about the failed install than about the project.
"""

from __future__ import annotations

import shlex

from rfsn.buildpacks.base import EnvRecipe
from rfsn.buildpacks.steplog import step_error, step_name
from rfsn.models import TestReport, TestStatus
from rfsn.observability.logging import get_logger
from rfsn.sandbox import snapshots, syspkgs
from rfsn.sandbox.base import Sandbox
from rfsn.sandbox.ccache import CompileCache
from rfsn.sandbox.snapshots import Snapshot
from rfsn.settings import Settings

log = get_logger(__name__)


def run_setup(
    sandbox: Sandbox,
    commands: list[list[str]],
    settings: Settings,
    snapshot: Snapshot | None,
    cache: CompileCache | None = None,
) -> str | None:
    """Restore the kept setup, or run the commands (and keep what they did, if it can be: the
    snapshot, and what they compiled). The whole output of the first command that failed, or
    None."""
    if snapshot is not None and snapshot.exists and snapshots.restore(sandbox, snapshot):
        return None
    failed: str | None = None
    for argv in commands:
        run, env = cache.wrap(argv, sandbox.scratch_path, sandbox.workdir) if cache else (argv, None)
        result = sandbox.exec(run, timeout=settings.setup_timeout, env=env)
        if result.exit_code != 0:
            log.warning("sandbox.setup_failed", argv=argv, exit_code=result.exit_code, output=result.output[-500:])
            sandbox.setup_failure = f"setup: {step_name(shlex.join(argv))}: {step_error(result.output)}"
            failed = result.output if failed is None else failed
    if cache is not None:
        cache.close()
    if snapshot is not None and not snapshot.exists and sandbox.setup_failure is None:
        if cache is not None:
            cache.keep(sandbox.scratch)
        snapshots.store(sandbox, snapshot, settings.home, settings.registry)
    return failed


def with_lacking(recipe: EnvRecipe, output: str, settings: Settings) -> bool:
    """Whether the Debian packages shipping the files a failed setup's ``output`` says it lacked
    were found, not yet in ``recipe``'s image, and kept for its next build."""
    had = syspkgs.recall(settings.home, recipe)
    again = syspkgs.remedy(had, output, settings.home, settings.debian_mirror, settings.resolved_ca_bundle())
    if again is None:
        return False
    syspkgs.remember(settings.home, recipe, again)
    log.info(
        "sandbox.setup_system_packages", added=[name for name, _ in again.system_packages[len(had.system_packages) :]]
    )
    return True


def broken_by_setup(setup_failure: str | None, report: TestReport) -> str | None:
    """Why ``report`` says nothing about the project: its setup failed and no more of its tests
    passed than errored (import errors of an install that is not there). None otherwise, or for
    a run that timed out."""
    if not setup_failure or report.timed_out:
        return None
    errored = len(report.with_status(TestStatus.ERROR)) + len(report.with_status(TestStatus.TIMEOUT))
    if len(report.passing) > errored:
        return None
    passed = len(report.passing)
    return f"the environment is broken: {passed} test(s) passed after the project's setup failed: {setup_failure}"
