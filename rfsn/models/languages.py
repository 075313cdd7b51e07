"""Which language a source file is written in, read from its extension: rfsn's one table of
source extensions, and the families (a syntax and test conventions shared) the gate, the lexer
and the source readers group languages by."""

from __future__ import annotations

from pathlib import PurePosixPath

#: extension -> the language its files are written in
LANGUAGES: dict[str, str] = {
    ".py": "python",
    **dict.fromkeys((".js", ".jsx", ".mjs", ".cjs"), "javascript"),
    **dict.fromkeys((".ts", ".tsx", ".mts", ".cts"), "typescript"),
    ".rs": "rust",
    ".go": "go",
    ".java": "java",
    ".kt": "kotlin",
    ".scala": "scala",
    ".groovy": "groovy",
    **dict.fromkeys((".c", ".h"), "c"),
    **dict.fromkeys((".cc", ".cpp", ".hpp"), "cpp"),
    ".cs": "csharp",
}
#: language -> the family whose syntax and test conventions it shares (a language not named is its own)
_FAMILIES = {
    "typescript": "javascript",
    "kotlin": "java",
    "scala": "java",
    "groovy": "java",
    "cpp": "c",
    "csharp": "c",
}


def language_of(path: str) -> str | None:
    """The language of the file at ``path`` (its extension, in any case), None when unknown."""
    return LANGUAGES.get(PurePosixPath(path).suffix.lower())


def family_of(language: str) -> str:
    return _FAMILIES.get(language, language)


def extensions(*families: str) -> tuple[str, ...]:
    """The extensions of every language of ``families`` (all of them when none is named)."""
    return tuple(ext for ext, language in LANGUAGES.items() if not families or family_of(language) in families)
