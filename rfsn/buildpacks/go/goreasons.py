"""Why each Go test failed: the last ``file.go:NN: message`` line it printed (``t.Errorf``,
``t.Fatal``; testify's ``Error:`` line), from ``go test -json``'s output events."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rfsn.buildpacks.base import json_lines
from rfsn.buildpacks.go.gotimeout import timed_out_packages

#: a line a test printed through ``t.Errorf``, ``t.Fatal`` (or ``t.Log``): ``file_test.go:NN: message``
_TEST_LINE = re.compile(r"^\s+(?P<file>[\w.-]+\.go):\d+: ?(?P<message>.*)$")
#: testify's message, on the lines after its empty ``file_test.go:NN:`` line
_TESTIFY = re.compile(r"^\s+Error:\s+(?P<message>\S.*)$")


def _reason(lines: Sequence[str]) -> tuple[str, str] | None:
    """The last ``file.go:NN: message`` line of a test's output (a ``t.Fatal`` ends it; a
    ``t.Log`` before looks the same) as (message, file); testify's ``Error:`` line when empty."""
    found = [(i, m) for i, m in enumerate(map(_TEST_LINE.match, lines)) if m]
    if not found:
        return None
    at, line = found[-1]
    after = (m["message"].strip() for m in map(_TESTIFY.match, lines[at + 1 :]) if m)
    return (line["message"].strip() or next(after, ""), line["file"])


def go_reasons(output: str) -> dict[str, tuple[str, str]]:
    """Each failed test's reason, from ``go test -json``'s output events (a test failed through
    its subtests alone has its first failed subtest's)."""
    printed: dict[str, list[str]] = {}
    failed: list[str] = []
    for event in json_lines(output.splitlines()):
        package, test, action = event.get("Package"), event.get("Test"), event.get("Action")
        if package and test and action == "output":
            printed.setdefault(f"{package}/{test}", []).append(event.get("Output") or "")
        elif package and test and action == "fail":
            failed.append(f"{package}/{test}")
    own = {t: r for t in failed if (r := _reason("".join(printed.get(t, [])).splitlines()))}
    inherited = {t: next((own[s] for s in failed if s.startswith(f"{t}/") and s in own), None) for t in failed}
    timed = {
        t: (p.reason, p.package)
        for p in timed_out_packages(json_lines(output.splitlines())).values()
        for t in p.timed_out
    }
    return own | {t: r for t, r in inherited.items() if t not in own and r} | timed
