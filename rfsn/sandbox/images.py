"""Layered, content-addressed images: base (runtime) -> env (dependencies).

The env image's tag is a hash of its recipe (see ``EnvRecipe.key``), so repos
with the same dependencies share it and any change forces a rebuild. Base
images come from the registry or, where none answers, from ``bootstrap``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shlex
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rfsn.buildpacks.base import BUILD_NOTES, BaseImage, EnvRecipe
from rfsn.errors import ImageError
from rfsn.fsutil import held
from rfsn.observability.logging import get_logger
from rfsn.observability.metrics import SANDBOX_OPERATION_SECONDS, SANDBOX_OPERATIONS
from rfsn.sandbox import asof, asofindex, registry, syspkgs
from rfsn.sandbox.buildlog import build_failure, build_output
from rfsn.sandbox.labels import MANAGED
from rfsn.sandbox.layout import CA_PATH, ENV_ROOT
from rfsn.sandbox.registry import image_exists
from rfsn.sandbox.sourcetree import source_tree

if TYPE_CHECKING:
    from rfsn.sandbox.ccache import CompileCache

CA_VARIABLES = (
    "PIP_CERT",
    "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "CURL_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "CARGO_HTTP_CAINFO",
    "GIT_SSL_CAINFO",
)
log = get_logger(__name__)


def ca_environment() -> dict[str, str]:
    return dict.fromkeys(CA_VARIABLES, CA_PATH)


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
    from rfsn.buildpacks import BUILTINS
    from rfsn.buildpacks.python.pyrecipe import DEBIAN_PYTHON

    name = base.runtime if base.runtime in BUILTINS else "<name>"
    version = f" --python {base.version}" if name == "python" and base.version in DEBIAN_PYTHON else ""
    return f"rfsn sandbox bootstrap --buildpack {name}{version}"


def dockerfile(
    recipe: EnvRecipe, base_ref: str, with_ca: bool, step_timeout: float | None = None, compiler: str = ""
) -> str:
    """The Dockerfile of the env image; each step killed after ``step_timeout`` seconds. With
    ``compiler`` (the compile cache's tools, ``ccache.digest``) the steps that install the project
    from its tree compile through ccache into the image's cache (``ccache.IMAGE_STORE``)."""
    from rfsn.sandbox import ccache

    lines = [f"FROM {base_ref}", f"ENV RFSN_ENV={ENV_ROOT}"]
    if with_ca:
        lines.append(f"COPY ca.crt {CA_PATH}")
        lines.append("ENV " + " ".join(f"{k}={v}" for k, v in ca_environment().items()))
    if recipe.system_packages:  # found by an earlier build that lacked them (``syspkgs``)
        lines.append(f"RUN {_limited(syspkgs.apt_step(recipe.system_packages), step_timeout)}")
    if recipe.files:
        lines.append(f"COPY files/ {ENV_ROOT}/files/")
    if recipe.python_archive:  # ADD unpacks a local tar: its python/ lands at /opt/python
        lines.append("ADD python.tar.gz /opt/")
    if recipe.env:
        lines.append("ENV " + " ".join(f"{k}={_quote(v)}" for k, v in recipe.env))
    if recipe.index_date:  # the loopback index's URL (its port may change): an ARG, unhashed
        lines.append(f"# packages as PyPI had them before {recipe.index_date}")
        lines += [f"# {name}: at least its first release after {day}" for name, day in recipe.floors]
        lines.append("ARG PIP_INDEX_URL PIP_TRUSTED_HOST")
    copied = not recipe.source
    compiler = compiler if recipe.source else ""
    for step in recipe.steps:
        if not copied and "$RFSN_ENV/src" in step:
            # the project's tree comes just before the first step that reads it, so recipes that
            # differ only in the commit share the build's cached layers up to there
            if compiler:  # the repository's cache's URL (a loopback port): an ARG, unhashed
                lines += [f"# compile cache {compiler}", f"COPY ccache/ {ccache.TOOLS}/", f"ARG {ccache.BUILD_ARG}"]
            lines.append(f"COPY src/ {ENV_ROOT}/src/")
            copied = True
        run = _limited(f"set -e; {step}", step_timeout)
        lines.append(f"RUN {ccache.build_step(run) if compiler and '$RFSN_ENV/src' in step else run}")
    if not copied:
        lines.append(f"COPY src/ {ENV_ROOT}/src/")
    if recipe.index_date:  # what the index served from after its date, for the report
        fetch = (
            "import os, urllib.request; print(urllib.request.urlopen(os.environ['PIP_INDEX_URL']"
            f".rsplit('/simple', 1)[0] + {asof.LATER_PATH!r}).read().decode(), end='')"
        )
        lines.append(f"RUN python3 -c {shlex.quote(fetch)} >> {BUILD_NOTES}")
    lines.append(f"RUN mkdir -p {ENV_ROOT} && chmod -R a+rwX {ENV_ROOT}")
    lines.append(f'LABEL {MANAGED}="1" rfsn.recipe="{recipe.key()}" rfsn.buildpack="{recipe.buildpack}"')
    return "\n".join(lines) + "\n"


def _limited(script: str, seconds: float | None) -> str:
    if seconds is None:
        return script
    return f"timeout -k 10 {seconds:g} sh -c {shlex.quote(script)}"


def _quote(value: str) -> str:
    """Double quotes: Dockerfile ENV expands ``$RFSN_ENV`` inside them, not inside single ones."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _context(
    recipe: EnvRecipe,
    base_ref: str,
    ca_bundle: Path | None,
    step_timeout: float | None,
    checkout: Path | None = None,
    tools: Path | None = None,
    compiler: str = "",
) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:

        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))

        add("Dockerfile", dockerfile(recipe, base_ref, ca_bundle is not None, step_timeout, compiler).encode())
        if compiler and tools is not None:
            tar.add(str(tools), arcname="ccache")
        if ca_bundle is not None:
            add("ca.crt", ca_bundle.read_bytes())
        for name, text in recipe.files:
            add(f"files/{name}", text.encode())
        if recipe.python_archive:
            if recipe.python_archive_path is None or not recipe.python_archive_path.is_file():
                raise ImageError(f"the Python archive {recipe.python_archive_path} is gone")
            tar.add(str(recipe.python_archive_path.resolve()), arcname="python.tar.gz")  # a link: its file
        if recipe.source:
            with tarfile.open(fileobj=io.BytesIO(source_tree(checkout, recipe.source))) as tree:
                for member in tree.getmembers():
                    tar.addfile(member, tree.extractfile(member) if member.isfile() else None)
    buffer.seek(0)
    return buffer


def env_image_tag(recipe: EnvRecipe, base_ref: str, compiler: str = "") -> str:
    """Hash of everything that produces the image: the Dockerfile (with its base and the compile
    cache's tools), the files and the commit of the project's tree it installs."""
    payload = (
        dockerfile(recipe, base_ref, with_ca=False, compiler=compiler)
        + json.dumps(recipe.files)
        + recipe.source
        + recipe.python_archive
    )
    return f"rfsn/env-{recipe.buildpack}:{hashlib.sha256(payload.encode()).hexdigest()[:16]}"


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


def ensure_env_image(
    client: Any,
    recipe: EnvRecipe,
    source: str,
    ca_bundle: Path | None,
    step_timeout: float | None = None,
    checkout: Path | None = None,
    mirror: str | None = None,
    shared: str | None = None,
    compile_cache: CompileCache | None = None,
    home: Path | None = None,
) -> str:
    """The env image for ``recipe``, built if no image has its tag yet and the ``shared``
    registry (if any) does not have it either, then pushed there (``checkout`` holds the commit
    ``recipe.source`` names, when it names one; ``mirror``: see ``resolve_base``; with
    ``compile_cache`` the project's install compiles through it, and through the repository's
    cache where the build runs on the host's network). With ``home`` and ``mirror``, a build
    that lacked a system file is built again with the Debian package that ships it (``syspkgs``).

    A step that runs past ``step_timeout`` seconds is killed and fails the build
    (the limit is not part of the tag: the image it builds is the same).
    """
    from rfsn.sandbox import ccache

    base_ref = resolve_base(client, recipe.base, source, mirror, shared)
    compiler = ccache.digest(compile_cache.tools) if compile_cache is not None and recipe.source else ""
    built, retries = (syspkgs.recall(home, recipe) if home is not None else recipe), 0
    while True:
        try:
            tag = _ensure(client, built, base_ref, ca_bundle, step_timeout, checkout, shared, compile_cache, compiler)
            break
        except ImageError as exc:
            again = (
                syspkgs.remedy(built, exc.output, home, mirror, ca_bundle)
                if home is not None and mirror is not None and retries < syspkgs.RETRIES
                else None
            )
            if again is None and built.system_packages:
                added = ", ".join(name for name, _ in built.system_packages)
                raise ImageError(f"{exc} (with Debian packages {added} added)", output=exc.output) from exc
            if again is None:
                raise
            built, retries = again, retries + 1
    if home is not None:
        syspkgs.remember(home, recipe, built)
    return tag


def _ensure(
    client: Any,
    recipe: EnvRecipe,
    base_ref: str,
    ca_bundle: Path | None,
    step_timeout: float | None,
    checkout: Path | None,
    shared: str | None,
    compile_cache: CompileCache | None,
    compiler: str,
) -> str:
    """The env image of ``recipe`` on ``base_ref``: obtained from a registry, or built and pushed."""
    import docker.errors

    tag = env_image_tag(recipe, base_ref, compiler)
    if registry.obtain(client, shared, tag):
        SANDBOX_OPERATIONS.labels("docker", "env_image", "cached").inc()
        return tag
    log.info(
        "image.build",
        tag=tag,
        base=base_ref,
        steps=len(recipe.steps),
        index_date=recipe.index_date or None,
        system_packages=[name for name, _ in recipe.system_packages] or None,
    )
    started = time.monotonic()
    try:
        _build(client, recipe, tag, base_ref, ca_bundle, step_timeout, checkout, compile_cache, compiler)
    except ImageError:
        SANDBOX_OPERATIONS.labels("docker", "env_image", "error").inc()
        raise
    except docker.errors.APIError as exc:
        SANDBOX_OPERATIONS.labels("docker", "env_image", "error").inc()
        raise ImageError(f"building {tag} failed: {exc}") from exc
    SANDBOX_OPERATIONS.labels("docker", "env_image", "built").inc()
    SANDBOX_OPERATION_SECONDS.labels("docker", "env_image").observe(time.monotonic() - started)
    registry.push(client, shared, tag)
    return tag


def _build(
    client: Any,
    recipe: EnvRecipe,
    tag: str,
    base_ref: str,
    ca_bundle: Path | None,
    step_timeout: float | None,
    checkout: Path | None,
    compile_cache: CompileCache | None,
    compiler: str,
) -> None:
    """Build the image ``tag`` of ``recipe``; ImageError naming the step that failed and why."""
    from rfsn.sandbox import ccache, ccachestore

    output: list[str] = []
    with _index(recipe, ca_bundle) as index, contextlib.ExitStack() as stack:
        if compiler and compile_cache is not None and index.get("network_mode") == "host":
            url = stack.enter_context(
                ccachestore.serving(
                    compile_cache.store, checkout or compile_cache.repo, recipe.source or compile_cache.commit
                )
            )
            index["buildargs"] = {**index["buildargs"], ccache.BUILD_ARG: url}
        for chunk in client.api.build(
            fileobj=_context(
                recipe,
                base_ref,
                ca_bundle,
                step_timeout,
                checkout,
                compile_cache.tools if compile_cache else None,
                compiler,
            ),
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
                    build_failure(tag, chunk["error"], "".join(output), step_timeout),
                    output=build_output("".join(output)),
                )
