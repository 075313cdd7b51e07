"""A built-in buildpack declares its optional parts (``parts()``), and declares every one its
members match: a declaration never hides what it can do, nor claims what it cannot."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from rfsn.buildpacks import load
from rfsn.buildpacks.generic import GenericBuildpack
from rfsn.buildpacks.parts import Parts, _matched, parts


def _slots(found: Parts, buildpack: object) -> dict[str, bool]:
    """Each part's slots, and whether the buildpack itself fills it."""
    out = {}
    for group in dataclasses.fields(found):
        part = getattr(found, group.name)
        for slot in dataclasses.fields(part):
            value = getattr(part, slot.name)
            assert value is None or value is buildpack
            out[f"{group.name}.{slot.name}"] = value is not None
    return out


@pytest.mark.parametrize("name", ["python", "node", "go", "rust", "java", "generic"])
def test_a_built_in_declares_the_parts_its_members_match(name: str) -> None:
    buildpack = GenericBuildpack("true") if name == "generic" else load(name)
    assert callable(getattr(buildpack, "parts", None))
    declared = parts(buildpack)
    assert _slots(declared, buildpack) == _slots(_matched(buildpack), buildpack)
    assert any(_slots(declared, buildpack).values())


def test_a_buildpack_that_declares_nothing_gets_the_parts_its_members_match() -> None:
    class Resumes:
        def crashes(self, output: str, statuses: object) -> list[object]:
            return []

        def rest_command(self, crash: object, done: object, tests: object, report_dir: str) -> None:
            return None

    found = parts(Resumes())
    assert found.reading.resume is not None and found.measuring.coverage is None


def test_the_readmes_declaration_runs_as_shown() -> None:
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    snippet = text.split("from rfsn.buildpacks.parts import Measuring, Parts, Reading\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(
        compile("from rfsn.buildpacks.parts import Measuring, Parts, Reading\n" + snippet, "README.md", "exec"),
        namespace,
    )
    made = namespace["MyBuildpack"]
    assert isinstance(made, type)
    declared = made().parts()
    assert declared.measuring.coverage is not None and declared.reading.health is not None
