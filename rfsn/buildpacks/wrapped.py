"""An argv that runs a program with a directory first on its import path (``PYTHONPATH``) and
``env``'s ``NAME=value`` words: how a coverage, probe or record plan puts its own plugin before the
program's modules, and how a sandbox that answers from a script (``rfsn.sandbox.fake``) or a warm
runner sees the program it runs through it."""

from __future__ import annotations

import shlex
from collections.abc import Sequence


def importable(report_dir: str) -> list[str]:
    """The start of an argv whose program (and ``NAME=value`` words: ``env``'s) imports from
    ``report_dir`` first: the directory goes before the PYTHONPATH the environment sets, not in its place."""
    return ["sh", "-c", f'PYTHONPATH={shlex.quote(report_dir)}${{PYTHONPATH:+:$PYTHONPATH}} exec env "$@"', "sh"]


def unwrapped(argv: Sequence[str]) -> tuple[str, dict[str, str], list[str]] | None:
    """An argv `importable` starts, taken apart: (its directory, its ``NAME=value`` words, the
    program's argv); None for any other argv."""
    script = argv[2] if len(argv) > 3 else ""
    head, tail = "PYTHONPATH=", '${PYTHONPATH:+:$PYTHONPATH} exec env "$@"'
    if not (script.startswith(head) and script.endswith(tail)):
        return None
    words = shlex.split(script[len(head) : -len(tail)])
    if len(words) != 1 or list(argv[:4]) != importable(words[0]):
        return None
    rest = list(argv[4:])
    names = 0
    while names < len(rest) and "=" in rest[names]:
        names += 1
    env = dict(word.split("=", 1) for word in rest[:names])
    return words[0], env, rest[names:]
