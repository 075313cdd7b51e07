"""What a go.mod requires and replaces, read as go reads it (pure).

A requirement is direct unless marked ``// indirect``. A replacement applies to every version of
its module, or to the one it names; its target is another module (a path and a version) or a
directory (a path starting ``./``, ``../`` or ``/``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BLOCK = re.compile(r"^(require|replace|exclude|retract)\s*\($")
_LINE = re.compile(r"^(require|replace)\s+(.+)$")


@dataclass(frozen=True)
class Requirement:
    path: str
    version: str
    indirect: bool = False


@dataclass(frozen=True)
class Replacement:
    old: str
    old_version: str
    new: str
    new_version: str

    @property
    def local(self) -> bool:
        """The target is a directory, not a module."""
        return self.new.startswith(("./", "../", "/")) or self.new in (".", "..")

    def applies(self, requirement: Requirement) -> bool:
        return self.old == requirement.path and self.old_version in ("", requirement.version)

    def line(self) -> str:
        """The directive as vendor/modules.txt records it."""
        old = " ".join(w for w in (self.old, self.old_version) if w)
        return f"# {old} => {' '.join(w for w in (self.new, self.new_version) if w)}"


def _words(text: str) -> list[str]:
    return [w.strip('"`') for w in text.split()]


def directives(text: str) -> tuple[list[Requirement], list[Replacement]]:
    """The requirements and replacements of go.mod ``text``, in their order."""
    required: list[Requirement] = []
    replaced: list[Replacement] = []
    block = ""
    for raw in text.splitlines():
        code, _, comment = raw.partition("//")
        line = code.strip()
        opened = _BLOCK.match(line)
        if opened:
            block = opened[1]
            continue
        if block and line == ")":
            block = ""
            continue
        single = None if block else _LINE.match(line)
        kind, rest = (block, line) if block else (single[1], single[2]) if single else ("", "")
        words = _words(rest)
        if kind == "require" and len(words) == 2:
            required.append(Requirement(words[0], words[1], comment.strip().startswith("indirect")))
        elif kind == "replace" and "=>" in words:
            at = words.index("=>")
            old, new = words[:at], words[at + 1 :]
            if len(old) in (1, 2) and len(new) in (1, 2):
                replaced.append(Replacement(old[0], old[1] if len(old) == 2 else "", new[0], "".join(new[1:2])))
    return required, replaced


def debian_lines(text: str) -> str:
    """One line per requirement of go.mod ``text``: ``path version source direct|indirect``, the
    source being the module whose code stands for it (a replacement's target; ``-`` for a
    directory, which no package holds)."""
    required, replaced = directives(text)
    lines = []
    for req in required:
        rule = next((r for r in reversed(replaced) if r.applies(req)), None)
        source = req.path if rule is None else "-" if rule.local else rule.new
        lines.append(f"{req.path} {req.version} {source} {'indirect' if req.indirect else 'direct'}\n")
    return "".join(lines)


def replace_lines(text: str) -> str:
    """go.mod ``text``'s replacements as vendor/modules.txt ends with them."""
    return "".join(f"{r.line()}\n" for r in directives(text)[1])
