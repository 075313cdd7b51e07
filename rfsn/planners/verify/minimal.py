"""A plausible patch of several edits kept to the edits its tests need: each edit is dropped in turn
and the rest screened again as the patch was (its targets, the tests covering it, the suite); an
edit whose removal leaves the patch plausible was not needed and stays out. A no-op edit kept only
because a flaky test passed in the run that screened the pair is the case this is for. The check
each plausible patch passed is named in ``Candidate.checks`` (``result.json``'s ``checks``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rfsn.planners.base import Plan
from rfsn.planners.code.candidates import Candidate, FileChange, Splice, apply_splices
from rfsn.planners.verify.screening import Screen, ScreenResult

#: a patch of more edits than this is not minimized (each drop costs a screening)
MAX_EDITS = 6
Screener = Callable[[Screen, Candidate], Plan[ScreenResult]]


@dataclass(frozen=True)
class Piece:
    """One edit of a candidate: a splice of one of its files."""

    path: str
    splice: Splice
    line: int
    old: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} `{_short(self.old)}` -> `{_short(self.splice.text)}`"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def pieces(candidate: Candidate) -> list[Piece]:
    """``candidate``'s edits, none where its splices do not make its files (a whole-file patch)."""
    found = []
    for change in candidate.changes():
        try:
            made = apply_splices(change.original, change.splices)
        except ValueError:
            return []
        if made != change.patched or not change.splices:
            return []
        found += [Piece(change.path, s, change.original[:s.start].count("\n") + 1, change.original[s.start:s.end])
                  for s in sorted(change.splices)]
    return found


def without(candidate: Candidate, dropped: Piece) -> Candidate | None:
    """``candidate`` less the edit ``dropped``; none when nothing would be left."""
    changes = []
    for change in candidate.changes():
        kept = tuple(s for s in change.splices if not (change.path == dropped.path and s == dropped.splice))
        if kept:
            changes.append(FileChange(path=change.path, original=change.original,
                                      patched=apply_splices(change.original, kept), splices=kept))
    if not changes:
        return None
    head, rest = changes[0], changes[1:]
    sources = [s.source for c in changes for s in c.splices]
    whole = all(source[0] for source in sources)
    parts = list(dict.fromkeys(sources)) if whole else []
    template = "+".join(t for t, _ in parts) if whole else candidate.template
    description = "; and ".join(d for _, d in parts) if whole else f"{candidate.description}, less {dropped}"
    line = min(s.start for s in head.splices)
    return candidate.model_copy(update={
        "path": head.path, "line": head.original[:line].count("\n") + 1, "template": template,
        "description": description, "original": head.original, "patched": head.patched,
        "splices": head.splices, "others": tuple(rest)})


def minimal(candidate: Candidate, screen: Screen, screener: Screener,
            room: Callable[[Candidate], bool]) -> Plan[Candidate]:
    """``candidate`` with every edit it does not need dropped, its ``checks`` saying so. ``screener``
    screens a candidate as the search does; ``room``: whether the budget left holds one more."""
    edits = pieces(candidate)
    checks: list[str] = []
    dropped: list[str] = []
    if len(edits) < 2:
        return _checked(candidate, ["minimal: one edit" if edits else "minimal: not checked (a whole-file patch)"])
    if len(edits) > MAX_EDITS:
        return _checked(candidate, [f"minimal: not checked ({len(edits)} edits, over {MAX_EDITS})"])
    for piece in edits:
        if len(pieces(candidate)) < 2:
            break
        smaller = without(candidate, piece)
        if smaller is None:
            continue
        if not room(candidate):
            checks.append(f"minimal: not checked past {len(dropped)} dropped edit(s): the budget left could not "
                          "hold another screening")
            break
        if (yield from screener(screen, smaller)).plausible:
            candidate = smaller
            dropped.append(str(piece))
    need = len(pieces(candidate))
    checks = checks or [f"minimal: each of its {need} edits is needed (dropped alone, the patch did not hold)"
                        if need > 1 else "minimal: one edit"]
    checks += [f"dropped {d}: the patch held without it" for d in dropped]
    return _checked(candidate, checks)


def _checked(candidate: Candidate, checks: list[str]) -> Candidate:
    return candidate.model_copy(update={"checks": (*candidate.checks, *checks)})
