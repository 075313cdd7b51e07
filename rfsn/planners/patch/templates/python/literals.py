"""Literal edits the fixes corpus's design part shows (benchmarks/fixes, "replaced constant"):
a literal of another kind (``"x"`` <-> ``b"x"``, a flag ``False`` -> ``None``), another
line ending or case of a short word, and a regular expression's character class widened
(``[^'">]`` -> ``[^'" >]``, ``[a-z]`` -> ``[a-z-]``, ``(?!u)`` -> ``(?![uU])``), anchored at its end
or start, or its dots escaped; a ``join``'s separator replaced by another common one; a text's
trailing line ending replaced by another."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type, replace

#: the characters a class gains, most often first (from the design part's regex fixes)
WIDEN = (" ", "-", "_", ".", "/", r"\s")
#: an unescaped character class, and a lone letter after a lookaround or group start
_CLASS = re.compile(r"(?<!\\)\[(\^?)((?:\\.|[^\]\\])+)\]")
_LONE = re.compile(r"(?<=\(\?[!=])([A-Za-z])(?=\))")
_REGEX_CALLS = frozenset({"compile", "match", "search", "fullmatch", "sub", "subn", "split", "findall", "finditer"})
_WORD = re.compile(r"[A-Za-z][A-Za-z-]{1,30}")
#: a dot outside a class that no backslash escapes (an even run of backslashes before it) and
#: no quantifier follows (``.*`` is a wildcard on purpose)
_DOT = re.compile(r"(?<!\\)((?:\\\\)*)\.(?![*+?{])")
#: the separators ``str.join`` is given, most common first (the design part's fixes swap them)
SEPARATORS = ("", " ", "\n", ", ", ",", "; ")


def _regex(ctx: FileContext, node: ast.Constant) -> bool:
    """A string passed to a ``re`` function (or assigned to a name ending in a regex word)."""
    parent = ctx.parents.get(node)
    if isinstance(parent, ast.Call):
        func = parent.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in _REGEX_CALLS
    target = parent.targets[0] if isinstance(parent, ast.Assign) and len(parent.targets) == 1 else None
    label = getattr(target, "id", "") or getattr(target, "attr", "")
    return bool(re.search(r"(?i)(re|regex|pattern|pat)$", label))


def widened(pattern: str) -> list[str]:
    """Pure: ``pattern`` with one character class widened by one member (or a lone letter
    after ``(?!``/``(?=`` made a class of both its cases)."""
    out: list[str] = []
    for match in _CLASS.finditer(pattern):
        members = match[2]
        extra = [c for c in WIDEN if c not in members]
        ranges = re.findall(r"[a-zA-Z]-[a-zA-Z]", members)
        extra += [r.swapcase() for r in ranges if r.swapcase() not in members]
        extra += [
            c.swapcase()
            for c in dict.fromkeys(members)
            if c.isalpha() and c.swapcase() not in members and len(members) <= 3 and not ranges
        ]
        for char in extra:
            at = match.end(2) - 1 if members.endswith("-") else match.end(2)
            out.append(pattern[:at] + char + pattern[at:])
    for match in _LONE.finditer(pattern):
        out.append(f"{pattern[: match.start()]}[{match[1]}{match[1].swapcase()}]{pattern[match.end() :]}")
    return list(dict.fromkeys(out))


@template("widen_character_class", 0.3)
def widen_character_class(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A regular expression that misses a character: one member added to one of its classes."""
    for node in of_type(ctx.nodes_at(line), ast.Constant):
        if isinstance(node.value, str) and node.lineno == line and _regex(ctx, node):
            for new in widened(node.value):
                yield replace(ctx, node, repr(new), "widen a character class of the pattern")


def anchored(pattern: str) -> list[str]:
    """Pure: ``pattern`` anchored at its end (``$``) or its start (``^``), or with every dot
    outside a character class escaped (a dot meant literally: ``[0-9]+.[0-9]+``)."""
    out = [] if pattern.endswith(("$", r"\Z")) or pattern.endswith("\\") else [pattern + "$"]
    out += [] if pattern.startswith(("^", r"\A")) else ["^" + pattern]
    parts = re.split(r"((?<!\\)\[(?:\\.|[^\]\\])*\])", pattern)  # classes at odd indices
    escaped = "".join(p if i % 2 else _DOT.sub(r"\1\\.", p) for i, p in enumerate(parts))
    return [*out, *([escaped] if escaped != pattern else [])]


@template("anchor_pattern", 0.3)
def anchor_pattern(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A regular expression that matches too much: anchored at an end, or its dots escaped."""
    for node in of_type(ctx.nodes_at(line), ast.Constant):
        if isinstance(node.value, str) and node.value and node.lineno == line and _regex(ctx, node):
            for new in anchored(node.value):
                yield replace(ctx, node, repr(new), f"anchor or escape the pattern: {new[:40]!r}")


@template("join_separator", 0.3)
def join_separator(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``"\\n".join(parts)`` -> ``"".join(parts)``, ``";"`` -> ``"; "``: another common separator."""
    for call in of_type(ctx.nodes_at(line), ast.Call):
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "join" and len(call.args) == 1):
            continue
        sep = func.value
        if not (isinstance(sep, ast.Constant) and isinstance(sep.value, str)) or sep.lineno != line:
            continue
        near = [sep.value.strip(), sep.value.strip() + " "] if sep.value.strip() else []
        for new in dict.fromkeys([*SEPARATORS, *near]):
            if new != sep.value:
                yield replace(ctx, sep, repr(new), f"join with {new!r}, not {sep.value!r}")


def _other_kinds(node: ast.Constant) -> list[str]:
    value = node.value
    if isinstance(value, bool):
        return ["None"]
    if isinstance(value, str) and value.isascii():
        out = [repr(value.encode())]
        if value in ("\n", "\r\n"):
            out.append(repr("\r\n" if value == "\n" else "\n"))
        if _WORD.fullmatch(value):
            out += [repr(v) for v in dict.fromkeys((value.lower(), value.capitalize())) if v != value]
        return out
    if isinstance(value, bytes):
        return [repr(value.decode("latin-1"))]
    return []


@template("literal_kind", 0.35)
def literal_kind(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``"x"`` <-> ``b"x"``, ``False``/``True`` -> ``None``, ``"\\n"`` <-> ``"\\r\\n"``, a short
    word's case (``"upgrade"`` -> ``"Upgrade"``): the literal of the kind the caller wants."""
    for node in of_type(ctx.nodes_at(line), ast.Constant):
        if node.lineno != line or isinstance(ctx.parents.get(node), ast.Expr | ast.JoinedStr | ast.FormattedValue):
            continue
        for text in _other_kinds(node):
            yield replace(ctx, node, text, f"replace {ctx.map.text(node)} with {text}")


#: a text's line endings, as written in a literal, longest first
_ENDINGS = (("\r\n", r"\r\n"), ("\n\r", r"\n\r"), ("\n", r"\n"))


@template("line_ending", 0.3)
def line_ending(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A text that ends a line with one ending -> the other (``"%s\\n\\r"`` -> ``"%s\\r\\n"``,
    ``'%s="%s"\\r\\n'`` -> ``'%s="%s"\\n'``); a bare ending is ``literal_kind``'s."""
    for node in of_type(ctx.nodes_at(line), ast.Constant):
        value = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
        if node.lineno != line or not isinstance(value, str) or isinstance(ctx.parents.get(node), ast.JoinedStr):
            continue
        start, end = ctx.map.span(node)
        body = ctx.source[start:end].rstrip("'\"")
        ending = next(((v, t) for v, t in _ENDINGS if value.endswith(v) and body.endswith(t)), None)
        if ending is None or value == ending[0]:
            continue
        at = start + len(body) - len(ending[1])
        for other in (r"\r\n", r"\n"):
            if other != ending[1]:
                yield Edit((Splice(at, at + len(ending[1]), other),), f"end the line with {other}, not {ending[1]}")


TEMPLATES = (widen_character_class, literal_kind, anchor_pattern, join_separator, line_ending)
