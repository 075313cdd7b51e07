"""The system files a failed build says it lacked, and which paths of a Debian system would be
them: a pure reading of a build's output.

Compilers, linkers, setup scripts, pkg-config and meson each say it their own way
(``fatal error: X: No such file``, ``cannot find -lX``, ``X: not found``, ``X executable not
found``, ``Package X was not found in the pkg-config search path``); each becomes a ``Missing``
of one kind, and ``Missing.rank`` says how well a path of Debian's contents index answers it
(an executable in a bin directory, or its file of one version; a header under an include
directory, ``libX.so`` in a lib directory, ``X.pc`` in a pkgconfig directory), lower is better,
None not at all.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

Kind = Literal["executable", "header", "library", "pkgconfig"]
_NAME = r"[\w.+-]+"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: (kind, pattern whose first group names the file); all of them, generic across projects
PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("header", re.compile(r"fatal error: ([\w./+-]+\.h(?:h|pp|xx)?): No such file or directory")),
    ("library", re.compile(rf"cannot find -l({_NAME})")),
    ("library", re.compile(r"error while loading shared libraries: (lib[\w+.-]+\.so[\w.]*): cannot open")),
    ("executable", re.compile(rf"(?:^|[\s'\"`(])({_NAME}): (?:\d+: )?(?:command )?not found\b")),
    ("executable", re.compile(rf"(?:^|[\s'\"`(])({_NAME}) executable not found")),
    ("executable", re.compile(rf"['`]({_NAME})['`] (?:executable |command |program )?not found")),
    ("executable", re.compile(rf"No such file or directory: '({_NAME})'")),
    ("executable", re.compile(rf"Did not find pkg-config by name '({_NAME})'")),
    ("executable", re.compile(rf"The ({_NAME}) command could not be found")),
    ("executable", re.compile(rf"Program '?({_NAME})'? (?:not found or not executable|found: NO)")),
    (
        "pkgconfig",
        re.compile(
            rf"Package '?({_NAME})'?,? (?:was not found in the pkg-config search path"
            rf"|required by '[^']*', not found)"
        ),
    ),
    ("pkgconfig", re.compile(rf"No package '({_NAME})' found")),
    ("pkgconfig", re.compile(rf"The system library `({_NAME})` required by crate")),
    (
        "pkgconfig",
        re.compile(
            rf"pkg-config'?,?(?:\s+'?--[\w-]+'?,?)+\s+'?({_NAME})"
            r"(?=.*returned non-zero exit status)"
        ),
    ),
    ("pkgconfig", re.compile(rf"Dependency \"?({_NAME})\"? not found")),
    ("pkgconfig", re.compile(rf"(?:Run-time|Build-time) dependency ({_NAME}) found: NO")),
    ("library", re.compile(r"((?:lib[\w+.-]+(?:,? and |, | or ))*lib[\w+.-]+) development (?:packages?|files)")),
)
#: a library named in words ("the libxml2 and libxslt development packages"): its shared object
_LIBRARY_NAMED = re.compile(r"\blib([\w+.-]+)")
#: words the executable patterns catch that are never a program ("sh: 1: X: not found" names X)
_NOT_PROGRAMS = {"sh", "bash", "dash", "line", "error", "Error", "ERROR", "found", "file", "Package"}
#: what follows a command's name in the file of a version of it (``automake-1.16``)
VERSIONED = r"-\d+(?:\.\d+)*"
_BIN_DIRS = ("usr/bin", "usr/sbin", "bin", "sbin")
_LIB_DIRS = ("usr/lib", "lib", "usr/lib64", "lib64")
_TRIPLET = re.compile(r"^[a-z0-9_]+-linux-gnu\w*$")


class Missing(BaseModel):
    """One file a build lacked: its kind, its name as the output gave it, and that line."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    name: str
    line: str = ""

    @property
    def basename(self) -> str:
        """The last part of the name of the file that would answer it."""
        stem = self.name.rsplit("/", 1)[-1]
        if self.kind == "library" and ".so" in stem:  # a shared object by its soname (libatomic.so.1)
            return stem
        return {"library": f"lib{stem}.so", "pkgconfig": f"{stem}.pc"}.get(self.kind, stem)

    @property
    def described(self) -> str:
        """The file in words: "the executable pg_config", "the pkg-config file cairo.pc"."""
        what = {"library": "library", "pkgconfig": "pkg-config file"}.get(self.kind, self.kind)
        return f"the {what} {self.name if self.kind in ('executable', 'header') else self.basename}"

    def rank(self, path: str) -> int | None:
        """How well ``path`` (a contents index's, without a leading slash) answers this file:
        0 best, None not at all."""
        folder, _, base = path.rpartition("/")
        if self.kind == "header":
            return _header_rank(path, self.name)
        if self.kind == "executable":
            if folder not in _BIN_DIRS or not base.startswith(self.name):
                return None  # a command an alternative names ships under its version (aclocal-1.16)
            return 0 if base == self.name else 1 if re.fullmatch(VERSIONED, base[len(self.name) :]) else None
        if self.kind == "library":
            if base not in (self.basename, f"lib{self.name}.a") or not _in(folder, _LIB_DIRS):
                return None
            return 0 if base.endswith(".so") else 1
        if base != self.basename or not folder.endswith("/pkgconfig"):
            return None
        return 0 if _in(folder.removesuffix("/pkgconfig"), (*_LIB_DIRS, "usr/share")) else 1


def _in(folder: str, roots: tuple[str, ...]) -> bool:
    """Whether ``folder`` is one of ``roots`` or a multiarch directory of one."""
    parent, _, last = folder.rpartition("/")
    return folder in roots or (parent in roots and bool(_TRIPLET.match(last)))


def _header_rank(path: str, name: str) -> int | None:
    """A header under an include directory: 0 right in ``usr/include`` (or its multiarch
    directory), one more for each directory between (``libxml2/`` of ``libxml/xpath.h``)."""
    if not path.endswith("/" + name):
        return None
    folder = path[: -len(name) - 1]
    parts = folder.split("/")
    if "include" not in parts:
        return None
    below = [p for p in parts[parts.index("include") + 1 :] if not _TRIPLET.match(p)]
    return len(below) + (0 if folder.startswith("usr/include") else 10)


def missing_files(output: str) -> list[Missing]:
    """Each file ``output`` says a build lacked, once, in the order it first says so."""
    found: dict[tuple[str, str], Missing] = {}
    for raw in _ANSI.sub("", output).splitlines():
        line = raw.strip()
        for kind, pattern in PATTERNS:
            for match in pattern.finditer(line):
                names = [match.group(1).rstrip(".")]
                if kind == "library" and match.group(1).startswith("lib") and ".so" not in match.group(1):
                    names = _LIBRARY_NAMED.findall(match.group(1))
                for name in names:
                    if kind == "executable" and (name in _NOT_PROGRAMS or name.isdigit()):
                        continue
                    found.setdefault((kind, name), Missing(kind=kind, name=name, line=line[:300]))
    return list(found.values())
