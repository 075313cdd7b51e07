"""What every template engine shares: an ``Edit`` (text splices on one file and what they
do) and a ``Template`` (a named edit generator with a prior), whatever the language.

A template is a function ``(context, line) -> Iterable[Edit]``; the context is the
language's view of one file (``python.base.FileContext``, ``tokens.context.TokenContext``)
and the driver (``driver.generate``) calls every template of a catalogue with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rfsn.planners.code.candidates import Splice


@dataclass(frozen=True)
class Edit:
    """What a template proposes: splices on one file and a human description."""

    splices: tuple[Splice, ...]
    description: str

    @property
    def size(self) -> int:
        return sum(max(s.end - s.start, len(s.text)) for s in self.splices)


Generator = Callable[[Any, int], Iterable[Edit]]


@dataclass(frozen=True)
class Template:
    """A named repair template with a prior in (0, 1].

    A *wide* template applies to almost any expression of a line (wrap it in a call,
    offset it by any name in scope): the driver tries it only at the most suspicious
    lines and shares its prior among the edits it makes there.
    """

    name: str
    prior: float
    fn: Generator
    wide: bool = False


def template(name: str, prior: float, wide: bool = False) -> Callable[[Generator], Template]:
    def wrap(fn: Generator) -> Template:
        return Template(name, prior, fn, wide)

    return wrap
