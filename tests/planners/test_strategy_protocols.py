"""What a patch strategy declares of how it finds code is read through the ``FindsCode`` and
``ReadsCode`` protocols: a built-in or a plugin declaring neither is asked only where the
localization found something, and gets flat evidence sharpened."""

from __future__ import annotations

from collections.abc import Iterable

from rfsn.planners.base import FindsCode, PatchStrategy, ReadsCode, RepairContext, finds_code, reads_code
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.patch.strategies.model import HybridStrategy, ModelStrategy
from rfsn.planners.patch.strategies.template import TemplateStrategy


class Plain:
    name = "plain"

    def candidates(self, context: RepairContext) -> Iterable[Candidate]:
        return []


class Declined(Plain):
    finds_code = False
    reads_code = "yes"  # not True: not a declaration


def test_each_strategy_declares_what_it_does_through_the_protocols() -> None:
    strategies: list[PatchStrategy] = [ModelStrategy(), HybridStrategy(), TemplateStrategy(), Plain(), Declined()]
    assert [(finds_code(s), reads_code(s)) for s in strategies] == [
        (True, True),
        (True, False),
        (False, False),
        (False, False),
        (False, False),
    ]
    assert isinstance(HybridStrategy(), FindsCode) and not isinstance(HybridStrategy(), ReadsCode)
    assert not isinstance(Plain(), FindsCode | ReadsCode)
