"""``rfsn buildpacks``: which buildpacks exist, and how each sees a repository."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from rfsn.buildpacks import detect_all, discover, load
from rfsn.cli.common import setup
from rfsn.errors import BuildpackError
from rfsn.workspace import prepare


@click.group()
def buildpacks() -> None:
    """List buildpacks and see how they detect a repository."""


@buildpacks.command("list")
def list_() -> None:
    """Name, source (builtin or plugin with distribution and version) and base image."""
    setup()
    table = Table("name", "source", "base image", "bootstrap image", box=None, pad_edge=False)
    for info in discover():
        try:
            base = load(info.name).default_base
            table.add_row(info.name, info.source, base.registry_image, base.bootstrap_tag)
        except BuildpackError as exc:
            table.add_row(info.name, info.source, f"[red]unavailable: {exc}[/]", "")
    from rfsn.buildpacks.generic import GenericBuildpack

    generic = GenericBuildpack.default_base
    table.add_row("generic", "builtin (needs --test-cmd)", generic.registry_image, generic.bootstrap_tag)
    Console().print(table)


@buildpacks.command()
@click.argument("target")
@click.option("--ref", help="branch, tag or commit")
def detect(target: str, ref: str | None) -> None:
    """Every buildpack's detection score for TARGET (a path or git URL), best first."""
    settings = setup()
    with tempfile.TemporaryDirectory(prefix="rfsn-detect-") as tmp:
        workspace = prepare(target, Path(tmp) / "repo", ref, timeout=settings.clone_timeout)
        ranked = detect_all(workspace.path)
    table = Table("buildpack", "score", "reasons", box=None, pad_edge=False)
    for info, detection in ranked:
        table.add_row(info.name, f"{detection.score:.2f}", "; ".join(detection.reasons) or "-")
    Console().print(table)
