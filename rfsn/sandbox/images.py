"""Layered, content-addressed images: base (runtime) -> env (dependencies).

The env image's tag is a hash of what it is built from (``envimage.EnvImage``), so repos
with the same dependencies share it and any change forces a rebuild. Base
images come from the registry or, where none answers, from ``bootstrap``.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rfsn.buildpacks.base import BaseImage, EnvRecipe
from rfsn.errors import ImageError
from rfsn.fsutil import held
from rfsn.observability.logging import get_logger
from rfsn.observability.metrics import SANDBOX_OPERATION_SECONDS, SANDBOX_OPERATIONS
from rfsn.sandbox import asof, asofindex, registry, syspkgs
from rfsn.sandbox.buildlog import build_failure, build_output
from rfsn.sandbox.envimage import EnvImage
from rfsn.sandbox.labels import MANAGED
from rfsn.sandbox.registry import image_exists

if TYPE_CHECKING:
    from rfsn.sandbox.ccache import CompileCache

log = get_logger(__name__)


def resolve_base(
    client: Any, base: BaseImage, source: str, mirror: str | None = None, shared: str | None = None
) -> str:
    """The base image to build on: a local registry image, a bootstrapped one (here, or pulled
    from the ``shared`` registry), or a pull; with a ``mirror``, when none exists and ``source``
    allows it, one bootstrapped from that Debian mirror (as root, with debootstrap installed)."""
    import docker.errors

    if source != "bootstrap" and image_exists(client, base.registry_image):
        return base.registry_image
    if source != "registry" and registry.obtain(client, shared, base.bootstrap_tag):
        return base.bootstrap_tag
    if source != "bootstrap":
        try:
            client.images.pull(base.registry_image)
            return base.registry_image
        except docker.errors.APIError as exc:
            log.info("image.pull_failed", image=base.registry_image, error=str(exc)[:200])
    if source != "registry" and mirror is not None:
        from rfsn.sandbox.bootstrap import bootstrap, bootstrappable

        if bootstrappable():
            log.warning(
                "image.bootstrap",
                image=base.bootstrap_tag,
                mirror=mirror,
                message="no base image: building one from Debian packages (minutes, once)",
            )
            # one build per image on this host: a second process waits, then finds it
            with held(Path(tempfile.gettempdir()) / f"rfsn-{base.bootstrap_tag.replace('/', '-')}.lock"):
                tag, built = bootstrap(client, base, mirror, shared=shared)
                if built:
                    registry.push(client, shared, tag)
                return tag
    raise ImageError(
        f"no base image for {base.runtime} {base.version}: {base.registry_image} cannot be pulled "
        f"and {base.bootstrap_tag} does not exist; build it without a registry with "
        f"`{_bootstrap_command(base)}`"
    )


def _bootstrap_command(base: BaseImage) -> str:
    """The ``rfsn sandbox bootstrap`` that builds ``base`` (``--python`` for a Debian Python)."""
    from rfsn.buildpacks.ecosystems import BUILTINS, ecosystem

    name = base.runtime if base.runtime in BUILTINS and base.runtime != "generic" else "<name>"
    images = ecosystem(name).images if name != "<name>" else None
    version = f" --python {base.version}" if name == "python" and images and base.version in images.versions else ""
    return f"rfsn sandbox bootstrap --buildpack {name}{version}"


@contextmanager
def _index(recipe: EnvRecipe, ca_bundle: Path | None) -> Iterator[dict[str, Any]]:
    """The build's extra arguments: none, or for a recipe with an ``index_date`` a loopback
    index as of that date, which the build reaches on the host's network."""
    if not recipe.index_date:
        yield {}
        return
    pinned = asof.pins([*recipe.steps, *(text for _, text in recipe.files)])
    with asofindex.serving(recipe.index_date, pinned, ca_bundle, floors=dict(recipe.floors)) as url:
        yield {"network_mode": "host", "buildargs": {"PIP_INDEX_URL": url, "PIP_TRUSTED_HOST": "127.0.0.1"}}


@dataclass(frozen=True)
class BuildOptions:
    """How an env image is obtained: none of it is part of its tag (the image it builds is the same).

    ``source``: where base images come from (``resolve_base``; with ``mirror``, a Debian mirror to
    bootstrap one from); ``shared``: a registry to pull the image from and push it to; ``checkout``:
    the repository holding the commit ``recipe.source`` names, when it names one; ``step_timeout``:
    seconds after which a step is killed and fails the build; ``compile_cache``: the project's
    install compiles through it (and through the repository's cache where the build runs on the
    host's network); ``home`` with ``mirror``: a build that lacked a system file is built again with
    the Debian package that ships it (``syspkgs``), and the next build of the recipe starts with it.
    """

    source: str
    ca_bundle: Path | None = None
    step_timeout: float | None = None
    checkout: Path | None = None
    mirror: str | None = None
    shared: str | None = None
    compile_cache: CompileCache | None = None
    home: Path | None = None


def ensure_env_image(client: Any, recipe: EnvRecipe, options: BuildOptions) -> str:
    """The tag of the env image for ``recipe``, built if no image has it yet and the ``shared``
    registry (if any) does not have it either, then pushed there."""
    from rfsn.sandbox import ccache

    base_ref = resolve_base(client, recipe.base, options.source, options.mirror, options.shared)
    compiler = ccache.digest(options.compile_cache.tools) if options.compile_cache is not None and recipe.source else ""
    built, retries = (syspkgs.recall(options.home, recipe) if options.home is not None else recipe), 0
    while True:
        try:
            tag = _ensure(client, EnvImage(built, base_ref, compiler), options)
            break
        except ImageError as exc:
            again = (
                syspkgs.remedy(built, exc.output, options.home, options.mirror, options.ca_bundle)
                if options.home is not None and options.mirror is not None and retries < syspkgs.RETRIES
                else None
            )
            if again is None and built.system_packages:
                added = ", ".join(name for name, _ in built.system_packages)
                raise ImageError(f"{exc} (with Debian packages {added} added)", output=exc.output) from exc
            if again is None:
                raise
            built, retries = again, retries + 1
    if options.home is not None:
        syspkgs.remember(options.home, recipe, built)
    return tag


def _ensure(client: Any, image: EnvImage, options: BuildOptions) -> str:
    """The image's tag, its image obtained from a registry, or built and pushed."""
    import docker.errors

    tag, recipe = image.tag, image.recipe
    if registry.obtain(client, options.shared, tag):
        SANDBOX_OPERATIONS.labels("docker", "env_image", "cached").inc()
        return tag
    log.info(
        "image.build",
        tag=tag,
        base=image.base_ref,
        steps=len(recipe.steps),
        index_date=recipe.index_date or None,
        system_packages=[name for name, _ in recipe.system_packages] or None,
    )
    started = time.monotonic()
    try:
        _build(client, image, tag, options)
    except ImageError:
        SANDBOX_OPERATIONS.labels("docker", "env_image", "error").inc()
        raise
    except docker.errors.APIError as exc:
        SANDBOX_OPERATIONS.labels("docker", "env_image", "error").inc()
        raise ImageError(f"building {tag} failed: {exc}") from exc
    SANDBOX_OPERATIONS.labels("docker", "env_image", "built").inc()
    SANDBOX_OPERATION_SECONDS.labels("docker", "env_image").observe(time.monotonic() - started)
    registry.push(client, options.shared, tag)
    return tag


def _build(client: Any, image: EnvImage, tag: str, options: BuildOptions) -> None:
    """Build ``image`` as ``tag``; ImageError naming the step that failed and why."""
    from rfsn.sandbox import ccache, ccachestore

    recipe, cache, output = image.recipe, options.compile_cache, list[str]()
    with _index(recipe, options.ca_bundle) as index, contextlib.ExitStack() as stack:
        if image.compiler and cache is not None and index.get("network_mode") == "host":
            url = stack.enter_context(
                ccachestore.serving(cache.store, options.checkout or cache.repo, recipe.source or cache.commit)
            )
            index["buildargs"] = {**index["buildargs"], ccache.BUILD_ARG: url}
        context = image.context(
            options.ca_bundle, options.step_timeout, options.checkout, cache.tools if cache else None
        )
        for chunk in client.api.build(
            fileobj=context,
            custom_context=True,
            tag=tag,
            rm=True,
            forcerm=True,
            decode=True,
            labels={MANAGED: "1"},
            **index,
        ):
            output.append(chunk.get("stream", "") or chunk.get("status", ""))
            if "error" in chunk:
                raise ImageError(
                    build_failure(tag, chunk["error"], "".join(output), options.step_timeout),
                    output=build_output("".join(output)),
                )
