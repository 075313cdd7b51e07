"""The options a test script gives mocha that decide how its tests run (``--timeout 90000``,
``--exit``, ``--require``, ``--ui``): rfsn runs mocha itself, with its own reporter and the
script's paths, and without these a hook the project gives 90 s has mocha's 2 s, and a run whose
handles stay open never ends. Left out: what reports, selects, watches, stops early or runs in
parallel (rfsn's reporter reads one process's events)."""

from __future__ import annotations

import re
import shlex

#: mocha's options that take a value (of every major version), short and long
MOCHA_VALUED = frozenset(
    {
        *("-R", "--reporter", "-O", "--reporter-option", "--reporter-options", "-u", "--ui"),
        *("-g", "--grep", "-f", "--fgrep", "-t", "--timeout", "--timeouts", "-s", "--slow"),
        *("-r", "--require", "--compilers", "--globals", "--retries", "--file", "--extension"),
        *("--spec", "--ignore", "--exclude", "--config", "--package", "--opts", "-j", "--jobs"),
        *("--watch-files", "--watch-ignore", "-n", "--node-option"),
    }
)
#: options rfsn gives mocha itself, or that change which tests run, how they report or where
_NOT_KEPT = frozenset(
    {
        *("-R", "--reporter", "-O", "--reporter-option", "--reporter-options", "-g", "--grep"),
        *("-f", "--fgrep", "-i", "--invert", "-w", "--watch", "--watch-files", "--watch-ignore"),
        *("-b", "--bail", "-p", "--parallel", "-j", "--jobs", "--forbid-only", "--forbid-pending"),
    }
)


def _is_mocha(word: str) -> bool:
    return word in ("mocha", "_mocha") or word.endswith(("/.bin/mocha", "/.bin/_mocha", "/bin/_mocha"))


def mocha_options(script: str) -> list[str]:
    """The options (with their values) the ``script`` gives mocha where it runs it, each once, in
    the script's order, but those rfsn sets or that change what runs (``_NOT_KEPT``)."""
    kept: dict[str, list[str]] = {}
    for segment in re.split(r"&&|\|\||;|\|", script):
        try:
            words = shlex.split(segment)
        except ValueError:
            continue
        at = next((i for i, w in enumerate(words) if _is_mocha(w)), len(words))
        rest = words[at + 1 :]
        for i, word in enumerate(rest):
            name = word.split("=", 1)[0]
            if not word.startswith("-") or word == "--" or name in kept or name in _NOT_KEPT:
                continue
            valued = name in MOCHA_VALUED and "=" not in word and i + 1 < len(rest)
            kept[name] = [word, rest[i + 1]] if valued else [word]
    return [word for option in kept.values() for word in option]
