"""``rfsn sandbox``: base images without a registry, and cleanup."""

from __future__ import annotations

import click

from rfsn.cli.common import BUILDPACK, default_base, setup
from rfsn.cli.options import registry_option


@click.group()
def sandbox() -> None:
    """Manage sandbox images and containers."""


@sandbox.command()
@click.option(
    "--buildpack",
    "names",
    type=BUILDPACK,
    multiple=True,
    default=["python"],
    show_default=True,
    help="build the base image of this buildpack (repeatable; generic: plain Debian)",
)
@click.option("--python", "python_version", help="Python version of the python base image (picks the Debian release)")
@click.option("--force", is_flag=True, help="rebuild even if the image exists")
@click.option("-v", "--verbose", is_flag=True, help="show progress events (debootstrap, import)")
@registry_option
def bootstrap(
    names: tuple[str, ...], python_version: str | None, force: bool, verbose: bool, registry: str | None
) -> None:
    """Build base images from Debian packages (debootstrap + docker import), no registry needed;
    with --registry, pull them from it if it has them, else build them, and push them there."""
    from rfsn.buildpacks import base_image, ecosystem
    from rfsn.errors import ConfigError, ImageError
    from rfsn.sandbox import registry as shared
    from rfsn.sandbox.bootstrap import bootstrap as build
    from rfsn.sandbox.daemon import connect

    settings = setup(verbose, registry=registry)
    if python_version and "python" not in names:
        raise ConfigError("--python picks the python base image: add --buildpack python")
    client = connect()
    for name in names:
        base = default_base(name)
        images = ecosystem(name).images if name == "python" else None
        if python_version and images:
            if python_version not in images.versions:
                raise ConfigError(
                    f"no Debian release ships Python {python_version} (choose one of {', '.join(images.versions)})"
                )
            base = base_image(name, python_version)
        tag, built = build(
            client, base, settings.debian_mirror, force=force, timeout=settings.setup_timeout, shared=settings.registry
        )
        if settings.registry and not shared.push(client, settings.registry, tag):
            raise ImageError(f"{tag} could not be pushed to {settings.registry} (-v shows why)")
        click.echo(
            f"{tag} {'built' if built else 'exists'}" + (f", in {settings.registry}" if settings.registry else "")
        )


@sandbox.command()
@click.option("--all", "everything", is_flag=True, help="also containers of running rfsn processes")
def prune(everything: bool) -> None:
    """Remove containers left behind by rfsn processes that are gone."""
    from rfsn.sandbox.daemon import connect
    from rfsn.sandbox.daemon import prune as remove

    removed = remove(connect(), everything)
    click.echo(f"removed {len(removed)} container(s)" + (": " + ", ".join(removed) if removed else ""))
