"""The generic buildpack: a user's own test command, judged by its exit code alone."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rfsn.buildpacks.base import (
    BaseImage,
    Buildpack,
    DatedCapable,
    Detection,
    EnvOptions,
    EnvRecipe,
    date_env,
    first_error,
)
from rfsn.buildpacks.discovery import detect_all, load
from rfsn.buildpacks.parts import Environment, Parts, Reading
from rfsn.errors import BuildpackError
from rfsn.models import TestReport, TestStatus


class GenericBuildpack:
    """Runs ``test_cmd`` (no shell) in the environment of ``base``.

    Without ``base`` the environment is that of the buildpack that best
    recognises ``repo`` (so ``python -m pytest`` finds pytest), or a plain
    Debian one when none does.
    """

    name: ClassVar[str] = "generic"
    default_base: ClassVar[BaseImage] = BaseImage(
        runtime="debian",
        version="12",
        registry_image="debian:bookworm-slim",
        debian_release="bookworm",
        debian_packages=("git", "ca-certificates", "procps"),
    )
    structured: ClassVar[bool] = False

    def __init__(self, test_cmd: str, base: Buildpack | None = None, repo: Path | None = None):
        try:
            self.argv = shlex.split(test_cmd)
        except ValueError as exc:
            raise BuildpackError(f"cannot split --test-cmd {test_cmd!r}: {exc}") from exc
        if not self.argv:
            raise BuildpackError("--test-cmd is empty")
        self.base = base if base is not None or repo is None else _best(repo)

    def parts(self) -> Parts:
        """A diagnosis of a command that could not run, and its base's dated environment."""
        return Parts(reading=Reading(health=self), environment=Environment(dated=self))

    def detect(self, repo: Path) -> Detection:
        return Detection(score=0.01, reasons=["runs the given test command"])

    def env_recipe(self, repo: Path) -> EnvRecipe:
        if self.base is not None:
            return self.base.env_recipe(repo)
        return EnvRecipe(buildpack=self.name, base=self.default_base)

    @property
    def env_options(self) -> EnvOptions:
        """The base's (DatedCapable): its environment is this one."""
        return self.base.env_options if isinstance(self.base, DatedCapable) else EnvOptions()

    @env_options.setter
    def env_options(self, options: EnvOptions) -> None:
        date_env(self.base, options)

    def setup_commands(self, repo: Path) -> list[list[str]]:
        return self.base.setup_commands(repo) if self.base is not None else []

    def test_command(self, tests: Sequence[str], report_dir: str) -> list[str]:
        return [*self.argv, *tests]

    def parse(self, output: str, reports: dict[str, str]) -> dict[str, TestStatus]:
        # Exit-code-only: rfsn.runner records one pseudo-test from the exit code.
        return {}

    def diagnose(self, report: TestReport, repo: Path) -> str | None:
        """A command the shell could not find (127) or run (126) says nothing about the tests."""
        if report.exit_code in (126, 127):
            return (
                f"the test command could not run (exit {report.exit_code}): {first_error(report.log)}; check --test-cmd"
            )
        return None


def _best(repo: Path) -> Buildpack | None:
    ranked = [info for info, detection in detect_all(repo) if detection.score > 0]
    return load(ranked[0].name) if ranked else None
