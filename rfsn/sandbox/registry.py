"""Images shared through a registry (``RFSN_REGISTRY`` / ``--registry HOST:PORT/PREFIX``).

An image rfsn builds (base, env, setup snapshot) is content-addressed: its tag is the hash of
what produced it. With a registry, a tag that is not on this host is pulled from
``HOST:PORT/PREFIX/<repository>:<tag>`` before anything builds it, and an image built here is
pushed there under the same tag, so a cluster builds each image once. Without one, nothing
here runs. An image found on this host that the registry lacks is pushed there too (``obtain``),
whoever made it. A registry that stops answering mid-run costs the sharing, never the run: a failed
pull builds, a failed push keeps the image local.
"""

from __future__ import annotations

import contextlib
import http.client
import time
from typing import Any

from rfsn.errors import ConfigError
from rfsn.observability.logging import get_logger
from rfsn.observability.metrics import SANDBOX_OPERATION_SECONDS, SANDBOX_OPERATIONS

log = get_logger(__name__)
_known: set[tuple[str, str]] = set()  # (registry, tag): checked in, or pulled from, the registry
#: seconds the start-up check waits for the registry to accept a connection
ANSWER_TIMEOUT = 5.0


def remote(registry: str, tag: str) -> tuple[str, str]:
    """The registry's repository and tag for the local ``tag`` (``rfsn/env-python:ab12``)."""
    repository, _, version = tag.rpartition(":")
    return f"{registry.rstrip('/')}/{repository}", version


def check(registry: str, timeout: float = ANSWER_TIMEOUT) -> None:
    """ConfigError unless ``registry``'s HOST:PORT answers an HTTP request for ``/v2/`` (any
    status: a TLS registry's refusal of plain HTTP is an answer too) within ``timeout``."""
    address = registry.split("/", 1)[0]
    host, _, port = address.rpartition(":")
    connection = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=timeout)
    try:
        connection.request("GET", "/v2/")
        connection.getresponse().close()
    except (OSError, http.client.HTTPException) as exc:
        cause = (
            f"no answer within {timeout:g}s"
            if isinstance(exc, TimeoutError)
            else getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        )
        raise ConfigError(
            f"the registry {address} does not answer ({cause}): start it, or leave out --registry (RFSN_REGISTRY)"
        ) from exc
    finally:
        connection.close()


def image_exists(client: Any, tag: str) -> bool:
    import docker.errors

    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def obtain(client: Any, registry: str | None, tag: str) -> bool:
    """Whether ``tag`` is on this host: found here, or pulled from ``registry``. One found here
    that the registry lacks (made before a registry was named) is pushed there, so another node
    pulls it too; the registry is asked until it has the tag, then no more in this process."""
    if not image_exists(client, tag):
        return pull(client, registry, tag)
    if registry is not None and (registry, tag) not in _known:
        if _listed(client, registry, tag):
            _known.add((registry, tag))
        else:
            push(client, registry, tag)  # known once pushed: a failed push is tried again
    return True


def _listed(client: Any, registry: str, tag: str) -> bool:
    """Whether ``registry`` has ``tag`` (asked through the daemon, as a pull would be)."""
    import docker.errors

    repository, version = remote(registry, tag)
    try:
        client.api.inspect_distribution(f"{repository}:{version}")
    except docker.errors.APIError:
        return False
    return True


def pull(client: Any, registry: str | None, tag: str) -> bool:
    """Whether ``tag`` is on this host now, pulled from ``registry`` (False: no registry, or it
    does not have the tag, or does not answer; then the caller builds)."""
    import docker.errors

    if registry is None:
        return False
    repository, version = remote(registry, tag)
    started = time.monotonic()
    local, _, local_version = tag.rpartition(":")
    try:
        client.images.pull(repository, tag=version).tag(local, local_version)
    except docker.errors.NotFound:
        log.info("image.registry_miss", image=tag, registry=registry)
        return False
    except docker.errors.APIError as exc:
        log.warning("image.pull_failed", image=tag, registry=registry, error=str(exc)[:300])
        SANDBOX_OPERATIONS.labels("docker", "registry_pull", "error").inc()
        return False
    finally:  # one name per image here; another process pulling the same tag may have removed it
        with contextlib.suppress(docker.errors.ImageNotFound):
            client.images.remove(f"{repository}:{version}", noprune=True)
    seconds = time.monotonic() - started
    _known.add((registry, tag))
    SANDBOX_OPERATIONS.labels("docker", "registry_pull", "pulled").inc()
    SANDBOX_OPERATION_SECONDS.labels("docker", "registry_pull").observe(seconds)
    log.info("image.pulled", image=tag, registry=registry, seconds=round(seconds, 2))
    return True


def push(client: Any, registry: str | None, tag: str) -> bool:
    """Push the local ``tag`` to ``registry`` under the same tag; whether it is there now."""
    import docker.errors

    if registry is None:
        return False
    repository, version = remote(registry, tag)
    started = time.monotonic()
    error = None
    try:
        client.images.get(tag).tag(repository, version)
        for chunk in client.api.push(repository, tag=version, stream=True, decode=True):
            error = error or chunk.get("error")
    except docker.errors.APIError as exc:
        error = str(exc)
    finally:
        with contextlib.suppress(docker.errors.ImageNotFound):  # the tag above failed
            client.images.remove(f"{repository}:{version}", noprune=True)
    if error is not None:
        log.warning("image.push_failed", image=tag, registry=registry, error=str(error)[:300])
        SANDBOX_OPERATIONS.labels("docker", "registry_push", "error").inc()
        return False
    seconds = time.monotonic() - started
    _known.add((registry, tag))
    SANDBOX_OPERATIONS.labels("docker", "registry_push", "pushed").inc()
    SANDBOX_OPERATION_SECONDS.labels("docker", "registry_push").observe(seconds)
    log.info("image.pushed", image=tag, registry=registry, seconds=round(seconds, 2))
    return True
