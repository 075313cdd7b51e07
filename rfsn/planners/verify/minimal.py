"""A plausible patch of several edits (templates' edits combined) kept to the edits its tests
need: each is dropped in turn (all the splices its template made: a swap is one edit) and the rest
screened again as the patch was (its targets, the tests covering it, the suite); an edit whose
removal leaves the patch plausible was not needed and stays out. A no-op edit kept only because a
flaky test passed in the run that screened the pair is the case this is for. The check each
plausible patch passed is named in ``Candidate.checks`` (``result.json``'s ``checks``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rfsn.planners.base import Plan
from rfsn.planners.code.candidates import Candidate, FileChange, Splice, apply_splices
from rfsn.planners.verify.screening import Screen
from rfsn.planners.verify.tiers import ScreenResult

#: a patch of more edits than this is not minimized (each drop costs a screening)
MAX_EDITS = 6
Screener = Callable[[Screen, Candidate], Plan[ScreenResult]]


@dataclass(frozen=True)
class Piece:
    """One edit of a candidate: the splices one template made (one candidate of those combined)."""

    source: tuple[str, str]  # its template and description
    splices: tuple[tuple[str, Splice], ...]  # (path, splice), in order
    where: str  # its first splice, as file:line `old` -> `new`

    def __str__(self) -> str:
        more = len(self.splices) - 1
        return self.where + (f" (and {more} more splice{'s' if more > 1 else ''})" if more else "")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def pieces(candidate: Candidate) -> list[Piece]:
    """``candidate``'s edits, one per template that made it, none where its splices do not make
    its files (a whole-file patch)."""
    found: dict[tuple[str, str], list[tuple[str, Splice, str]]] = {}
    for change in candidate.changes():
        try:
            made = apply_splices(change.original, change.splices)
        except ValueError:
            return []
        if made != change.patched or not change.splices:
            return []
        for splice in sorted(change.splices):
            line = change.original[: splice.start].count("\n") + 1
            where = (
                f"{change.path}:{line} `{_short(change.original[splice.start : splice.end])}` -> "
                f"`{_short(splice.text)}`"
            )
            source = splice.source if splice.source[0] else (candidate.template, candidate.description)
            found.setdefault(source, []).append((change.path, splice, where))
    return [
        Piece(source, tuple((path, splice) for path, splice, _ in made_by), made_by[0][2])
        for source, made_by in found.items()
    ]


def without(candidate: Candidate, dropped: Piece) -> Candidate | None:
    """``candidate`` less the edit ``dropped``; none when nothing would be left."""
    changes = []
    for change in candidate.changes():
        kept = tuple(s for s in change.splices if (change.path, s) not in dropped.splices)
        if kept:
            changes.append(
                FileChange(
                    path=change.path,
                    original=change.original,
                    patched=apply_splices(change.original, kept),
                    splices=kept,
                )
            )
    if not changes:
        return None
    head, rest = changes[0], changes[1:]
    sources = [s.source for c in changes for s in c.splices]
    whole = all(source[0] for source in sources)
    parts = list(dict.fromkeys(sources)) if whole else []
    template = "+".join(t for t, _ in parts) if whole else candidate.template
    description = "; and ".join(d for _, d in parts) if whole else f"{candidate.description}, less {dropped}"
    line = min(s.start for s in head.splices)
    return candidate.model_copy(
        update={
            "path": head.path,
            "line": head.original[:line].count("\n") + 1,
            "template": template,
            "description": description,
            "original": head.original,
            "patched": head.patched,
            "splices": head.splices,
            "others": tuple(rest),
        }
    )


def minimal(
    candidate: Candidate, screen: Screen, screener: Screener, room: Callable[[Candidate], bool]
) -> Plan[Candidate]:
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
            checks.append(
                f"minimal: not checked past {len(dropped)} dropped edit(s): the budget left could not "
                "hold another screening"
            )
            break
        if (yield from screener(screen, smaller)).plausible:
            candidate = smaller
            dropped.append(str(piece))
    need = len(pieces(candidate))
    checks = checks or [
        f"minimal: each of its {need} edits is needed (dropped alone, the patch did not hold)"
        if need > 1
        else "minimal: one edit left"
    ]
    checks += [f"dropped {d}: the patch held without it" for d in dropped]
    return _checked(candidate, checks)


def _checked(candidate: Candidate, checks: list[str]) -> Candidate:
    return candidate.model_copy(update={"checks": (*candidate.checks, *checks)})
