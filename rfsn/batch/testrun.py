"""One graded test run: the runner writes its structured report into a fresh, unguessable
directory, and only that directory is read back.

A fake report the code under test drops at a predictable place (the scratch
root, the working tree) is never read; see ``grading.trusted_statuses`` for
the cross-check against the runner's exit code.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path

from rfsn.buildpacks.base import Buildpack
from rfsn.models import TestReport
from rfsn.sandbox.base import Sandbox


def selection(buildpack: Buildpack, workspace: Path, tests: Sequence[str]) -> list[str]:
    """What to ask the runner for: the files of pytest ids (as the harness runs whole
    test files, and an unknown id would abort pytest), the ids themselves elsewhere."""
    if getattr(buildpack, "name", "") != "python":
        return list(dict.fromkeys(tests))
    files = dict.fromkeys(t.split("::", 1)[0] for t in tests)
    existing = [f for f in files if (workspace / f).is_file()]
    return existing or list(dict.fromkeys(tests))


def run_graded(sandbox: Sandbox, buildpack: Buildpack, tests: Sequence[str],
               timeout: float) -> tuple[TestReport, list[str]]:
    """Run ``tests``; the report and the argv used."""
    nonce = secrets.token_hex(12)
    host_dir = sandbox.scratch / nonce
    host_dir.mkdir(mode=0o777)
    host_dir.chmod(0o777)
    argv = buildpack.test_command(list(tests), f"{sandbox.scratch_path}/{nonce}")
    result = sandbox.exec(argv, timeout=timeout)
    reports = {p.name: p.read_text(encoding="utf-8", errors="replace")
               for p in sorted(host_dir.iterdir()) if p.is_file()}
    structured = getattr(buildpack, "structured", True)
    statuses = buildpack.parse(result.output, reports) if structured else {}
    report = TestReport(tests=statuses, exit_code=result.exit_code, duration=result.duration,
                        log=result.output, timed_out=result.timed_out, structured=structured)
    return report, argv
