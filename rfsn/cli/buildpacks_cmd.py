"""``rfsn buildpacks``: which buildpacks exist, and how each sees a repository."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from rich.table import Table

from rfsn.buildpacks import detect_all, detections, discover, unrecognised
from rfsn.buildpacks.base import Detection
from rfsn.buildpacks.discovery import BuildpackInfo
from rfsn.cli.common import check_target, default_base, setup
from rfsn.errors import BuildpackError
from rfsn.observability.console import console, shown, styled
from rfsn.workspace import prepare


@click.group()
def buildpacks() -> None:
    """List buildpacks and see how they detect a repository."""


@buildpacks.command("list")
def list_() -> None:
    """Name, source (builtin or plugin with distribution and version) and base image."""
    setup()
    table = Table("name", "source", "base image", "bootstrap image", box=None, pad_edge=False)
    sources = {info.name: info.source for info in discover()} | {"generic": "builtin (needs --test-cmd)"}
    for name, source in sources.items():
        try:
            base = default_base(name)
            table.add_row(shown(name), shown(source), shown(base.registry_image), shown(base.bootstrap_tag))
        except BuildpackError as exc:
            table.add_row(shown(name), shown(source), styled(f"unavailable: {exc}", "red"), "")
    console().print(table)


def detection_table(ranked: list[tuple[BuildpackInfo, Detection]]) -> Table:
    """Each buildpack's score for a repository and its reasons, as read from the repository."""
    table = Table("buildpack", "score", "reasons", box=None, pad_edge=False)
    for info, detection in ranked:
        table.add_row(shown(info.name), f"{detection.score:.2f}", shown("; ".join(detection.reasons)) or "-")
    return table


@buildpacks.command()
@click.argument("target")
@click.option("--ref", help="branch, tag or commit")
def detect(target: str, ref: str | None) -> None:
    """Every buildpack's detection score for TARGET (a path or git URL), best first.

    Exit status: 0 when one recognises it, 2 when none does (as `rfsn repair` would refuse it).
    """
    settings = setup()
    check_target(target, ref)
    with tempfile.TemporaryDirectory(prefix="rfsn-detect-") as tmp:
        workspace = prepare(target, Path(tmp) / "repo", ref, timeout=settings.clone_timeout)
        ranked = detect_all(workspace.path)
        console().print(detection_table(ranked))
        if not any(detection.score > 0 for _, detection in ranked):
            raise BuildpackError(unrecognised(workspace.path, target, detections))
