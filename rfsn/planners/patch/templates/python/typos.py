"""A misspelt word inside a string literal (the fixes corpus's "replaced constant <- new
literal" whose new string is one edit from the old): a word of the string -> a word the module
writes elsewhere that is one edit away (a letter added, dropped, changed or two swapped) or
differs in case only (``"=source_szh"`` -> ``"=source_zsh"`` where the file names ``zsh``), and
a string that names something -> the most similar name the module defines (``__all__``'s
``"get_source_requirement"`` -> ``"get_src_requirement"``)."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator
from difflib import SequenceMatcher

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type
from rfsn.planners.patch.templates.python.scope import module_names

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
_PART = re.compile(r"[A-Za-z][A-Za-z0-9]{2,}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: other words offered for one word of a string, the module's most used first
MAX_WORDS = 3
#: how alike a string and a defined name must be to offer the name
NAME_SIMILARITY = 0.8


def one_edit(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one letter added, dropped or changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    head = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    if len(a) == len(b):
        swapped = head + 1 < len(a) and a[head] == b[head + 1] and a[head + 1] == b[head]
        return a[head + 1 :] == b[head + 1 :] or (swapped and a[head + 2 :] == b[head + 2 :])
    return a[head + 1 :] == b[head:] if len(a) > len(b) else a[head:] == b[head + 1 :]


def _vocabulary(ctx: FileContext) -> Counter[str]:
    """Every word the module writes: its names, attributes, parameters, keywords and the words of
    its strings, with how often (computed once a file)."""
    if "typos_vocabulary" not in ctx.cache:
        words = Counter[str]()
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words.update(_WORD.findall(node.value) + _PART.findall(node.value))
            for field in ("id", "attr", "name", "arg"):
                value = getattr(node, field, None)
                if isinstance(value, str):
                    words.update(_WORD.findall(value) + _PART.findall(value))
        ctx.cache["typos_vocabulary"] = words
    return ctx.cache["typos_vocabulary"]


def _near(word: str, vocabulary: Counter[str]) -> list[str]:
    near = [v for v in vocabulary if v != word and (v.lower() == word.lower() or one_edit(word, v))]
    return sorted(near, key=lambda v: (-vocabulary[v], v))[:MAX_WORDS]


def _strings_at(ctx: FileContext, line: int) -> Iterator[tuple[ast.expr, str, bool]]:
    """The line's string literals, docstrings aside: (the node holding the text, the text, whether
    it is part of an f-string)."""
    for node in of_type(ctx.nodes_at(line), ast.Constant):
        parent = ctx.parents.get(node)
        if isinstance(node.value, str) and node.lineno == line and not isinstance(parent, ast.Expr | ast.JoinedStr):
            yield node, node.value, False
    for joined in of_type(ctx.nodes_at(line), ast.JoinedStr):
        if joined.lineno == line:
            yield from ((joined, str(v.value), True) for v in joined.values if isinstance(v, ast.Constant))


@template("string_word_typo", 0.15)
def string_word_typo(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A word of a string literal on the line -> a word of the module one edit away."""
    vocabulary = _vocabulary(ctx)
    for holder, value, _ in _strings_at(ctx, line):
        start, end = ctx.map.span(holder)
        text = ctx.source[start:end]
        for word in dict.fromkeys(_WORD.findall(value) + _PART.findall(value)):
            options = _near(word, vocabulary)
            for match in re.finditer(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text):
                at = start + match.start()
                for other in options:
                    splice = Splice(at, at + len(word), other)
                    yield Edit((splice,), f"replace {word!r} with {other!r} in the string")


@template("string_defined_name", 0.2)
def string_defined_name(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A string that is a name (``__all__``'s, ``getattr``'s) -> the most similar name the module defines."""
    defined = module_names(ctx)
    for node, value, formatted in _strings_at(ctx, line):
        if formatted or not _NAME.match(value) or value in defined:
            continue
        alike = [(SequenceMatcher(None, value, n).ratio(), n) for n in defined if n != value]
        for ratio, name in sorted(alike, key=lambda p: (-p[0], p[1]))[:2]:
            if ratio >= NAME_SIMILARITY:
                start, end = ctx.map.span(node)
                quote = ctx.source[start]
                text = f"{quote}{name}{quote}" if quote in "'\"" else repr(name)
                yield Edit((Splice(start, end, text),), f"replace {value!r} with the module's {name!r}")


TEMPLATES = (string_word_typo, string_defined_name)
