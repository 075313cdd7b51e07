"""Tables every language's templates share: names often written for one another (``min``
for ``max``, ``lower`` for ``upper``), and how alike two names are."""

from __future__ import annotations

from difflib import SequenceMatcher

_GROUPS = (
    ("min", "max"),
    ("any", "all"),
    ("int", "float", "round"),
    ("floor", "ceil", "trunc"),
    ("sorted", "reversed"),
    ("list", "set", "tuple"),
    ("keys", "values", "items"),
    ("append", "extend", "add"),
    ("lower", "upper", "casefold", "title"),
    ("strip", "lstrip", "rstrip"),
    ("startswith", "endswith"),
    ("find", "rfind", "index"),
    ("split", "rsplit", "splitlines"),
    ("pop", "popleft", "popitem"),
    ("remove", "discard"),
    ("isdigit", "isnumeric", "isdecimal", "isalpha", "isalnum"),
    ("get", "pop", "setdefault"),
    ("insert", "append"),
    ("appendleft", "append"),
    ("sum", "len", "max"),
    ("match", "search", "fullmatch"),
    ("isinstance", "issubclass"),
    ("str", "repr"),
    ("update", "setdefault"),
    ("bisect_left", "bisect_right"),
    ("heappush", "heappop"),
    # methods the fixes corpus's design part renames (benchmarks/fixes): Python 2's iterators,
    # the logging levels, local and UTC time, the socket's two ends, a file and a directory
    ("items", "iteritems"),
    ("keys", "iterkeys"),
    ("values", "itervalues"),
    ("debug", "info", "warning", "error"),
    ("fromtimestamp", "utcfromtimestamp"),
    ("now", "utcnow"),
    ("getpeername", "getsockname"),
    ("unlink", "rmdir"),
    # and builtins called for one another: a mutable or immutable set or byte string,
    # Python 2's ``file`` for ``open``
    ("set", "frozenset"),
    ("bytes", "bytearray"),
    ("file", "open"),
)
SIMILAR: dict[str, list[str]] = {}
for _group in _GROUPS:
    for _name in _group:
        SIMILAR.setdefault(_name, []).extend(n for n in _group if n != _name)

#: siblings proposed per reference, best first
MAX_SIBLINGS = 8


def similarity(a: str, b: str) -> float:
    """Name similarity in [0, 1]: shared characters in order, and a shared length."""
    return SequenceMatcher(None, a, b).ratio() + (0.1 if len(a) == len(b) else 0.0)
