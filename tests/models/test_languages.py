"""One table of source extensions: the lexer, the repository map and the source readers ask it,
so a language's every extension is read the same way everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.buildpacks import languages
from rfsn.planners.code.lexer import language_of
from rfsn.planners.code.sources import read_sources
from rfsn.planners.patch.explore.repomap import repo_map

COMPONENT = "export function Greeting(name: string) {\n  return `hi ${name}`;\n}\n"


@pytest.mark.parametrize(
    ("path", "language", "lexed_as"),
    [
        ("src/a.tsx", "typescript", "typescript"),
        ("src/a.JSX", "javascript", "javascript"),
        ("src/Main.kt", "kotlin", "java"),
        ("src/a.hpp", "cpp", "c"),
        ("pkg/a.py", "python", None),
        ("README.md", None, None),
    ],
)
def test_a_files_language_is_its_extensions_in_the_one_table(
    path: str, language: str | None, lexed_as: str | None
) -> None:
    assert languages.language_of(path) == language
    assert language_of(path) == lexed_as


def test_the_repository_map_outlines_every_extension_of_a_brace_language() -> None:
    text = repo_map({"src/Greeting.tsx": COMPONENT, "src/greeting.mts": COMPONENT})
    assert text.splitlines() == [
        "src/Greeting.tsx",
        "  1: Greeting(...)",
        "src/greeting.mts",
        "  1: Greeting(...)",
    ]


def test_a_buildpacks_sources_are_every_file_of_its_language_family(tmp_path: Path) -> None:
    for name in ("a.js", "b.mts", "c.tsx", "d.kt", "e.py"):
        (tmp_path / name).write_text("x\n")
    assert sorted(read_sources(tmp_path, "node")) == ["a.js", "b.mts", "c.tsx"]
    assert sorted(read_sources(tmp_path, "java")) == ["d.kt"]
    assert sorted(read_sources(tmp_path, "a-plugin-language")) == ["a.js", "b.mts", "c.tsx", "d.kt", "e.py"]
