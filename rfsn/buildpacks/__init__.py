"""Ecosystems and their buildpacks: built-ins plus third-party ones from the ``rfsn.buildpacks``
entry points, and what generic code asks of them (languages, test files, the gate's tables).

A buildpack is found by short name and imported lazily. ``select`` picks the
one with the highest detection score, unless a name or a test command is
given. A plugin that fails to import, or raises in ``detect``, is reported
once as a warning and skipped: it never breaks rfsn.
"""

from __future__ import annotations

from pathlib import Path

from rfsn.buildpacks.base import BaseImage, Buildpack, Detection, EnvRecipe
from rfsn.buildpacks.discovery import BuildpackInfo, detect_all, discover, load
from rfsn.buildpacks.ecosystem import BaseImages, Ecosystem, GateRules, Language, TestConventions
from rfsn.buildpacks.ecosystems import base_image, ecosystem, ecosystems
from rfsn.buildpacks.gaterules import gate_commands, gate_subcommands, item_opener, session_wide, skip_markers
from rfsn.buildpacks.generic import GenericBuildpack
from rfsn.buildpacks.languages import dialect_of, extensions, family_of, keywords, language_of
from rfsn.buildpacks.testfiles import is_test_code, is_test_file, is_test_module, tests_start
from rfsn.buildpacks.unrecognised import unrecognised
from rfsn.errors import BuildpackError

__all__ = [
    "BaseImage",
    "BaseImages",
    "Buildpack",
    "BuildpackInfo",
    "Detection",
    "Ecosystem",
    "EnvRecipe",
    "GateRules",
    "Language",
    "TestConventions",
    "base_image",
    "detect_all",
    "detections",
    "dialect_of",
    "discover",
    "ecosystem",
    "ecosystems",
    "extensions",
    "family_of",
    "gate_commands",
    "gate_subcommands",
    "is_test_code",
    "is_test_file",
    "is_test_module",
    "item_opener",
    "keywords",
    "language_of",
    "load",
    "select",
    "session_wide",
    "skip_markers",
    "tests_start",
    "unrecognised",
]


def detections(folder: Path) -> list[tuple[str, Detection]]:
    """Every buildpack's detection of ``folder`` by its name, best first."""
    return [(info.name, detection) for info, detection in detect_all(folder)]


def check_choice(name: str | None, test_cmd: str | None) -> None:
    """Fail fast on a --buildpack / --test-cmd pair that ``select`` would refuse."""
    if name == "generic":
        if test_cmd is None:
            raise BuildpackError("the generic buildpack runs a given command: add --test-cmd CMD")
        return
    if name is not None:
        load(name)
    if test_cmd is not None:
        GenericBuildpack(test_cmd)


def select(repo: Path, name: str | None = None, test_cmd: str | None = None) -> Buildpack:
    """The buildpack for ``repo``: by ``test_cmd``, by ``name``, or by best detection."""
    if test_cmd is not None:
        return GenericBuildpack(test_cmd, base=load(name) if name and name != "generic" else None, repo=repo)
    if name is not None:
        return load(name)
    ranked = [(info, d) for info, d in detect_all(repo) if d.score > 0]
    if not ranked:
        raise BuildpackError(unrecognised(repo, "this repository", detections))
    return load(ranked[0][0].name)
