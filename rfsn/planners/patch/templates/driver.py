"""Apply a template catalogue at the most suspicious lines and rank the candidates.

One loop for every language: a ``Reader`` says how to read a file into the
context its templates expect and whether an edited text is still worth
screening (it parses, its brackets balance). A template that raises is
skipped with a warning; identical results are kept once, at their best score.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import structlog

from rfsn.planners.code.candidates import Candidate, apply_splices
from rfsn.planners.code.location import Location
from rfsn.planners.patch.templates.budget import spread
from rfsn.planners.patch.templates.edit import Edit, Template

log = structlog.get_logger(__name__)


class Reader(Protocol):
    """How one language's templates see a file."""

    def context(self, path: str, files: dict[str, str]) -> Any | None:
        """What the templates get for ``path`` (None: not this language, or unreadable)."""
        ...

    def valid(self, patched: str, context: Any, changed: tuple[int, int]) -> bool:
        """Whether an edited text is worth screening (``changed``: the range of the original
        that the edit replaced)."""
        ...


#: how many of the most suspicious lines the wide templates are tried at
WIDE_LOCATIONS = 8
#: a wide template's prior is shared among the edits it makes at a line, as ``prior / n ** SHARE``
SHARE = 0.5


def edit_score(suspiciousness: float, prior: float, edit: Edit, siblings: int = 1) -> float:
    """Suspiciousness x prior, discounted gently by the size of the edit (and, for a wide
    template, by the number of ``siblings`` it made at the same line)."""
    return suspiciousness * prior / siblings**SHARE / (1.0 + edit.size / 80.0)


def _edits(tpl: Template, ctx: Any, line: int) -> list[Edit]:
    try:
        return list(tpl.fn(ctx, line))
    except (ValueError, IndexError, AttributeError, TypeError, KeyError) as exc:
        log.warning("template_failed", template=tpl.name, path=ctx.path, line=line, error=repr(exc))
        return []


def _valid(reader: Reader, ctx: Any, edits: list[Edit]) -> list[tuple[Edit, bytes]]:
    """The edits whose result is worth screening, with a digest of that result. A result is
    judged once a file: templates at neighbouring lines often make the same edit (a third of
    them on real projects). It is known by the range replaced and its replacement."""
    out = []
    verdicts = ctx.cache.setdefault("valid", {})
    for edit in edits:
        try:
            patched = apply_splices(ctx.source, edit.splices)
        except ValueError:
            continue
        lo, hi = min(s.start for s in edit.splices), max(s.end for s in edit.splices)
        key = (lo, hi, patched[lo : len(patched) - (len(ctx.source) - hi)])
        if key not in verdicts:
            verdicts[key] = patched != ctx.source and reader.valid(patched, ctx, (lo, hi))
        if verdicts[key]:
            out.append((edit, hashlib.blake2b(patched.encode("utf-8", "surrogatepass"), digest_size=16).digest()))
    return out


def candidates_at(
    reader: Reader, ctx: Any, location: Location, templates: Sequence[Template]
) -> Iterable[tuple[Candidate, bytes]]:
    """Every valid candidate the templates produce at one location, with a digest of its text.
    The text is left out (``patched`` empty: `generate` writes it for those it keeps): a large
    file's candidates, each a copy of the file, would not fit in memory."""
    for tpl in templates:
        made = _valid(reader, ctx, _edits(tpl, ctx, location.line))
        siblings = len({digest for _, digest in made}) if tpl.wide else 1
        for edit, digest in made:
            yield (
                Candidate(
                    path=ctx.path,
                    line=location.line,
                    template=tpl.name,
                    description=f"{edit.description} at {ctx.path}:{location.line}",
                    score=edit_score(location.score, tpl.prior, edit, siblings),
                    original=ctx.source,
                    patched="",
                    splices=edit.splices,
                ),
                digest,
            )


def generate(
    reader: Reader,
    files: dict[str, str],
    locations: Sequence[Location],
    limit: int = 200,
    max_locations: int = 25,
    *,
    templates: Sequence[Template],
) -> list[Candidate]:
    """Ranked, de-duplicated candidates for the ``max_locations`` most suspicious lines
    (the wide templates only at the ``WIDE_LOCATIONS`` most suspicious ones), their
    budget spread across lines and templates (`budget.spread`)."""
    ranked = sorted(locations, key=lambda loc: -loc.score)
    chosen = list(dict.fromkeys((loc.file, loc.line, loc.score) for loc in ranked))[:max_locations]
    narrow = [t for t in templates if not t.wide]
    contexts: dict[str, Any] = {}
    best: dict[tuple[str, bytes], Candidate] = {}
    order: dict[tuple[str, bytes], int] = {}
    for index, (path, line, score) in enumerate(chosen):
        if path not in contexts:
            contexts[path] = reader.context(path, files)
        if contexts[path] is None:
            continue
        here = templates if index < WIDE_LOCATIONS else narrow
        for cand, digest in candidates_at(reader, contexts[path], Location(path, line, score), here):
            key = (cand.path, digest)
            order.setdefault(key, len(order))
            if key not in best or cand.score > best[key].score:
                best[key] = cand
    keys = sorted(best, key=lambda k: (-best[k].score, order[k]))
    kept = spread([best[k] for k in keys])[:limit]
    return [c.model_copy(update={"patched": apply_splices(c.original, c.splices)}) for c in kept]
