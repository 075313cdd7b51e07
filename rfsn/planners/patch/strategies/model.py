"""The model strategy: a language model proposes edits, in the same phases and through the
same gate and screening as the templates.

The model sees the problem, the failing tests and their output's tail, the function around
each of the most suspicious lines (`prompt`), the code the failing tests' files are named for
(``explore.tested``) and the code the problem points to (``explore.mentions``); the repository
map when no line is suspicious. It may read more with the read-only tools (``explore.tools``).
Several samples are asked for; an unusable reply goes back once with the reason, and an edit
that fails screening once with its tests' output. Every edit is a Candidate; each sample's
answer is a vote (``context.votes``) for choosing among the plausible patches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rfsn.errors import ConfigError
from rfsn.llm.base import ChatModel, Message
from rfsn.observability.logging import get_logger
from rfsn.planners.base import Lookup, RepairContext
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.patch.explore import mentions, tested
from rfsn.planners.patch.explore.repomap import enclosing, repo_map
from rfsn.planners.patch.explore.tools import GUIDE, converse
from rfsn.planners.patch.logtext import stable
from rfsn.planners.patch.replies import EDIT_TOOL, ReplyError, as_text, reply_edits
from rfsn.planners.patch.strategies.template import TemplateStrategy
from rfsn.planners.verify import obsolete
from rfsn.planners.verify.choice import agreement_key

log = get_logger(__name__)
SYSTEM = (
    """You repair bugs in software repositories. Change only the project's source, never \
its tests. Make each edit with the replace_in_file tool; without tools, answer with one or more \
SEARCH/REPLACE blocks, each exactly:

path/to/file.py
<<<<<<< SEARCH
lines copied exactly from the current file
=======
the replacement lines
>>>>>>> REPLACE

Keep each SEARCH short but unique in its file. A unified diff in a ```diff block is also accepted.

"""
    + GUIDE
)
SAMPLES = 3
MAX_OUTPUT = 2048
WINDOW = 12
LOG_TAIL = 3000
MENTIONS_CHARS = 4000
TESTED_CHARS = 6000
RAN_CHARS = 4000
#: the code around suspicious lines: this many distinct functions, within this many characters
MAX_FUNCTIONS = 6
LOCATION_CHARS = 16000
#: what earlier samples read, carried into the later ones' requests
READ_CHARS = 24000


def prompt(context: RepairContext, max_functions: int = MAX_FUNCTIONS) -> str:
    """The patch request: the problem, the failing tests and their output, the code around the
    most suspicious lines (whole functions, the ``max_functions`` most suspicious distinct ones
    within ``LOCATION_CHARS``), the code the failing tests' files are named for
    (``explore.tested``: the definitions their words name, then those holding a suspicious
    line), the code the problem points to, and the map when nothing is suspicious."""
    parts = []
    if context.problem:
        parts.append(f"## Problem\n{context.problem.strip()}")
    if context.failing:
        parts.append("## Failing tests\n" + "\n".join(context.failing[:20]))
    if context.log:
        parts.append(f"## Test output (end)\n{stable(context.log)[-LOG_TAIL:]}")
    around, spans = _around_suspicious(context, max_functions)
    shown = set(spans)
    tested_parts, already = _under_test(context, spans)
    parts += around + tested_parts
    pointed = [d for d in mentions.pointed_to(context.problem, context.files) if (d.path, d.first) not in already]
    if pointed:
        parts.append(
            "## Code the problem statement points to\n" + mentions.render(pointed, context.files, MENTIONS_CHARS)
        )
    if not shown:
        first = mentions.files_named(context.problem, context.files, pointed)
        parts.append("## Repository map (files, classes, functions)\n" + repo_map(context.files, first=first))
    return "\n\n".join(parts)


def _under_test(context: RepairContext, spans: dict[tuple[str, int], int]) -> tuple[list[str], set[tuple[str, int]]]:
    """The sections showing the code the failing tests' files are named for and the code of those
    files the failing tests ran, past what ``spans`` (the suspicious functions) shows; and what is
    shown with them, as (path, first line)."""
    parts, shown = [], set(spans)
    exercised = mentions.within(
        [
            d
            for d in tested.under_test(context.failing, context.workspace, context.files)
            if not any(path == d.path and d.first <= start <= d.last for path, start in shown)
        ],
        context.files,
        TESTED_CHARS,
    )  # only what is shown counts as shown below
    if exercised:
        parts.append(
            "## Code the failing tests' files are named for (the parts their tests use)\n"
            + mentions.render(exercised, context.files, TESTED_CHARS)
        )
    already = shown | {(d.path, d.first) for d in exercised}  # a focused one is the same definition
    suspicious = {(loc.file, loc.line): loc.score for loc in context.locations}
    run = mentions.within(
        [
            d
            for d in tested.ran(context.failing, context.workspace, context.files, suspicious)
            if (d.path, d.first) not in already
            and not any(path == d.path and start <= d.first <= last for (path, start), last in spans.items())
        ],
        context.files,
        RAN_CHARS,
    )
    if run:
        parts.append(
            "## Code of those files the failing tests ran (its most suspicious first)\n"
            + mentions.render(run, context.files, RAN_CHARS)
        )
    return parts, already | {(d.path, d.first) for d in run}


def _around_suspicious(context: RepairContext, max_functions: int) -> tuple[list[str], dict[tuple[str, int], int]]:
    """The sections showing the code around the most suspicious lines, and what they show:
    ``{(file, first line): last line}``."""
    parts: list[str] = []
    spans: dict[tuple[str, int], int] = {}
    used = 0
    for loc in context.locations:  # many top lines share a function or a window: it is shown once
        if len(spans) >= max_functions:
            break
        source = context.files.get(loc.file, "")
        lines = source.splitlines()
        if not lines or any(path == loc.file and first <= loc.line <= last for (path, first), last in spans.items()):
            continue
        span = enclosing(loc.file, source, loc.line)
        start, end = span if span else (max(1, loc.line - WINDOW), min(len(lines), loc.line + WINDOW))
        body = "\n".join(f"{n:5d}  {lines[n - 1]}" for n in range(start, end + 1))
        if spans and used + len(body) > LOCATION_CHARS:
            break
        spans[(loc.file, start)] = end
        used += len(body)
        kind = "the function around" if span else "around"
        parts.append(f"## {loc.file} ({kind} suspicious line {loc.line})\n{body}")
    return parts, spans


class ModelStrategy:
    """Candidates from the model in ``RepairContext.model``."""

    name = "model"
    finds_code = True  # with no localization, the request shows the repository map
    reads_code = True  # suspicious lines are a supplement to what it reads: no whole-suite coverage run

    def candidates(self, context: RepairContext) -> Iterable[Candidate | Lookup]:
        model = context.model
        if model is None:
            raise ConfigError("the model planner needs a model (--model, and the provider's key)")
        seen: set[str] = set()
        base = prompt(context)  # one localization and one view of the code for every sample
        heard: list[str] = []  # what the model read so far: later samples start with it
        for sample in range(SAMPLES):
            temperature = 0.0 if sample == 0 else 0.8
            request = with_reading(base, heard)
            for candidate in self._sample(model, request, context, temperature, heard):
                yield from _new(candidate, context, seen)
                if isinstance(candidate, Lookup):
                    continue
                failure = context.failures.get(candidate.diff())
                if failure is not None:  # screened and not plausible: one more round
                    for again in _after_failure(model, request, context, candidate, failure, temperature):
                        yield from _new(again, context, seen)

    def _sample(
        self, model: ChatModel, request: str, context: RepairContext, temperature: float, heard: list[str]
    ) -> Iterator[Candidate | Lookup]:
        messages = [Message(role="system", content=SYSTEM), Message(role="user", content=request)]
        for attempt in range(2):  # an unusable reply is sent back once, with the reason
            reply = yield from converse(model, messages, MAX_OUTPUT, temperature, [EDIT_TOOL], heard)
            try:
                edits = reply_edits(reply, context.files)
            except ReplyError as exc:
                log.info("model.unusable_reply", reason=str(exc), attempt=attempt)
                messages += [
                    Message(role="assistant", content=as_text(reply)),
                    Message(
                        role="user",
                        content=f"That reply cannot be used: {exc}. "
                        "Answer again with replace_in_file calls "
                        "or SEARCH/REPLACE blocks.",
                    ),
                ]
                continue
            yield from _as_candidates(edits, context)
            return


def with_reading(request: str, heard: list[str]) -> str:
    """``request`` with what the model read in earlier samples (newest last, the oldest cut
    first past ``READ_CHARS``): a later sample starts where the reading left off."""
    kept: list[str] = []
    for answer in reversed(list(dict.fromkeys(heard))):
        if sum(map(len, kept)) + len(answer) > READ_CHARS:
            break
        kept.insert(0, answer)
    return request + ("\n\n## What you read in the repository earlier\n" + "\n\n".join(kept) if kept else "")


def _new(candidate: Candidate | Lookup, context: RepairContext, seen: set[str]) -> Iterator[Candidate | Lookup]:
    """Count the sample's vote; yield the candidate unless an earlier sample proposed it.
    A lookup (the model reading) passes through."""
    if isinstance(candidate, Lookup):
        yield candidate
        return
    key = agreement_key(candidate)
    context.votes[key] = context.votes.get(key, 0) + 1
    tried = candidate.diff() + "\0".join(("", *candidate.obsolete))
    if tried not in seen:
        seen.add(tried)
        yield candidate


def _after_failure(
    model: ChatModel, request: str, context: RepairContext, candidate: Candidate, failure: str, temperature: float
) -> Iterator[Candidate | Lookup]:
    """The verify round: the failed patch and its test output go back to the model once. When
    it made the reproduction pass and broke tests that passed, the model may call them obsolete
    (``planners.verify.obsolete``)."""
    broken = context.broken.get(candidate.diff(), ())
    said = obsolete.request(broken) if broken else "That patch did not hold; it was reverted."
    messages = [
        Message(role="system", content=SYSTEM),
        Message(role="user", content=request),
        Message(role="assistant", content=f"```diff\n{candidate.diff()}```"),
        Message(
            role="user",
            content=f"{said}\n\n## Test output (end)\n"
            f"{stable(failure)[-LOG_TAIL:]}\n\nAnswer again with "
            "replace_in_file calls or SEARCH/REPLACE blocks "
            "against the original files.",
        ),
    ]
    reply = yield from converse(model, messages, MAX_OUTPUT, temperature, [EDIT_TOOL])
    named = obsolete.declared(as_text(reply)) if broken else []
    try:
        edits = reply_edits(reply, context.files)
    except ReplyError as exc:
        if named:  # the tests named, the patch not repeated: the same patch is meant
            yield candidate.model_copy(update={"obsolete": tuple(named)})
            return
        log.info("model.unusable_reply", reason=str(exc), attempt="after_failure")
        return
    yield from _as_candidates(edits, context, tuple(named))


def _as_candidates(
    edits: dict[str, str], context: RepairContext, named_obsolete: tuple[str, ...] = ()
) -> Iterator[Candidate]:
    """One candidate for all of a reply's edits (the first file leads, the rest ride along)."""
    from rfsn.planners.code.candidates import FileChange

    paths = sorted(edits)
    first = paths[0]
    before = context.files.get(first, "")
    line = next(
        (n for n, (a, b) in enumerate(zip(before.splitlines(), edits[first].splitlines(), strict=False), 1) if a != b),
        1,
    )
    yield Candidate(
        path=first,
        line=line,
        template="model",
        description=f"model edit of {', '.join(paths)}",
        score=1.0,
        original=before,
        patched=edits[first],
        obsolete=named_obsolete,
        others=tuple(FileChange(path=p, original=context.files.get(p, ""), patched=edits[p]) for p in paths[1:]),
    )


class HybridStrategy:
    """The templates first; the model when they run dry."""

    name = "hybrid"
    finds_code = True

    def candidates(self, context: RepairContext) -> Iterable[Candidate | Lookup]:
        yield from TemplateStrategy().candidates(context)
        yield from ModelStrategy().candidates(context)
