"""The kinds of value settings take: sizes (``4g``) and seconds, with their bounds."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

_UNITS = "kmgt"


def parse_bytes(value: str) -> int:
    """``"64m"`` -> 67108864 (suffixes k, m, g, t; a trailing ``b`` is ignored); ValueError
    naming the accepted form otherwise."""
    text = value.strip().lower().removesuffix("b")
    scale = 1024 ** (_UNITS.index(text[-1]) + 1) if text and text[-1] in _UNITS else 1
    number = text.rstrip(_UNITS)
    if not re.fullmatch(r"\d+(\.\d+)?", number):
        raise ValueError(f"{value!r} is not a size: a number with an optional k, m, g or t suffix (e.g. 4g)")
    return int(float(number) * scale)


def size_range(low: str, high: str) -> AfterValidator:
    """A size from ``low`` to ``high``: outside them a container limit would be gone (0 or
    below: none) or meaningless."""

    def check(value: str) -> str:
        if not parse_bytes(low) <= parse_bytes(value) <= parse_bytes(high):
            raise ValueError(f"{value!r} is out of range: from {low} to {high}")
        return value

    return AfterValidator(check)


#: the longest time any setting or flag may give (a week): more is a typo, not a budget
LONGEST = 7 * 24 * 3600.0
#: seconds a timeout may be: positive, finite, at most a week


Seconds = Annotated[float, Field(gt=0, le=LONGEST, allow_inf_nan=False)]
