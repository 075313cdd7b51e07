"""Which language a source file is written in, read from its extension: the union of the
ecosystems' language tables (one table, theirs), the families (a syntax and test conventions
shared) the gate, the lexer and the source readers group languages by, and the C-like lexer's
reading of each language (its dialect and the words that dialect reserves)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath

from rfsn.buildpacks.ecosystem import Language
from rfsn.buildpacks.ecosystems import ecosystems


@dataclass(frozen=True)
class _Table:
    by_extension: dict[str, Language]
    by_name: dict[str, Language]
    keywords: frozenset[str]


@lru_cache(maxsize=4)
def _table(path: tuple[str, ...]) -> _Table:
    by_extension: dict[str, Language] = {}
    by_name: dict[str, Language] = {}
    for language in (language for eco in ecosystems() for language in eco.languages):
        by_name.setdefault(language.name, language)  # a built-in's claim first
        for ext in language.extensions:
            by_extension.setdefault(ext, language)
    every = frozenset().union(*(language.keywords for language in by_name.values()))
    return _Table(by_extension, by_name, every)


def _languages() -> _Table:
    return _table(tuple(sys.path))  # as ``ecosystems``: entry points are found on sys.path


def language_of(path: str) -> str | None:
    """The language of the file at ``path`` (its extension, in any case), None when unknown."""
    found = _languages().by_extension.get(PurePosixPath(path).suffix.lower())
    return found.name if found else None


def family_of(language: str) -> str:
    """The family ``language`` shares its syntax and test conventions with (its own name if none)."""
    found = _languages().by_name.get(language)
    return found.family or language if found else language


def extensions(*families: str) -> tuple[str, ...]:
    """The extensions of every language of ``families`` (all of them when none is named)."""
    table = _languages().by_extension
    return tuple(ext for ext, lang in table.items() if not families or (lang.family or lang.name) in families)


def dialect_of(path: str) -> str | None:
    """What the C-like lexer reads ``path`` as (TypeScript apart, a language as its family:
    Kotlin as Java, C++ as C); None for Python and unknown files."""
    found = _languages().by_extension.get(PurePosixPath(path).suffix.lower())
    return found.dialect if found else None


def keywords(dialect: str | None = None) -> frozenset[str]:
    """The words ``dialect`` reserves; of every dialect when it is None or has none."""
    table = _languages()
    own = table.by_name[dialect].keywords if dialect in table.by_name else frozenset()
    return own or table.keywords


def source_extensions(buildpack: str) -> tuple[str, ...]:
    """The extensions of the source files of a project the buildpack of this name builds: its
    ecosystem's languages'; every known one where it has none (the generic buildpack's command)."""
    own = next((eco.extensions() for eco in ecosystems() if eco.name == buildpack and eco.buildpack), ())
    return own or extensions()
