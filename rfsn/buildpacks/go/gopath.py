"""A GOPATH-era package (no go.mod): go runs it from its import path in a GOPATH, as it was built.

Before modules a package lived at ``$GOPATH/src/<import path>`` and its external tests
(``package foo_test``) import it by that path; run from a checkout anywhere else they cannot
find it. The path is the root's ``// import "..."`` comment, else the import of a ``foo_test``
file that ends in ``/foo``. A ``go`` wrapper first in PATH links that path in a GOPATH to the
work tree and runs the real go from there (``GO111MODULE=off``); the tree stays as it is.
"""

from __future__ import annotations

import re
from pathlib import Path

WRAPPER = "bin/go"
#: the GOPATH the link lives in: outside the work tree, writable by test runs
GOPATH = "/tmp/rfsn-gopath"
_CANONICAL = re.compile(r'^package\s+\w+\s*//\s*import\s+"([^"]+)"', re.M)
_TEST_PACKAGE = re.compile(r"^package\s+(\w+)_test\b", re.M)
_IMPORTED = re.compile(r'"([^"\s]+)"')
_SCRIPT = """#!/bin/sh
# the go next in PATH, run from $GOPATH/src/IMPORT: a link to the work tree (where go is run from)
PATH=$(echo "$PATH" | sed "s|^$(dirname "$0"):||"); link="$GOPATH/src/IMPORT"
mkdir -p "${link%/*}" && ln -sfn "$(pwd -P)" "$link" && cd "$link" && exec go "$@"
"""


def import_path(repo: Path) -> str | None:
    """The import path the root package of ``repo`` is known by (None: said nowhere)."""
    sources = sorted(repo.glob("*.go"))
    for path in sources:
        if match := _CANONICAL.search(path.read_text(encoding="utf-8", errors="replace")):
            return match[1]
    for path in (p for p in sources if p.name.endswith("_test.go")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if package := _TEST_PACKAGE.search(text):
            found = [p for p in _IMPORTED.findall(text) if "/" in p and p.rsplit("/", 1)[1] == package[1]]
            if found:
                return found[0]
    return None


def wrapper(path: str) -> str:
    """The ``go`` that runs the next go in PATH from ``path`` in the GOPATH."""
    return _SCRIPT.replace("IMPORT", path)
