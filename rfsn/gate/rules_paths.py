"""Path rules: relative, normalized, inside the real workspace, not protected.

``lexical_violation`` is pure (the spelling of the path); ``resolve_violation``
reads the workspace (symlinks as they are on disk now, including ones made by
earlier accepted edits).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from rfsn.gate.policy import GatePolicy
from rfsn.gate.rules import Rule, Violation

_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")
_DRIVE = re.compile(r"^[A-Za-z]:")


def _escape(path: str, why: str) -> Violation:
    return Violation(Rule.PATH_ESCAPE, f"{path!r}: {why}; use a relative path inside the repository")


def lexical_violation(path: str, policy: GatePolicy) -> Violation | None:
    """Reject spellings that are absolute, escaping, encoded or otherwise ambiguous."""
    if not path:
        return _escape(path, "empty path")
    if len(path) > policy.max_path_length:
        return _escape(path[:60], f"longer than {policy.max_path_length} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in path):
        return _escape(path, "control or invisible characters")
    if unicodedata.normalize("NFKC", path) != path or not path.isprintable():
        return _escape(path, "not in Unicode normal form (look-alike characters)")
    if "\\" in path:
        return _escape(path, "backslashes are not path separators here")
    if _ENCODED.search(path):
        return _escape(path, "percent-encoded characters")
    if path.startswith(("/", "~")) or _DRIVE.match(path):
        return _escape(path, "absolute or home-relative")
    parts = path.split("/")
    if ".." in parts or any(p.strip(" .") == "" and p not in ("", ".") for p in parts):
        return _escape(path, "'..' or dot-only components")
    if "" in parts[:-1] and path != ".":
        return _escape(path, "empty path components ('//')")
    if any(p.casefold() == ".git" or p.casefold().startswith(".git.") for p in parts) or any(
        p.casefold().startswith("git~") for p in parts
    ):
        return Violation(Rule.PROTECTED_PATH, f"{path!r}: .git internals are off limits")
    return None


def normalize(path: str) -> str:
    """Collapse '.' components of a lexically valid path ('' for the root)."""
    return "/".join(p for p in path.split("/") if p not in ("", "."))


@functools.lru_cache(maxsize=512)
def _glob_regex(glob: str) -> re.Pattern[str]:
    anchored = "/" in glob.rstrip("/")
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"{prefix}{body}(?:/.*)?", re.IGNORECASE | re.DOTALL)


def matches_any(path: str, globs: tuple[str, ...]) -> str | None:
    """The first gitignore-like glob matching ``path`` (case-insensitive), if any."""
    for glob in globs:
        if _glob_regex(glob).fullmatch(path):
            return glob
    return None


def protected_violation(path: str, policy: GatePolicy, *, write: bool) -> Violation | None:
    globs = policy.protected if write else policy.secret_globs
    if write and not policy.allow_lockfile_edits:
        globs = globs + policy.lockfiles
    glob = matches_any(path, globs)
    if glob is None:
        return None
    verb = "edited" if write else "read"
    return Violation(Rule.PROTECTED_PATH, f"{path!r} matches protected glob {glob!r}; it may not be {verb}")


def resolve_violation(path: str, workspace: Path, *, write: bool) -> Violation | None:
    """Check the path against the workspace on disk: symlinks, and where it really lands."""
    root = workspace.resolve()
    rel = normalize(path)
    current = root
    parts = rel.split("/") if rel else []
    for index, part in enumerate(parts):
        current = current / part
        if current.is_symlink():
            target = current.resolve()
            if write:
                what = "is a symbolic link" if index == len(parts) - 1 else "goes through a symbolic link"
                return _escape(path, f"{'/'.join(parts[: index + 1])!r} {what}; edits may not write through links")
            if not target.is_relative_to(root):
                return _escape(path, "a symbolic link on the way leads outside the workspace")
        elif not current.exists():
            break
    final = (root / rel).resolve() if rel else root
    if not final.is_relative_to(root):
        return _escape(path, "resolves outside the workspace")
    try:
        git_dir = (root / ".git").resolve()
    except OSError:
        git_dir = root / ".git"
    if final.is_relative_to(git_dir):
        return Violation(Rule.PROTECTED_PATH, f"{path!r} resolves into .git internals")
    return None


def path_violation(path: str, workspace: Path, policy: GatePolicy, *, write: bool) -> Violation | None:
    """All path rules in order: spelling, protection, then the workspace on disk."""
    return (
        lexical_violation(path, policy)
        or protected_violation(normalize(path), policy, write=write)
        or resolve_violation(path, workspace, write=write)
    )
