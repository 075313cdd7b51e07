"""The kinds of value settings take: sizes (``4g``) and seconds, with their bounds; a registry's
address."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field


def parse_bytes(value: str) -> int:
    """``"64m"`` -> 67108864, read as Docker reads a size (``docker.utils.parse_bytes``: a number
    with an optional b, k, m or g suffix, a ``b`` after one ignored); ValueError naming the
    accepted form otherwise."""
    from docker.errors import DockerException
    from docker.utils import parse_bytes as docker_bytes

    try:
        size = int(docker_bytes(value.strip())) if value.strip() else None
    except (DockerException, ValueError, OverflowError):  # not a number, a unit Docker does not read; nan, inf
        size = None
    if size is None:
        raise ValueError(f"{value!r} is not a size: a number with an optional k, m or g suffix (e.g. 4g)")
    return size


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


_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REGISTRY = re.compile(
    rf"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
    rf":(?P<port>\d{{1,5}})(?:/{_COMPONENT})*"
)


def registry_address(value: object) -> str | None:
    """HOST:PORT with an optional /PREFIX of lowercase path components (Docker's grammar); None
    for an empty value; ValueError naming the form otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().rstrip("/")
    found = _REGISTRY.fullmatch(text)
    if found is None or not 0 < int(found["port"]) < 65536:
        raise ValueError(
            f"{value!r} is not HOST:PORT/PREFIX (e.g. 127.0.0.1:5000/rfsn: no "
            "scheme, a port from 1 to 65535, a prefix of lowercase letters, digits, "
            "'.', '_', '-')"
        )
    return text
