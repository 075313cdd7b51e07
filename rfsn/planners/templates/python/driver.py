"""Apply the template catalogue at the most suspicious lines and rank the candidates."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence

import structlog

from rfsn.planners.candidates import Candidate, apply_splices
from rfsn.planners.localize.location import Location
from rfsn.planners.templates.python.base import Edit, FileContext, Template
from rfsn.planners.templates.python.catalogue import CATALOGUE

log = structlog.get_logger(__name__)


def edit_score(suspiciousness: float, prior: float, edit: Edit) -> float:
    """Suspiciousness x prior, discounted gently by the size of the edit."""
    return suspiciousness * prior / (1.0 + edit.size / 80.0)


def _contexts(files: dict[str, str], paths: Iterable[str]) -> dict[str, FileContext]:
    out = {}
    for path in dict.fromkeys(paths):
        source = files.get(path)
        if source is None or not path.endswith(".py"):
            continue
        try:
            out[path] = FileContext(path, source, ast.parse(source), files)
        except SyntaxError:
            log.warning("unparsable_source", path=path)
    return out


def _edits(tpl: Template, ctx: FileContext, line: int) -> list[Edit]:
    try:
        return list(tpl.generate(ctx.source, ctx.tree, line, ctx))
    except (ValueError, IndexError, AttributeError, TypeError) as exc:
        log.warning("template_failed", template=tpl.name, path=ctx.path, line=line, error=repr(exc))
        return []


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def candidates_at(
    ctx: FileContext, location: Location, templates: Sequence[Template] = CATALOGUE
) -> Iterable[Candidate]:
    """Every parsable candidate the templates produce at one location."""
    for tpl in templates:
        for edit in _edits(tpl, ctx, location.line):
            try:
                patched = apply_splices(ctx.source, edit.splices)
            except ValueError:
                continue
            if patched == ctx.source or not _parses(patched):
                continue
            yield Candidate(
                path=ctx.path,
                line=location.line,
                template=tpl.name,
                description=f"{edit.description} at {ctx.path}:{location.line}",
                score=edit_score(location.score, tpl.prior, edit),
                original=ctx.source,
                patched=patched,
                splices=edit.splices,
            )


def generate_candidates(
    files: dict[str, str],
    locations: Sequence[Location],
    limit: int = 200,
    max_locations: int = 25,
    templates: Sequence[Template] = CATALOGUE,
) -> list[Candidate]:
    """Ranked, de-duplicated, parsable candidates for the most suspicious Python lines.

    ``files`` maps repo-relative paths to their text (at least the located files;
    other Python files of the project help templates that look across files).
    """
    ranked = sorted(locations, key=lambda loc: -loc.score)
    chosen = list(dict.fromkeys((loc.file, loc.line, loc.score) for loc in ranked))[:max_locations]
    contexts = _contexts(files, (path for path, _, _ in chosen))
    best: dict[tuple[str, str], Candidate] = {}
    order: dict[tuple[str, str], int] = {}
    for path, line, score in chosen:
        if path not in contexts:
            continue
        for cand in candidates_at(contexts[path], Location(path, line, score), templates):
            key = (cand.path, cand.patched)
            order.setdefault(key, len(order))
            if key not in best or cand.score > best[key].score:
                best[key] = cand
    result = sorted(best, key=lambda k: (-best[k].score, order[k]))
    return [best[k] for k in result[:limit]]
