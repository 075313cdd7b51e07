"""Which tests a graded run asks the runner for, as the SWE-bench harness selects them.

The run itself is ``rfsn.runner.run_tests`` (its reports come from a fresh,
unguessable directory; see ``grading.trusted_statuses`` for the cross-check
against the runner's exit code).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rfsn.buildpacks.base import Buildpack


def selection(buildpack: Buildpack, workspace: Path, tests: Sequence[str]) -> list[str]:
    """What to ask the runner for: the files of pytest ids (as the harness runs whole
    test files, and an unknown id would abort pytest), the ids themselves elsewhere."""
    if buildpack.name != "python":
        return list(dict.fromkeys(tests))
    files = dict.fromkeys(t.split("::", 1)[0] for t in tests)
    existing = [f for f in files if (workspace / f).is_file()]
    return existing or list(dict.fromkeys(tests))
