"""``rfsn test``: run a repository's tests in a sandbox and report per-test results."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.table import Table

from rfsn.buildpacks import check_choice, select
from rfsn.buildpacks.base import first_error, limit_cases
from rfsn.buildpacks.parts import parts
from rfsn.cli.common import BUILDPACK, SECONDS, check_target, setup
from rfsn.cli.options import Dated, Logged, Sandboxed, env_options, gathered, sandbox_options, verbosity_options
from rfsn.errors import CommandTimeout, ConfigError, ImageError, SandboxError
from rfsn.models import TestReport, TestStatus
from rfsn.models.testfiles import named_tests
from rfsn.observability.console import console, styled
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.sandbox.buildlog import named_build_log
from rfsn.sandbox.setupsteps import broken_by_setup
from rfsn.workspace import prepare

_STYLE = {
    TestStatus.PASSED: "green",
    TestStatus.FAILED: "red",
    TestStatus.ERROR: "red",
    TestStatus.SKIPPED: "yellow",
    TestStatus.TIMEOUT: "magenta",
}


def print_report(report: TestReport, out: Console) -> None:
    table = Table("test", "status", box=None, pad_edge=False)
    for test_id, status in sorted(report.tests.items()):
        table.add_row(styled(test_id, ""), styled(status.value, _STYLE[status]))  # Text: never markup
    out.print(table)
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items() if n)
    out.print(f"{counts or 'no tests'} in {report.duration:.2f}s" + ("" if report.structured else " (exit code only)"))


class SuiteArgs(Sandboxed, Dated, Logged):
    """The options of ``rfsn test``."""

    target: str
    test_ids: tuple[str, ...]
    ref: str | None
    tests: tuple[str, ...]
    buildpack: str | None
    test_cmd: str | None
    timeout: float | None
    as_json: bool


@click.command()
@click.argument("target")
@click.argument("test_ids", nargs=-1)
@click.option("--ref", help="branch, tag or commit to test")
@click.option("--tests", "tests", multiple=True, help="a test id to run (repeatable)")
@click.option("--buildpack", type=BUILDPACK, help="use this buildpack instead of detecting one")
@click.option("--test-cmd", help="run this command as the test suite (exit code only)")
@click.option("--timeout", type=SECONDS, help="seconds for the test run")
@click.option("--json", "as_json", is_flag=True, help="print the TestReport as JSON")
@sandbox_options
@env_options
@verbosity_options
@gathered(SuiteArgs)
def test(args: SuiteArgs) -> None:
    """Run the tests of TARGET (a path or git URL), or only TEST_IDS.

    Exit status: 0 all passed, 1 some failed, 2 usage or infrastructure error.
    """
    check_target(args.target, args.ref)
    check_choice(args.buildpack, args.test_cmd)
    settings = setup(args.verbose, args.log_file, **args.overrides(), test_timeout=args.timeout)
    with tempfile.TemporaryDirectory(prefix="rfsn-test-") as tmp:
        workspace = prepare(args.target, Path(tmp) / "repo", args.ref, timeout=settings.clone_timeout)
        pack = select(workspace.path, args.buildpack, args.test_cmd)
        limit_cases(pack, settings.test_case_timeout)
        pack_parts = parts(pack)
        if pack_parts.environment.collect is not None:
            pack_parts.environment.collect.collect(workspace.path)
        wanted = named_tests([*args.test_ids, *args.tests], workspace.path)
        try:
            with open_sandbox(workspace.path, pack, settings, settings.sandbox) as box:
                report = run_tests(box, pack, wanted, timeout=settings.test_timeout)
                unset = broken_by_setup(box.setup_failure, report)
        except ImageError as exc:  # no outputs directory: the build's whole output in a file it names
            raise named_build_log(exc, settings.log_file, settings.home) from exc
        # no test reported: the runner's own words say why, as a repair's baseline reads them
        health = pack_parts.reading.health
        broken = health.diagnose(report, workspace.path) if health is not None and not report.tests else None
    if report.timed_out:
        if args.as_json:  # the tests that did report, and the timeout, for whoever reads the JSON
            click.echo(report.model_dump_json(indent=2))
        raise CommandTimeout([f"tests (reported before it: {len(report.tests)})"], settings.test_timeout)
    if unset is not None:  # the failed setup, not the tests, is what the run says
        report = report.model_copy(update={"env_error": unset})
    if args.as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        print_report(report, console())
    if unset is not None:
        raise SandboxError(unset)
    _judged(report, wanted, broken)


def _judged(report: TestReport, wanted: list[str], broken: str | None) -> NoReturn:
    """Exit 0 when every test passed, 1 when some failed; an error when a named test is unknown
    or no test was found."""
    unknown = report.unknown(wanted)
    if unknown:
        raise ConfigError(
            f"no such test: {unknown[0]}" + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
        )
    if not report.tests:
        raise ConfigError(
            broken
            or f"no tests found (the test runner exited {report.exit_code}{_said(report)}); name them as "
            "TEST_IDS, or give the command that runs them with --test-cmd"
        )
    sys.exit(0 if report.ok else 1)


def _said(report: TestReport) -> str:
    """The line of a failed run's output that says why (``: SyntaxError: ...``), or nothing."""
    return f": {first_error(report.log)}" if report.exit_code and report.log.strip() else ""
