"""What a SWE-bench repair session runs for "the whole suite" (its baseline, its screening).

The whole suite, where the project has at most ``MAX_WHOLE`` test modules. Past that it
outlasts a session's test run, and the harness itself runs only the test files ``test_patch``
touches: so a session given the test patch runs those, and an issue-only one runs the test
files named for the code the problem statement points to (``explore.tested``), at most
``MAX_NAMED``, or the whole suite when none is (``session_suites``). The test files the
session adds (a reproduction) run with them (``Baseline.files``). A smaller project keeps the same
narrowed files for when its whole suite times out at baseline (``BaselineOptions.narrowed``).
"""

from __future__ import annotations

from pathlib import Path

from rfsn.buildpacks.testfiles import is_test_module
from rfsn.patches import touched_files
from rfsn.planners.code.sources import read_sources
from rfsn.planners.patch.explore import mentions, tested

MAX_WHOLE = 300
MAX_NAMED = 3


def session_suites(
    workspace: Path, test_patch: str = "", problem: str = "", max_whole: int = MAX_WHOLE
) -> tuple[list[str], list[str]]:
    """``(suite, narrowed)`` for the session on ``workspace`` (the instance's checkout).
    ``narrowed``: the test files a large project's session runs for its whole suite, those
    ``test_patch`` touches, else those named for what ``problem`` points to (none when
    neither names any). A project of more than ``max_whole`` test modules runs them as its
    ``suite``; a smaller one runs all of it (no ``suite``) and keeps them for when that times
    out."""
    tests = [p for p in read_sources(workspace, "python", tests=True) if is_test_module(p)]
    if test_patch:
        narrowed = [p for p in touched_files(test_patch) if is_test_module(p) and (workspace / p).is_file()]
    else:
        files = read_sources(workspace, "python")
        pointed = dict.fromkeys(d.path for d in mentions.pointed_to(problem, files))
        narrowed = tested.named_for(list(pointed), tests, files)[:MAX_NAMED]
    return (narrowed, []) if len(tests) > max_whole else ([], narrowed)
