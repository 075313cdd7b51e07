"""Every exception class in rfsn/ derives from RfsnError, except the two errors.py names as outside."""

from __future__ import annotations

import ast
from pathlib import Path

import rfsn.errors

ROOT = Path(rfsn.errors.__file__).parent
#: stand outside on purpose, as errors.py's docstring says
OUTSIDE = {"Terminated", "NotSwappable", "RfsnError"}
BUILTIN_BASES = {"Exception", "ValueError", "RuntimeError", "TypeError", "OSError", "BaseException"}


def _exception_classes() -> dict[str, list[str]]:
    """Class name -> base names, for classes whose bases include a builtin exception."""
    found: dict[str, list[str]] = {}
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = [b.id for b in node.bases if isinstance(b, ast.Name)]
                if BUILTIN_BASES & set(bases):
                    found[node.name] = bases
    return found


def test_every_exception_class_is_an_rfsn_error_or_named_outside() -> None:
    rfsn_errors = {
        name
        for name, value in vars(rfsn.errors).items()
        if isinstance(value, type) and issubclass(value, rfsn.errors.RfsnError)
    }
    stray = {
        name: bases
        for name, bases in _exception_classes().items()
        if name not in OUTSIDE and not rfsn_errors & set(bases)
    }
    assert stray == {}


def test_the_drawn_tree_names_every_rfsn_error() -> None:
    import rfsn.buildpacks.python.swebench.specs
    import rfsn.buildpacks.warm
    import rfsn.planners.patch.replies

    def subclasses(cls: type) -> set[type]:
        return {cls}.union(*(subclasses(sub) for sub in cls.__subclasses__()))

    drawn = (rfsn.errors.__doc__ or "").split("\n\n")[1]
    missing = sorted(
        c.__name__
        for c in subclasses(rfsn.errors.RfsnError)
        if c.__module__.startswith("rfsn.") and c.__name__ not in drawn
    )
    assert missing == []


def test_reply_errors_are_still_value_errors() -> None:
    from rfsn.planners.patch.replies import ReplyError

    assert issubclass(ReplyError, ValueError) and issubclass(ReplyError, rfsn.errors.RfsnError)
