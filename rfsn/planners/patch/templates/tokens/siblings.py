"""A method or field of a plain receiver swapped for a sibling the project uses on it.

``strings.HasPrefix`` where ``strings.HasSuffix`` was meant, ``Math.floor`` for
``Math.ceil``, ``flag.DefValue`` for ``flag.NoOptDefVal``: in the token languages
the receiver's definition is out of reach, so the siblings are the methods the
project's files (of the same language family) call on the same bare receiver
name, or the fields they use on it, the most similar names first (see the
Python `sibling_reference`, which reads the definitions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.similar import MAX_SIBLINGS, similarity
from rfsn.planners.patch.templates.tokens.context import (
    TokenContext,
    calls_on_line,
    field_accesses,
    plain_receiver,
)


@template("tok_sibling_reference", 0.6)
def sibling_reference(ctx: TokenContext, line: int) -> Iterator[Edit]:
    """``recv.m(...)`` -> ``recv.n(...)`` for the methods the project calls on ``recv``, and
    ``recv.a`` -> ``recv.b`` for the fields it uses on it."""
    if ctx.project is None:
        return
    toks = ctx.tokens
    used = [(i, ctx.project.receivers) for i, _ in calls_on_line(ctx, line)]
    used += [(i, ctx.project.fields) for i in field_accesses(ctx, line)]
    for name_i, index in used:
        receiver = plain_receiver(ctx, name_i)
        if receiver is None:
            continue
        own = toks[name_i].text
        seen: Counter[str] = index.get(receiver, Counter())
        options = sorted(
            (n for n in seen if n != own and n not in ctx.keywords), key=lambda n: (-similarity(own, n), n)
        )
        for other in options[:MAX_SIBLINGS]:
            yield Edit(
                (Splice(toks[name_i].start, toks[name_i].end, other),),
                f"replace `{receiver}.{own}` with `{receiver}.{other}`",
            )
