"""Candidate patches produced by the template engines, and their unified diffs.

A candidate is one or more text splices applied to whole files; it keeps the file
text before and after so that a gate or an executor can check it without reading
the workspace again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, Field

from rfsn.patches import unified_diff


@dataclass(frozen=True, order=True)
class Splice:
    """Replace ``source[start:end]`` (character offsets) with ``text``; ``source``: the template and
    description of the candidate it came from, once candidates are combined."""

    start: int
    end: int
    text: str
    source: tuple[str, str] = field(default=("", ""), compare=False)


def common_prefix(a: str, b: str) -> int:
    """The length of the prefix ``a`` and ``b`` share."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # slices compare in C: a binary search beats a loop over characters
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def common_suffix(a: str, b: str) -> int:
    """The length of the suffix ``a`` and ``b`` share."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def apply_splices(source: str, splices: tuple[Splice, ...] | list[Splice]) -> str:
    """Apply non-overlapping splices; raises ValueError when two of them overlap."""
    ordered = sorted(splices, key=lambda s: (s.start, s.end))
    for before, after in pairwise(ordered):
        if after.start < before.end:
            raise ValueError(f"overlapping splices {before} and {after}")
    out, pos = [], 0
    for splice in ordered:
        out.append(source[pos : splice.start])
        out.append(splice.text)
        pos = splice.end
    out.append(source[pos:])
    return "".join(out)


class FileChange(BaseModel):
    """One changed file of a candidate."""

    model_config = ConfigDict(frozen=True)

    path: str
    original: str
    patched: str
    splices: tuple[Splice, ...] = ()


class Candidate(BaseModel):
    """A proposed fix: a template applied at one suspicious line (or a combination)."""

    model_config = ConfigDict(frozen=True)

    path: str = Field(description="repo-relative path of the (first) changed file")
    line: int = Field(description="1-based line the template was applied at")
    template: str = Field(description="name of the template (or 'a+b' for combinations)")
    description: str = Field(description="what the edit does, for humans")
    score: float = Field(description="suspiciousness x template prior / edit size")
    original: str = Field(description="file text before the edit")
    patched: str = Field(description="file text after the edit")
    splices: tuple[Splice, ...] = Field(default=(), description="splices on `original`")
    others: tuple[FileChange, ...] = Field(default=(), description="further changed files")
    obsolete: tuple[str, ...] = Field(
        default=(),
        description=(
            "baseline-passing tests the proposer calls obsolete, asserting the behaviour the problem "
            "asks to change: a fix may break them (issue-only, see rfsn.planners.verify.obsolete)"
        ),
    )
    checks: tuple[str, ...] = Field(default=(), description="the checks it passed beyond screening")

    def changes(self) -> list[FileChange]:
        first = FileChange(path=self.path, original=self.original, patched=self.patched, splices=self.splices)
        return [first, *self.others]

    def diff(self) -> str:
        """The unified diff of every changed file, ready for ``git apply``."""
        return "".join(unified_diff(c.path, c.original, c.patched) for c in self.changes())


def stamped(candidate: Candidate) -> list[FileChange]:
    """``candidate``'s changes, each splice naming the candidate it came from (if none yet)."""
    mark = (candidate.template, candidate.description)
    return [
        c.model_copy(update={"splices": tuple(s if s.source[0] else replace(s, source=mark) for s in c.splices)})
        for c in candidate.changes()
    ]


def combine(first: Candidate, second: Candidate) -> Candidate | None:
    """Merge two candidates (for multi-location bugs); None when their edits overlap."""
    merged: dict[str, FileChange] = {}
    for change in [*stamped(first), *stamped(second)]:
        known = merged.get(change.path)
        if known is None:
            merged[change.path] = change
            continue
        if known.original != change.original:
            return None
        splices = (*known.splices, *change.splices)
        try:
            patched = apply_splices(known.original, splices)
        except ValueError:
            return None
        merged[change.path] = FileChange(path=change.path, original=known.original, patched=patched, splices=splices)
    head, *rest = merged.values()
    if head.patched == head.original and not rest:
        return None
    return Candidate(
        path=head.path,
        line=first.line,
        template=f"{first.template}+{second.template}",
        description=f"{first.description}; and {second.description}",
        score=first.score * second.score,
        original=head.original,
        patched=head.patched,
        splices=head.splices,
        others=tuple(rest),
        checks=(*first.checks, *second.checks),
    )
