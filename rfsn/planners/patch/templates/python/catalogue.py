"""The catalogue of Python repair templates, in the order they are tried."""

from rfsn.planners.patch.templates.edit import Template
from rfsn.planners.patch.templates.python import (
    absent,
    blocks,
    calls,
    conditions,
    elements,
    formats,
    guards,
    isinstances,
    literals,
    names,
    nested,
    off_by_one,
    operators,
    returns,
    shapes,
    siblings,
    statements,
    swaps,
    wraps,
)

CATALOGUE: tuple[Template, ...] = (
    *operators.TEMPLATES,
    *off_by_one.TEMPLATES,
    *swaps.TEMPLATES,
    *names.TEMPLATES,
    *formats.TEMPLATES,
    *siblings.TEMPLATES,
    *calls.TEMPLATES,
    *conditions.TEMPLATES,
    *guards.TEMPLATES,
    *absent.TEMPLATES,
    *isinstances.TEMPLATES,
    *returns.TEMPLATES,
    *shapes.TEMPLATES,
    *statements.TEMPLATES,
    *wraps.TEMPLATES,
    *blocks.TEMPLATES,
    *nested.TEMPLATES,
    *literals.TEMPLATES,
    *elements.TEMPLATES,
)
BY_NAME = {t.name: t for t in CATALOGUE}
