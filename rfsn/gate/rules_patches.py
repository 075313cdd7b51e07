"""Edit rules: a well-formed, modest, secret-free diff that applies and compiles.

``prepare_edit`` turns an Edit (diff or exact replacement) into a parsed patch
plus the before/after text of each file, reading the workspace only. The rule
functions below are pure over that prepared edit.
"""

from __future__ import annotations

import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from rfsn.buildpacks.testfiles import is_test_module
from rfsn.errors import BinaryDiffError, DiffError, InputError, WorkspaceError
from rfsn.gate.policy import GatePolicy
from rfsn.gate.rules import Rule, Violation, named_patterns
from rfsn.gate.rules_paths import normalize, path_violation
from rfsn.gate.rules_scope import tier_exempt_lines
from rfsn.inputs import toml_file
from rfsn.models import Edit, Phase
from rfsn.observability.logging import get_logger
from rfsn.patches import (
    FilePatch,
    apply_file,
    parse_patch,
    unified_diff,
)
from rfsn.patches.apply import check

log = get_logger(__name__)

SECRET_PATTERNS = named_patterns(
    (
        ("OpenAI/Anthropic-style API key", r"\bsk-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_-]{20,}"),
        ("AWS access key id", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b"),
        ("GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})"),
        ("Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
        ("private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
        ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
        ("GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}"),
        ("Stripe key", r"\b(?:sk|rk)_live_[A-Za-z0-9]{20,}"),
    )
)


@dataclass
class PreparedEdit:
    """A parsed edit with each touched file's text before and after (None: absent)."""

    patch: str
    files: list[FilePatch]
    before: dict[str, str | None] = field(default_factory=dict)
    after: dict[str, str | None] = field(default_factory=dict)


def _read_text(workspace: Path, rel: str) -> str | None:
    target = workspace / rel
    if not target.exists() and not target.is_symlink():
        return None
    if target.is_symlink() or not target.is_file():
        raise DiffError(f"{rel} is not a regular file")
    try:
        return target.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise DiffError(f"{rel} is not UTF-8 text; binary files cannot be edited") from None


def patch_text(edit: Edit, workspace: Path, policy: GatePolicy) -> str | Violation:
    """The edit as a unified diff; an exact replacement must match exactly once."""
    if edit.patch is not None:
        return edit.patch
    assert edit.path is not None and edit.old is not None and edit.new is not None
    found = path_violation(edit.path, workspace, policy, write=True)
    if found:
        return found
    rel = normalize(edit.path)
    try:
        text = _read_text(workspace, rel)
    except DiffError as exc:
        return Violation(Rule.PATCH_DOES_NOT_APPLY, str(exc))
    if text is None:
        return Violation(Rule.PATCH_DOES_NOT_APPLY, f"{rel} does not exist; create files with a diff")
    if not edit.old:
        return Violation(Rule.PATCH_MALFORMED, "'old' is empty; quote the exact text to replace")
    count = text.count(edit.old)
    if count != 1:
        where = "does not occur" if count == 0 else f"occurs {count} times"
        return Violation(
            Rule.PATCH_DOES_NOT_APPLY, f"'old' {where} in {rel}; it must match exactly once (add surrounding lines)"
        )
    if edit.old == edit.new:
        return Violation(Rule.PATCH_MALFORMED, "'old' and 'new' are the same; nothing to change")
    return unified_diff(rel, text, text.replace(edit.old, edit.new, 1))


def parse_violation(patch: str, policy: GatePolicy) -> list[FilePatch] | Violation:
    if len(patch.encode("utf-8", "surrogatepass")) > policy.max_patch_bytes:
        return Violation(Rule.PATCH_TOO_LARGE, f"patch is over {policy.max_patch_bytes} bytes")
    try:
        return parse_patch(patch)
    except BinaryDiffError as exc:
        return Violation(Rule.PATCH_MALFORMED, f"{exc}; only text diffs are accepted")
    except DiffError as exc:
        return Violation(Rule.PATCH_MALFORMED, f"{exc}; send a unified diff as 'git diff' prints it")


def mode_violation(files: list[FilePatch]) -> Violation | None:
    for fp in files:
        if fp.new_mode == "120000":
            return Violation(Rule.PATH_ESCAPE, f"{fp.path}: patches may not create symbolic links")
        if fp.new_mode is not None and fp.new_mode != "100644":
            return Violation(Rule.PATCH_MALFORMED, f"{fp.path}: new files must have mode 100644, not {fp.new_mode}")
        if fp.mode_change is not None:
            return Violation(Rule.PATCH_MALFORMED, f"{fp.path}: file mode changes are not accepted")
    return None


def paths_violation(files: list[FilePatch], workspace: Path, policy: GatePolicy) -> Violation | None:
    for fp in files:
        for path in fp.paths:
            found = path_violation(path, workspace, policy, write=True)
            if found:
                return found
    return None


def size_violation(
    files: list[FilePatch], policy: GatePolicy, phase: Phase, prepared: PreparedEdit | None = None
) -> Violation | None:
    """The size tier bounds the fix. A reproduction's new tests are never part of it (the
    reproduce phase may only add tests): their lines are bounded by ``max_patch_bytes`` alone;
    nor are, in a Python test module, the lines of new tests or of statements left as they were
    (``tier_exempt_lines``): those are counted once ``prepared`` holds the texts, and skipped before."""
    tier = policy.size_tier()
    if len(files) > tier.max_files:
        return Violation(
            Rule.PATCH_TOO_LARGE, f"{len(files)} files changed; tier {policy.tier!r} allows {tier.max_files}"
        )
    changed = sum(_tier_lines(fp, prepared) for fp in files)
    if changed > tier.max_changed_lines and phase is not Phase.REPRODUCE:
        return Violation(
            Rule.PATCH_TOO_LARGE,
            f"{changed} lines changed; tier {policy.tier!r} allows {tier.max_changed_lines}; make a smaller edit",
        )
    return None


def _tier_lines(fp: FilePatch, prepared: PreparedEdit | None) -> int:
    if not (fp.new_path and fp.new_path.endswith(".py") and is_test_module(fp.new_path)) or fp.renamed:
        return len(fp.added) + len(fp.removed)
    if prepared is None:
        return 0  # counted once the texts are known
    after = prepared.after.get(fp.new_path)
    exempt = tier_exempt_lines(prepared.before.get(fp.new_path), after) if after is not None else None
    if exempt is None:
        return len(fp.added) + len(fp.removed)
    added, removed = _numbered(fp)
    return len(added - exempt[0]) + len(removed - exempt[1])


def _numbered(fp: FilePatch) -> tuple[set[int], set[int]]:
    """The numbers of the added lines (in the new text) and of the removed ones (in the old)."""
    added: set[int] = set()
    removed: set[int] = set()
    for hunk in fp.hunks:
        old = hunk.old_start if hunk.old_count else hunk.old_start + 1
        new = hunk.new_start if hunk.new_count else hunk.new_start + 1
        for op, _ in hunk.lines:
            if op == "+":
                added.add(new)
            elif op == "-":
                removed.add(old)
            old, new = old + (op != "+"), new + (op != "-")
    return added, removed


def secret_violation(files: list[FilePatch]) -> Violation | None:
    for fp in files:
        for line in fp.added:
            for name, pattern in SECRET_PATTERNS:
                if pattern.search(line):
                    return Violation(
                        Rule.SECRET_IN_PATCH, f"{fp.path}: an added line looks like a {name}; never commit secrets"
                    )
    return None


def apply_violation(prepared: PreparedEdit, workspace: Path) -> Violation | None:
    """Apply every file in memory, filling ``prepared.before``/``after``."""
    for fp in prepared.files:
        try:
            old = _read_text(workspace, normalize(fp.old_path)) if fp.old_path else None
            if fp.new_path and fp.new_path != fp.old_path and _read_text(workspace, normalize(fp.new_path)) is not None:
                raise DiffError(f"{fp.new_path} already exists")
            new = apply_file(old, fp)
        except DiffError as exc:
            return Violation(Rule.PATCH_DOES_NOT_APPLY, f"{exc}; re-read the file and diff against it")
        if fp.old_path:
            prepared.before[fp.old_path] = old
        if fp.new_path:
            prepared.before.setdefault(fp.new_path, None)
            prepared.after[fp.new_path] = new
        if fp.old_path and fp.old_path != fp.new_path:
            prepared.after[fp.old_path] = None
    return None


def git_apply_violation(patch: str, workspace: Path, policy: GatePolicy) -> Violation | None:
    """A second opinion from ``git apply --check`` (reads only) in a git checkout."""
    if not policy.git_apply_check or not (workspace / ".git").is_dir():
        return None
    try:
        proc = check(workspace, patch)
    except (OSError, WorkspaceError) as exc:
        log.warning("gate.git_apply_unavailable", error=str(exc))
        return Violation(Rule.PATCH_DOES_NOT_APPLY, f"could not confirm with git apply: {exc}")
    if proc.returncode != 0:
        first = proc.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        return Violation(Rule.PATCH_DOES_NOT_APPLY, f"git apply --check: {first[0] if first else 'failed'}")
    return None


def newer_python(workspace: Path) -> bool:
    """Does the project ask for a Python newer than the gate's own (``requires-python`` in
    pyproject.toml)? Its grammar then may not be the gate's (``type X = ...``, ``def f[T]()``)."""
    try:
        wanted = toml_file(workspace / "pyproject.toml").get("project", {}).get("requires-python", "")
    except (InputError, AttributeError):
        return False
    found = re.search(r">=?\s*(\d+)\.(\d+)", wanted) if isinstance(wanted, str) else None
    return found is not None and (int(found[1]), int(found[2])) > sys.version_info[:2]


def syntax_violation(prepared: PreparedEdit, workspace: Path | None = None) -> Violation | None:
    """Changed Python files must still compile (in memory; nothing is imported) when the gate's
    Python can judge: not for a project that asks for a newer one (the test run then does)."""
    if workspace is not None and newer_python(workspace):
        return None
    for path, text in prepared.after.items():
        if text is None or not path.endswith((".py", ".pyi")):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(text, path, "exec", dont_inherit=True)
        except SyntaxError as exc:
            return Violation(Rule.SYNTAX_ERROR, f"{path}:{exc.lineno}: {exc.msg}")
        except (ValueError, RecursionError, MemoryError) as exc:
            return Violation(Rule.SYNTAX_ERROR, f"{path}: does not compile: {exc}")
    return None
