"""Environment validation: can this environment run the instance's tests at all?

At the base commit with ``test_patch`` applied, the runner must collect every FAIL_TO_PASS and
PASS_TO_PASS test, FAIL_TO_PASS failing and PASS_TO_PASS passing; otherwise the environment is
at fault (an infrastructure failure labelled ``env``, with the first error line). A base that
fails the check runs once more: runs that disagree on the instance's tests make it ``flaky``
(or a caveat beside the verdict, if the second run passes). Where the harness grades all the
same (PASS_TO_PASS tests never collected, tests whose definition the test patch adds or edits
failing at base), rfsn keeps its verdict and adds the reason as a caveat (`caveat`); the rules
per test: `verdict`.

A pass is cached under a key of everything that decides it (commit, test patch and lists, env
recipe, buildpack and how it reads statuses, rfsn's version); a failure is checked again.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Collection, Iterator
from pathlib import Path

from rfsn.batch.harness.grading import harness_names, with_functions
from rfsn.batch.harness.specenv import grader, spec_of
from rfsn.buildpacks.base import Buildpack
from rfsn.buildpacks.parts import parts as optional_parts
from rfsn.errors import DiffError, InputError
from rfsn.fsutil import write_atomic
from rfsn.inputs import json_value, read_bounded
from rfsn.models import TestReport, TestStatus
from rfsn.models.swebench import Instance
from rfsn.models.testfiles import test_id_file
from rfsn.patches import parse_patch
from rfsn.version import code_digest


def verdict(
    instance: Instance,
    report: TestReport,
    diagnosis: str | None,
    runner_crashed: bool = False,
    dependency: str = "",
    edited: Collection[str] | None = None,
) -> str | None:
    """Pure: why ``report`` (base + test_patch) shows a broken environment, or None.

    ``runner_crashed``: the run ended in an internal error raised through the project's own
    code (the project is the runner, as pytest is in its repository). The crash is the bug, and
    the harness, which reads the summary the crash never printed, saw every FAIL_TO_PASS test
    fail: so they are not checked. ``dependency``: a test module of the run cannot be collected
    for want of a module that is not the project's own (``pyhealth.missing_dependency``); without
    one, a FAIL_TO_PASS test hidden by its module's collection error fails at base. ``edited``:
    the tests whose definition the test patch adds or edits (`edited_tests`; from the diff alone
    if not given)."""
    if diagnosis:
        return diagnosis
    tests = with_functions(harness_names(report.tests))
    missing = [t for t in instance.FAIL_TO_PASS if t not in tests]
    unexplained = [t for t in missing if dependency or tests.get(test_id_file(t)) != TestStatus.ERROR]
    if unexplained and not runner_crashed:
        first = dependency or next((ln.strip() for ln in report.log.splitlines() if "Error" in ln), "")
        return f"{len(missing)} test(s) not collected at base (first: {unexplained[0]}){': ' + first if first else ''}"
    # a PASS_TO_PASS test passes at base in the harness: its module must import there
    hidden = [t for t in instance.PASS_TO_PASS if t not in tests and tests.get(test_id_file(t)) == TestStatus.ERROR]
    if hidden:
        first = next((ln.strip() for ln in report.log.splitlines() if "Error" in ln), "")
        return (
            f"{len(hidden)} PASS_TO_PASS test(s) not collected at base, their module does not import "
            f"(first: {hidden[0]}){': ' + first if first else ''}"
        )
    # a test whose definition the test patch adds or edits is the fix's to pass, whatever list
    # names it: the harness never runs it at base
    excused = edited_tests(instance.test_patch) if edited is None else edited
    broken = [
        t for t in instance.PASS_TO_PASS if t in tests and tests[t] != TestStatus.PASSED and not _excused(t, excused)
    ]
    if broken:
        network = needs_network(report.log)
        return f"{len(broken)} PASS_TO_PASS test(s) do not pass at base (first: {broken[0]})" + (
            f"; they need the network, which the sandbox does not have: {network}" if network else ""
        )
    early = [t for t in instance.FAIL_TO_PASS if tests.get(t) == TestStatus.PASSED]
    if early and not runner_crashed:
        return f"{len(early)} FAIL_TO_PASS test(s) already pass at base (first: {early[0]})"
    return None


_ADDED_TEST = re.compile(r"^\+[ \t]*(?:async[ \t]+)?def (test\w*)[ \t]*\(", re.M)


def edited_tests(patch: str, tree: Path | None = None) -> frozenset[str]:
    """The tests whose definition ``patch`` adds or edits (its decorators, its class's, its
    signature or its body): ``file::Class::function`` as read in ``tree``, where the patch is
    applied, and the bare names of the functions the diff adds a definition of."""
    found = set(_ADDED_TEST.findall(patch))
    if tree is None:
        return frozenset(found)
    for path, (added, removed) in _changed_lines(patch).items():
        try:
            module = ast.parse((tree / path).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        found |= {
            name
            for name, spans in _definitions(module.body, path)
            if any(start <= n <= end for start, end in spans for n in added)
            or any(start <= n <= end + 1 for start, end in spans for n in removed)
        }
    return frozenset(found)


def _changed_lines(patch: str) -> dict[str, tuple[set[int], set[int]]]:
    """Pure: per file of ``patch``, the new file's lines it adds, and the new lines before which
    it removes some (none when the patch does not parse)."""
    try:
        files = parse_patch(patch)
    except DiffError:
        return {}
    changed: dict[str, tuple[set[int], set[int]]] = {}
    for file in files:
        added, removed = changed.setdefault(file.new_path or "", (set(), set()))
        for hunk in file.hunks:
            line = hunk.new_start
            for op, _ in hunk.lines:
                if op == "+":
                    added.add(line)
                elif op == "-":
                    removed.add(line)
                line += op != "-"
    changed.pop("", None)
    return changed


def _definitions(
    body: list[ast.stmt], prefix: str, outer: tuple[tuple[int, int], ...] = ()
) -> Iterator[tuple[str, tuple[tuple[int, int], ...]]]:
    """Pure: each function of ``body`` (methods too) as ``prefix::Class::name``, with the line
    spans that define it: its own, from its first decorator to its last line, and the headers
    (decorators and ``class`` line) of the classes it is in (``outer``)."""
    for node in body:
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        if isinstance(node, ast.ClassDef):
            yield from _definitions(node.body, f"{prefix}::{node.name}", (*outer, (start, node.lineno)))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield f"{prefix}::{node.name}", ((start, node.end_lineno or node.lineno), *outer)


def _excused(test: str, edited: Collection[str]) -> bool:
    """Pure: whether ``test`` (a harness id) is one of ``edited`` (`edited_tests`)."""
    plain = test.partition("[")[0]
    if "::" not in plain:  # an id naming its function alone (a bare-name runner's)
        return any(e.rpartition("::")[2] == plain for e in edited)
    return plain in edited or _function(test) in edited


def _function(test: str) -> str:
    """Pure: the function a pytest id names (``path::Class::test_x[param]`` -> ``test_x``)."""
    return test.rpartition("::")[2].partition("[")[0]


#: what a test run prints when code under test reaches for a network the sandbox does not have
#: (name resolution, connection set-up), in the words of glibc, urllib3, requests and the OS
_NO_NETWORK = re.compile(
    r"Temporary failure in name resolution|Name or service not known|No address associated with "
    r"hostname|nodename nor servname|getaddrinfo failed|Failed to establish a new connection|"
    r"Network is unreachable|No route to host|Could not resolve host|NameResolutionError"
)


def needs_network(log: str) -> str:
    """Pure: the first line of ``log`` showing a test reaching for the network ("" if none)."""
    found = _NO_NETWORK.search(log)
    if not found:
        return ""
    start = log.rfind("\n", 0, found.start()) + 1
    end = log.find("\n", found.end())
    return log[start : end if end >= 0 else len(log)].strip()[:200]


def caveat(instance: Instance, report: TestReport, edited: Collection[str] | None = None) -> str:
    """Pure: the PASS_TO_PASS tests ``report`` does not have, and those the test patch adds or
    edits (``edited``, as `verdict` takes it) that fail at base, said in one line ("" if none).
    The harness grades the first as failed and never runs the second at base; rfsn grades alike
    and says so beside the verdict."""
    tests = with_functions(harness_names(report.tests))
    missing = [t for t in instance.PASS_TO_PASS if t not in tests]
    excused = edited_tests(instance.test_patch) if edited is None else edited
    failing = [
        t for t in instance.PASS_TO_PASS if t in tests and tests[t] != TestStatus.PASSED and _excused(t, excused)
    ]
    said = []
    if missing:
        said.append(
            f"{len(missing)} PASS_TO_PASS test(s) never collected at base, graded as failed as "
            f"the harness grades them (first: {missing[0]})"
        )
    if failing:
        said.append(
            f"{len(failing)} PASS_TO_PASS test(s) the test patch adds or edits fail at base, where the "
            f"harness never runs them (first: {failing[0]})"
        )
    return "; ".join(said)


def changed(instance: Instance, first: TestReport, second: TestReport) -> str:
    """Pure: which of the instance's tests two runs at base disagree on, said in one line ("" if
    they agree). A test whose status changes from run to run (a runner that draws a random
    hash seed when none is set) makes a baseline that is neither broken nor sound: flaky."""
    before, after = with_functions(harness_names(first.tests)), with_functions(harness_names(second.tests))
    moved = [t for t in [*instance.FAIL_TO_PASS, *instance.PASS_TO_PASS] if before.get(t) != after.get(t)]
    if not moved:
        return ""
    test = moved[0]
    return (
        f"{len(moved)} of the instance's tests change from run to run at base (first: {test}, "
        f"{_said(before.get(test))} then {_said(after.get(test))})"
    )


def _said(status: TestStatus | None) -> str:
    return status.value if status else "not collected"


def cache_path(home: Path, instance: Instance, buildpack: Buildpack, repo: Path) -> Path:
    """Where the verdict of ``instance`` in this environment is kept: keyed by everything that
    could change it, rfsn's own code included."""
    parts = [
        instance.base_commit,
        instance.test_patch,
        json.dumps(instance.FAIL_TO_PASS),
        json.dumps(instance.PASS_TO_PASS),
        buildpack.env_recipe(repo).key(),
        type(buildpack).__qualname__,
        json.dumps(spec_of(buildpack), sort_keys=True, default=str),
        grader(buildpack),
        str(limit.case_timeout if (limit := optional_parts(buildpack).running.case_limit) else None),
        code_digest(),
    ]
    key = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in instance.instance_id)
    return home / "validation" / f"{safe}-{key}.json"


def cached(path: Path) -> str | None:
    """The caveat of this instance's environment if it already passed validation ("" for
    none), or None."""
    try:
        known = json_value(read_bounded(path), str(path))
    except InputError:
        return None
    if not isinstance(known, dict) or known.get("valid") is not True:
        return None
    return str(known.get("caveat", ""))


def store(path: Path, caveat: str = "") -> None:
    """Remember that this instance's environment passed validation (with its caveat)."""
    write_atomic(path, json.dumps({"valid": True, "caveat": caveat}))
