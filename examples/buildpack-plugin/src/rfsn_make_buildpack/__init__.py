"""An example rfsn buildpack: a Makefile whose ``test`` target prints TAP.

Test ids are the TAP descriptions (``ok 3 - greets by name`` -> ``greets by name``).
Selected tests are passed to the target as ``make test TESTS='id1|id2'``; the
Makefile decides what to do with them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rfsn.buildpacks import BaseImage, Detection, EnvRecipe
from rfsn.models import TestStatus

_TARGET = re.compile(r"^test\s*:", re.MULTILINE)
_TAP = re.compile(r"^(?P<ok>not ok|ok)\b(?:\s+\d+)?(?:\s*-)?\s*(?P<name>.*?)(?:\s+#\s*(?P<directive>SKIP|TODO)\b.*)?$",
                  re.IGNORECASE)


def parse_tap(output: str) -> dict[str, TestStatus]:
    """Statuses from top-level TAP lines; ``# SKIP`` and ``# TODO`` are skips."""
    statuses: dict[str, TestStatus] = {}
    for line in output.splitlines():
        match = _TAP.match(line)
        if not match or not match["name"]:
            continue
        if match["directive"]:
            status = TestStatus.SKIPPED
        else:
            status = TestStatus.PASSED if match["ok"].lower() == "ok" else TestStatus.FAILED
        statuses[match["name"].replace("\\#", "#")] = status
    return statuses


class MakeBuildpack:
    name: ClassVar[str] = "make"
    structured: ClassVar[bool] = True  # parse() reads per-test statuses from TAP lines
    default_base: ClassVar[BaseImage] = BaseImage(
        runtime="make", version="4", registry_image="debian:bookworm-slim", debian_release="bookworm",
        debian_packages=("make", "git", "ca-certificates", "procps"),
    )

    def detect(self, repo: Path) -> Detection:
        makefile = next((repo / n for n in ("GNUmakefile", "Makefile", "makefile")
                         if (repo / n).is_file()), None)
        if makefile is None:
            return Detection(score=0.0)
        if _TARGET.search(makefile.read_text(encoding="utf-8", errors="replace")):
            return Detection(score=0.6, reasons=[f"{makefile.name} has a test target"])
        return Detection(score=0.1, reasons=[f"{makefile.name} without a test target"])

    def env_recipe(self, repo: Path) -> EnvRecipe:
        return EnvRecipe(buildpack=self.name, base=self.default_base)

    def setup_commands(self, repo: Path) -> list[list[str]]:
        return []

    def test_command(self, tests: Sequence[str], report_dir: str) -> list[str]:
        argv = ["make", "--no-print-directory", "-s", "test"]
        return [*argv, "TESTS=" + "|".join(tests)] if tests else argv

    def parse(self, output: str, reports: dict[str, str]) -> dict[str, TestStatus]:
        return parse_tap(output)


__all__ = ["MakeBuildpack", "parse_tap"]
