"""Which failing tests a repair targets, when nobody said: the baseline's failures by cause.

A project whose environment cannot run some of its tests must still be fixable, so the
baseline's failures are grouped by cause: the first line each failed with (numbers, addresses,
paths and quoted values masked) and the file of its innermost frame. A program that is not
there (exit 127, ``command not found``) or a module neither the project's nor installed is the
environment: never a target. The other groups are tried one at a time in the order of
``planners.reproduce.evidence``, each with a share of the budget (``planners.spending``); a patch that
makes one pass and breaks no passing test is a fix. Causes come from the summary lines
(pytest's ``-rA``), ``TestReport.reasons`` and ``TestReport.crashes``; a runner that prints
none gives one group of unknown cause.

Named targets (``--tests``) are the baseline's failures among them; one it never reported is
"no such test" unless the run says it did not pass (`unreported`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from rfsn.buildpacks.junit import RAISED_IN
from rfsn.models.results import Crash, TestReport, TestStatus
from rfsn.models.sessions import FailureGroup
from rfsn.models.testfiles import test_id_file
from rfsn.planners.localize.tracebacks import failure_sections, headline

_SUMMARY = re.compile(r"^(?:FAILED|ERROR) (\S+?)(?: - (.*))?$", re.M)
_FIRST_E = re.compile(r"^E {2,}(\S.*)$", re.M)
_MISSING_PROGRAM = re.compile(
    r"No such file or directory: '([^'/\s]+)'|command not found|exit status 127\b|"
    r"returned non-zero exit status 127"
)
_MISSING_MODULE = re.compile(r"No module named '([\w.]+)'|cannot import name '[^']+' from '([\w.]+)'")
_MASKS = (
    (re.compile(r"0x[0-9a-fA-F]+"), "0x…"),
    (re.compile(r"(?:/[\w.-]+)+/"), "…/"),
    (re.compile(r"'[^']*'|\"[^\"]*\""), "'…'"),
    (re.compile(r"\b\d+(?:\.\d+)?\b"), "N"),
)


def _sections(log: str) -> dict[str, tuple[str, str]]:
    """Headline (``test_x[1]``, ``TestA.test_b``) -> (the first ``E`` line of its failure
    section, the file of its innermost frame): the whole message, where the summary line is cut
    to the terminal's width, and where it was raised."""
    found: dict[str, tuple[str, str]] = {}
    for name, text in failure_sections(log).items():
        line, frames = _FIRST_E.search(text), RAISED_IN.findall(text)
        if line:
            found[name] = (line.group(1).strip(), frames[-1] if frames else "")
    return found


Cause = tuple[str, str]  # (the first line of the failure, the file of its innermost frame)


def causes(log: str, crashes: Iterable[Crash] = (), reasons: Mapping[str, Cause] | None = None) -> dict[str, Cause]:
    """Test id -> what it failed with and where, from the runner's summary lines (and, where
    the runner printed one, the failure's own section), else the reasons its structured report
    gave (``TestReport.reasons``): where it printed neither, or only a summary line cut to the
    terminal's width (``...``, or no message at all); and a crashed test's from its crash."""
    sections = _sections(log)
    found = dict(reasons or {})
    for test, message in _SUMMARY.findall(log):
        cause = sections.get(headline(test), ((message or "").strip(), ""))
        if test not in found or (cause[0] and not cause[0].endswith("...")):
            found[test] = cause
    return found | {crash.test: (crash.reason, crash.unit) for crash in crashes}


def environmental(cause: str, own_modules: Iterable[str]) -> bool:
    """Whether ``cause`` is the environment's: a program or a foreign module that is missing."""
    if _MISSING_PROGRAM.search(cause):
        return True
    missing = _MISSING_MODULE.search(cause)
    if missing:
        module = (missing.group(1) or missing.group(2)).split(".")[0]
        return module not in set(own_modules)
    return False


def _key(cause: str) -> str:
    for pattern, mask in _MASKS:
        cause = pattern.sub(mask, cause)
    return cause[:200]


def group(failing: Iterable[str], found: Mapping[str, Cause], own_modules: Iterable[str]) -> list[FailureGroup]:
    """Pure: the failing tests by cause (the masked message and the file it was raised in);
    target groups first, smallest first, then the environment's."""
    own = set(own_modules)
    by_key: dict[tuple[str, str], list[str]] = {}
    first: dict[tuple[str, str], str] = {}
    for test in failing:
        message, where = found.get(test, ("", ""))
        key = (_key(message), where)
        by_key.setdefault(key, []).append(test)
        first.setdefault(key, message or "unknown (the runner printed no reason)")
    groups = [
        FailureGroup(cause=first[key], tests=tests, kind="environment" if environmental(first[key], own) else "target")
        for key, tests in by_key.items()
    ]
    return sorted(groups, key=lambda g: (g.kind == "environment", len(g.tests), g.tests[0]))


def unreported(baseline: TestReport, named: Sequence[str]) -> TestReport:
    """``baseline`` with the ``named`` tests it never reported (a test id, not a file or a
    folder) failed, where it says they did not pass: the file they live in could not be collected
    (its own id erred; their reason is its error), or the project's own crash cut the run short
    (the target's failure may make the code under test, itself the runner, crash before it
    reports the target); else ``baseline`` as it is."""
    missing = [t for t in baseline.unknown(list(named)) if test_id_file(t) != t]
    hidden = [t for t in missing if baseline.tests.get(test_id_file(t)) == TestStatus.ERROR]
    failed = [t for t in missing if t in hidden or (baseline.crashed and "::" in t)]
    if not failed:
        return baseline
    found = causes(baseline.log)
    reasons = {t: found[test_id_file(t)] for t in hidden if test_id_file(t) in found}
    return baseline.model_copy(
        update={
            "tests": {**baseline.tests, **dict.fromkeys(failed, TestStatus.FAILED)},
            "reasons": {**baseline.reasons, **reasons},
        }
    )
