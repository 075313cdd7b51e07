"""A test script that runs no test, and the files ``node --test`` finds by itself.

A test script made only of ``echo``, ``exit`` and ``true`` (npm's own placeholder, ``echo "Error:
no test specified" && exit 1``, or a pointer to the project's testing instructions) runs no test:
the project is taken as having no test script. Where its Node has no ``node --test`` (before 18),
the files that runner's discovery would find run with plain ``node`` instead, each judged by its
exit code (``tapruns``' ``plain``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

#: a command that runs nothing
_NOTHING = re.compile(r"^\s*(?:echo|exit|true|:)(?:\s|$)")
#: the names ``node --test`` takes as tests anywhere; any ``.js``/``.cjs``/``.mjs`` under a ``test`` folder too
_TEST_NAME = re.compile(r"(?:^test|^test-.+|.+[.\-_]test)\.[cm]?js$")
_SCRIPT = re.compile(r"\.[cm]?js$")


def runs_no_test(script: str) -> bool:
    """Whether ``script`` is only ``echo``/``exit``/``true`` commands (and not empty)."""
    commands = [c for c in re.split(r"&&|\|\||;", script) if c.strip()]
    return bool(commands) and all(_NOTHING.match(c) for c in commands)


def discovered_test_files(repo: Path) -> list[str]:
    """The files ``node --test`` given no path would run in ``repo``: ``test.js``, ``test-*.js``,
    ``*.test.js``, ``*-test.js``, ``*_test.js`` anywhere, and every script under a ``test`` folder
    (``node_modules`` and hidden folders left out), as paths relative to ``repo``."""
    found = []
    for folder, dirs, names in os.walk(repo):
        dirs[:] = sorted(d for d in dirs if d != "node_modules" and not d.startswith("."))
        relative = Path(folder).relative_to(repo)
        under_test = "test" in relative.parts
        for name in sorted(names):
            if _SCRIPT.search(name) and (under_test or _TEST_NAME.match(name)):
                found.append((relative / name).as_posix())
    return found
