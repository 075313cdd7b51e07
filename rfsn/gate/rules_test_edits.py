"""Phase-aware test rules over a prepared edit.

reproduce: only new tests (new test files, or pure additions that leave every
existing test as it was); patch/verify: no test file, test region or test
configuration may change. In every phase: no skip/xfail marker that can reach an
existing test (one in a new test file or on a new test shapes that test: ``rules_scope``),
no conftest.py or pytest configuration changes, no pytest plugin hooks pytest would load by
itself (``rules_pyhooks``), no exits.
"""

from __future__ import annotations

import functools
from pathlib import Path, PurePosixPath

from rfsn.buildpacks.gaterules import session_wide
from rfsn.buildpacks.testfiles import is_test_file, tests_start
from rfsn.gate.policy import GatePolicy
from rfsn.gate.rules import Rule, Violation
from rfsn.gate.rules_patches import PreparedEdit
from rfsn.gate.rules_pyhooks import could_add_hook, hook_lines, is_test_module
from rfsn.gate.rules_reach import applied_elsewhere
from rfsn.gate.rules_scope import brace_local, caught_exits, python_new_lines
from rfsn.gate.rules_tests import (
    HOOK_MARKER,
    changed_python_definition,
    is_pytest_infra,
    line_markers,
    pytest_config_changed,
    python_code,
    skip_marker,
)
from rfsn.models import Phase
from rfsn.patches import FilePatch


def _tamper(path: str, why: str) -> Violation:
    return Violation(Rule.TEST_TAMPERING, f"{path}: {why}; tests are evidence and must not be weakened")


def marker_violation(
    prepared: PreparedEdit, phase: Phase | None = None, workspace: Path | None = None
) -> Violation | None:
    """Infrastructure files and skip markers, in every phase. Markers are looked for in the
    added lines, in the language of their file; in Python, in code only (not in comments or
    strings), when the file after the edit tokenizes. A marker that only shapes a new test
    (``rules_scope``) weakens nothing; neither does ``pytest.importorskip`` in a new test file
    written to reproduce."""
    replaced = any(fp.is_deleted or fp.renamed for fp in prepared.files if is_test_file(fp.old_path or ""))
    for fp in prepared.files:
        for path in fp.paths:
            if is_pytest_infra(path):
                return _tamper(path, "conftest.py and pytest configuration may not be changed")
        own = phase is Phase.REPRODUCE and fp.is_new and is_test_file(fp.path)
        after = prepared.after.get(fp.path)
        python = after if after is not None and fp.path.endswith(".py") else None
        hooks = (
            hook_lines(python, is_test_module(fp.path))
            if python is not None and could_add_hook(python, fp.added)
            else None
        )
        without = frozenset({HOOK_MARKER}) if hooks is not None else frozenset()
        # blanking comments and strings only takes markers away: the file is tokenized (a
        # whole module, for each candidate) only when the added lines show one as they are
        found = skip_marker(fp.added, own_file=own, path=fp.path, without=without) and _weakening(
            fp, prepared, own, without, replaced
        )
        found = found or next(
            ((HOOK_MARKER, text.strip()[:100]) for number, text in _new_line_numbers(fp) if number in (hooks or ())),
            None,
        )
        if found:
            return _tamper(fp.path, f"adds a {found[0]} ({found[1]!r})")
        if python is not None and is_test_file(fp.path):
            line = applied_elsewhere(
                python,
                {number for number, _ in _new_line_numbers(fp)},
                functools.partial(guarded_module, path=fp.path, workspace=workspace),
            )
            if line is not None:
                return _tamper(
                    fp.path,
                    f"line {line}: code run at import marks or changes an object this "
                    "file does not define (another module's tests)",
                )
    return None


#: what every test runs through (and ".", a relative import: the project's own): an attribute
#: set on one reaches every test
TEST_FRAMEWORKS = frozenset(
    {"unittest", "pytest", "_pytest", "pluggy", "doctest", "hypothesis", "builtins", "sys", "importlib", "gc", "."}
)


def guarded_module(top: str, path: str, workspace: Path | None) -> bool:
    """May a test file's import-time code not set attributes of what it imported from ``top``?
    A test framework, or a module of the project: at its root, in ``src``/``lib``, or in a
    directory above ``path`` (where pytest's rootdir insertion finds test helpers)."""
    if top in TEST_FRAMEWORKS or workspace is None:
        return True
    parents = [workspace, workspace / "src", workspace / "lib"]
    parents += [workspace / p for p in PurePosixPath(path).parents if str(p) != "."]
    return any((d / top).is_dir() or (d / f"{top}.py").is_file() for d in parents)


def _weakening(
    fp: FilePatch, prepared: PreparedEdit, own: bool, without: frozenset[str], replaced: bool
) -> tuple[str, str] | None:
    """The first added marker, in code, that can reach a test that existed before the edit."""
    after = prepared.after.get(fp.path)
    numbered = _new_line_numbers(fp)
    code = python_code(after) if after is not None and fp.path.endswith(".py") else None
    local: set[int] | None = None
    for number, raw in numbered:
        text = code.get(number, raw) if code is not None else raw
        for name in line_markers(text, own, fp.path, without):
            if local is None:
                local = _local_lines(fp, prepared, replaced, {n for n, _ in numbered})
            if name in session_wide() and "_exit" not in text and number in _caught(after):
                continue
            if name in session_wide() or number not in local:
                return name, text.strip()[:100]
    return None


def _caught(after: str | None) -> set[int]:
    return caught_exits(after) if after is not None else set()


def _local_lines(fp: FilePatch, prepared: PreparedEdit, replaced: bool, added: set[int]) -> set[int]:
    """The added lines (new numbering) that belong to new tests only: in a test file that is not
    deleted, of an edit that deletes or renames no test file into a new one."""
    after = prepared.after.get(fp.path)
    if after is None or not is_test_file(fp.path) or (replaced and fp.is_new):
        return set()
    if fp.path.endswith(".py"):
        before = prepared.before.get(fp.old_path) if fp.old_path else None
        return python_new_lines(before, after) or set()
    return {number for number in added if brace_local(fp.path, after, added, number)}


def _region_touched(fp: FilePatch, region: int) -> bool:
    """Does a hunk add or remove lines at or after line ``region`` (old numbering)?"""
    for hunk in fp.hunks:
        line = hunk.old_start if hunk.old_count else hunk.old_start + 1
        for op, _ in hunk.lines:
            if op in "+-" and line >= region:
                return True
            if op in " -":
                line += 1
    return False


def _new_test_only(fp: FilePatch, prepared: PreparedEdit) -> Violation | None:
    """reproduce: may this file section count as writing new tests?"""
    path = fp.path
    before, after = prepared.before.get(path), prepared.after.get(path) or ""
    region = None if fp.removed else tests_start(path, after)
    in_region = region is not None and all(n >= region for n, _ in _new_line_numbers(fp))
    if not (is_test_file(path) or any(is_test_file(p) for p in fp.paths) or in_region):
        return Violation(
            Rule.PHASE_VIOLATION, f"{path}: in reproduce only new tests may be written; fix code in the patch phase"
        )
    if fp.is_deleted or fp.renamed:
        return _tamper(path, "tests may not be deleted or renamed")
    if fp.removed:
        return _tamper(path, "in reproduce, tests may be added but no line may be removed")
    if before is not None and path.endswith(".py"):
        name = changed_python_definition(before, after)
        if name is not None:
            return _tamper(path, f"the addition changes the existing definition {name!r}")
    return None


def _new_line_numbers(fp: FilePatch) -> list[tuple[int, str]]:
    out = []
    for hunk in fp.hunks:
        line = hunk.new_start if hunk.new_count else hunk.new_start + 1
        for op, text in hunk.lines:
            if op == "+":
                out.append((line, text))
            if op in " +":
                line += 1
    return out


def edit_test_violation(prepared: PreparedEdit, phase: Phase, policy: GatePolicy) -> Violation | None:
    for fp in prepared.files:
        for path in fp.paths:
            before, after = prepared.before.get(path), prepared.after.get(path)
            if pytest_config_changed(path, before or "", after or ""):
                return _tamper(path, "the pytest configuration section may not be changed")
        if phase is Phase.REPRODUCE:
            found = _new_test_only(fp, prepared)
            if found:
                return found
            continue
        if policy.allow_test_edits:
            continue
        for path in fp.paths:
            if is_test_file(path):
                return _tamper(path, f"test files may not be changed in the {phase.value} phase")
        if fp.old_path:
            region = tests_start(fp.old_path, prepared.before.get(fp.old_path) or "")
            if region is not None and _region_touched(fp, region):
                return _tamper(fp.path, "the #[cfg(test)] region may not be changed outside reproduce")
    return None
