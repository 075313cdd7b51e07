"""Token-level templates replacing a member access by another member of the same receiver:
``(self.head + i) % self.len`` -> ``% self.capacity()`` ("mutate variable" with a
same-kind expression in scope, and "field access <-> method call", in TBar's terms).

A member is a field (``r.x``, never called) or a getter (``r.m()``, called with no
arguments); methods called with arguments are never proposed. The alternatives are
the members the file uses on the same receiver (most used first) and, for ``self``
in Rust and ``this`` in JavaScript, the fields and ``&self`` getters the file
declares. Where Rust declares both types, only a member of the same type replaces
another; a boolean-looking name (``is_empty``) never becomes an arithmetic operand.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.tokens.context import TokenContext
from rfsn.planners.patch.templates.tokens.names import operand_start

_ARITHMETIC = {"+", "-", "*", "/", "%", "<", ">", "<=", ">=", "+=", "-=", "*=", "/=", "%="}
_BOOLEAN = re.compile(r"^(is|has|can|should|contains)(_|[A-Z])")
_SELF = ("self", "this")


def _member(ctx: TokenContext, i: int) -> tuple[str, int] | None:
    """``(text, last token)`` of the member named at ``i``: ``x`` or ``m()``; None for a
    method called with arguments or a token that is no member name."""
    toks = ctx.tokens
    if not (i > 1 and toks[i - 1].text in (".", "?.") and toks[i].kind == "ident"):
        return None
    if i + 1 < len(toks) and toks[i + 1].text == "(":
        if i + 2 < len(toks) and toks[i + 2].text == ")":
            return f"{toks[i].text}()", i + 2
        return None
    return toks[i].text, i


def _receiver_start(ctx: TokenContext, i: int) -> int:
    """First token of the receiver of the member named at ``i``."""
    return i - 2 if ctx.tokens[i - 2].text in _SELF else operand_start(ctx, i - 2)


def _receiver(ctx: TokenContext, i: int) -> str:
    """The receiver of the member named at ``i`` (``self``, ``this.items``), spaces removed."""
    return re.sub(r"\s+", "", ctx.text(_receiver_start(ctx, i), i - 2))


def owner_at(ctx: TokenContext, i: int) -> str:
    """What ``self``/``this`` means at token ``i``: the type a Rust ``impl`` or ``struct``
    block is for, a JavaScript class's name, or else the top-level block holding it."""
    if "blocks" not in ctx.cache:
        toks, blocks, j, header = ctx.tokens, [], 0, 0
        while j < len(toks):
            if toks[j].text == "{":
                close = ctx.match(j)
                blocks.append((j, close, _owner(ctx, header, j)))
                j = header = close + 1
                continue
            if toks[j].text == ";":
                header = j + 1
            j += 1
        ctx.cache["blocks"] = blocks
    return next((o for a, b, o in ctx.cache["blocks"] if a <= i <= b), "")


def _owner(ctx: TokenContext, start: int, open_i: int) -> str:
    texts = [t.text for t in ctx.tokens[start:open_i]]
    for keyword in ("for", "impl", "struct", "class"):
        if keyword in texts:
            k = start + len(texts) - 1 - texts[::-1].index(keyword) + 1
            if k < open_i and ctx.tokens[k].text == "<":
                k = _angle_end(ctx, k) + 1
            if k < open_i and ctx.tokens[k].kind == "ident":
                return ctx.tokens[k].text
    return f"#{open_i}"


def _scope(ctx: TokenContext, i: int, receiver: str) -> tuple[str, str]:
    return receiver, owner_at(ctx, i) if receiver in _SELF else ""


def used_members(ctx: TokenContext) -> dict[tuple[str, str], Counter[str]]:
    """(receiver, owner of ``self``) -> how often each member (``x`` or ``m()``) is used on it."""
    if "used_members" not in ctx.cache:
        out: dict[tuple[str, str], Counter[str]] = {}
        for i in range(len(ctx.tokens)):
            found = _member(ctx, i)
            if found is not None and not ctx.tokens[i].text[:1].isdigit():
                out.setdefault(_scope(ctx, i, _receiver(ctx, i)), Counter())[found[0]] += 1
        ctx.cache["used_members"] = out
    result: dict[tuple[str, str], Counter[str]] = ctx.cache["used_members"]
    return result


def _angle_end(ctx: TokenContext, i: int) -> int:
    """Index of the ``>`` closing the generic list opening at ``i`` (or ``i``)."""
    depth, j = 0, i
    while j < len(ctx.tokens):
        text = ctx.tokens[j].text
        depth += (text == "<") - (text == ">") - 2 * (text == ">>")
        if depth <= 0:
            return j
        j += 1
    return i


def _type_until(ctx: TokenContext, i: int, stops: tuple[str, ...]) -> tuple[str, int]:
    """Type text from token ``i`` to the first top-level stop token, and that token's index."""
    j, angle = i, 0
    toks = ctx.tokens
    while j < len(toks) and not (angle <= 0 and toks[j].text in stops):
        if toks[j].text in ("(", "["):
            j = ctx.match(j)
        angle += (toks[j].text == "<") - (toks[j].text == ">") - 2 * (toks[j].text == ">>")
        j += 1
    return "".join(t.text for t in toks[i:j]), j


def _struct_fields(ctx: TokenContext, i: int, note: Callable[[int, str, str | None], None]) -> None:
    """``note`` each field of the Rust struct declared at token ``i`` with its type."""
    toks = ctx.tokens
    j = i + 2
    if j < len(toks) and toks[j].text == "<":
        j = _angle_end(ctx, j) + 1
    if j < len(toks) and toks[j].text == "{":
        close, k = ctx.match(j), j + 1
        while k < close:
            if toks[k].text == "#":
                k = ctx.match(k + 1) + 1 if toks[k + 1].text == "[" else k + 1
                continue
            if toks[k].kind == "ident" and toks[k + 1].text == ":":
                name = toks[k].text
                kind, k = _type_until(ctx, k + 2, (",", "}"))
                note(j, name, kind)
            k += 1


def declared_members(ctx: TokenContext) -> dict[str, dict[str, str | None]]:
    """owner -> the members of ``self``/``this`` the file declares -> their type (Rust) or None.

    Rust: struct fields and ``fn m(&self) -> T`` getters; JavaScript: ``get x()``
    accessors and methods without parameters. A name declared with two types is None.
    """
    if "declared_members" in ctx.cache:
        result: dict[str, dict[str, str | None]] = ctx.cache["declared_members"]
        return result
    toks = ctx.tokens
    out: dict[str, dict[str, str | None]] = {}
    rust = ctx.language == "rust"

    def note(at: int, name: str, kind: str | None) -> None:
        mine = out.setdefault(owner_at(ctx, at), {})
        mine[name] = kind if mine.get(name, kind) == kind else None

    for i in range(len(toks) - 2):
        text, nxt = toks[i].text, toks[i + 1]
        if rust and text == "struct" and nxt.kind == "ident":
            _struct_fields(ctx, i, note)
        elif rust and text == "fn" and nxt.kind == "ident":
            j = i + 2
            if toks[j].text == "<":
                j = _angle_end(ctx, j) + 1
            if toks[j].text != "(":
                continue
            params = [t.text for t in toks[j + 1 : ctx.match(j)] if t.kind != "lifetime"]
            if params == ["&", "self"]:
                after = ctx.match(j) + 1
                kind = _type_until(ctx, after + 1, ("{", "where", ";"))[0] if toks[after].text == "->" else "()"
                note(i, f"{nxt.text}()", kind)
        elif (
            not rust
            and nxt.kind == "ident"
            and nxt.text not in ctx.keywords | {"constructor"}
            and toks[i + 2].text == "("
            and ctx.match(i + 2) == i + 3
            and i + 4 < len(toks)
            and toks[i + 4].text == "{"
            and text in ("{", "}", ";", "get")
        ):
            note(i, nxt.text if text == "get" else f"{nxt.text}()", None)
    ctx.cache["declared_members"] = out
    return out


def _alternatives(ctx: TokenContext, scope: tuple[str, str], own: str, arithmetic: bool) -> list[str]:
    receiver, owner = scope
    used = used_members(ctx).get(scope, Counter())
    declared = declared_members(ctx).get(owner, {}) if receiver in _SELF else {}
    typed = ctx.language == "rust" and receiver == "self"
    names = [m for m, _ in used.most_common()] + [m for m in declared if m not in used]
    out = []
    for alt in names:
        if alt.rstrip("()") == own.rstrip("()") or alt.rstrip("()") in ctx.keywords:
            continue
        if arithmetic and _BOOLEAN.match(alt):
            continue
        if typed and declared.get(own) is not None and declared.get(alt) != declared.get(own):
            continue
        out.append(alt)
    return out


@template("tok_replace_member", 0.7)
def replace_member(ctx: TokenContext, line: int) -> Iterator[Edit]:
    """``self.len`` -> ``self.capacity()`` / ``self.head``: another member of the same receiver."""
    toks = ctx.tokens
    for i in ctx.on_line(line):
        found = _member(ctx, i)
        if found is None or toks[i].text[:1].isdigit():
            continue
        own, last = found
        receiver = _receiver(ctx, i)
        start = _receiver_start(ctx, i)
        arithmetic = (start > 0 and toks[start - 1].text in _ARITHMETIC) or (
            last + 1 < len(toks) and toks[last + 1].text in _ARITHMETIC
        )
        for alt in _alternatives(ctx, _scope(ctx, i, receiver), own, arithmetic):
            yield Edit(
                (Splice(toks[i].start, toks[last].end, alt),), f"replace `{receiver}.{own}` with `{receiver}.{alt}`"
            )
