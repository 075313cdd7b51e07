"""Tests a model calls obsolete: they assert the very behaviour the problem asks to change.

A fix can break a test that asserted the buggy behaviour; the project's own fix updates or
removes it. A test the reproduction restates is set aside from the start (``restated``); one
it cannot restate (the project removed it) would make an issue-only session refuse the fix.

So, as Agentless asks which regression tests the issue makes wrong, a model candidate that
made every target pass but broke baseline-passing tests goes back with their names, and may
name a test on a line ``OBSOLETE: <test id>`` with the patch again. Only in a session with a
reproduction, only tests that candidate broke, at most ``MAX_OBSOLETE``: the candidate is
screened again with them set aside, each named among the verdict's concerns. A screening run
in such a session goes on until ``MAX_OBSOLETE`` more tests broke, so the model hears of all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: a test function (its parameters aside) may be called obsolete by at most this many names a
#: candidate: a fix that breaks more is taken for a regression, not a change of behaviour
MAX_OBSOLETE = 5
MARKER = "OBSOLETE:"
_DECLARED = re.compile(r"^[\s>*`-]*OBSOLETE:[ \t*`]*(\S[^\n]*?)[ \t*`]*$", re.M)


def function(test_id: str) -> str:
    """A test id without its parameters: ``t.py::test_x[1]`` -> ``t.py::test_x``."""
    return test_id.split("[", 1)[0]


def declared(text: str) -> list[str]:
    """The test ids a reply names on ``OBSOLETE: <id>`` lines, in order, once each."""
    return list(dict.fromkeys(_DECLARED.findall(text)))


def accepted(names: Sequence[str], broken: Sequence[str]) -> tuple[str, ...]:
    """Of the ``broken`` tests, those ``names`` calls obsolete (by id, or by the function, its
    parameters aside); none when they span more than ``MAX_OBSOLETE`` functions."""
    wanted = set(names)
    found = tuple(t for t in broken if t in wanted or function(t) in wanted)
    return found if len({function(t) for t in found}) <= MAX_OBSOLETE else ()


def request(broken: Sequence[str]) -> str:
    """What the model is told of a patch that made the reproduction pass and broke ``broken``."""
    listed = "\n".join(f"- {t}" for t in broken[:20])
    return (
        "That patch made the reproduction pass, but these tests, which passed before it, now "
        f"fail:\n{listed}\n\nIf such a test asserts the very behaviour the problem statement asks "
        "to change (the project's own fix would update or remove it), name it on a line of its "
        f"own, `{MARKER} <test id>`, and give the same patch again (do not edit the test). "
        "Otherwise answer with a patch that keeps them passing."
    )
