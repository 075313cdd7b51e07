"""The Docker daemon as rfsn uses it: a client that answered, the containers rfsn created,
and the removal of those whose owning process is gone."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from rfsn.errors import DockerUnavailable, SandboxError
from rfsn.sandbox import labels


def connect(timeout: float = 3600.0) -> Any:
    """A docker client whose daemon answered a ping; DockerUnavailable otherwise."""
    import docker
    import docker.errors

    client = None
    try:
        client = docker.from_env(timeout=int(timeout))
        client.ping()
    except (docker.errors.DockerException, OSError) as exc:
        if client is not None:
            client.close()
        raise DockerUnavailable(f"no Docker daemon answers: {str(exc).splitlines()[0][:200]}") from exc
    return client


@dataclass(frozen=True)
class Managed:
    """A container rfsn created, as listed (no inspect: it may be gone a moment later)."""

    id: str
    name: str
    labels: dict[str, str]


def managed(client: Any) -> list[Managed]:
    """Every container carrying rfsn's label, from one sparse list call."""
    return [
        Managed(c.id, (c.attrs.get("Names") or [c.id[:12]])[0].lstrip("/"), c.attrs.get("Labels") or {})
        for c in client.containers.list(all=True, sparse=True, filters={"label": labels.MANAGED})
    ]


def prune(client: Any, everything: bool = False, run: str | None = None) -> list[str]:
    """Remove rfsn containers whose owning process is gone (or all of them); of one run if given."""
    import docker.errors

    removed = []
    for container in managed(client):
        if run is not None and container.labels.get(labels.RUN) != run:
            continue
        if everything or not labels.owner_alive(container.labels):
            try:
                client.api.remove_container(container.id, force=True, v=True)
            except docker.errors.NotFound:
                continue  # its owner removed it meanwhile
            except docker.errors.APIError as exc:
                if exc.status_code == 409:  # another process is removing it ("already in progress")
                    continue
                raise SandboxError(f"cannot remove container {container.name}: {exc.explanation or exc}") from exc
            removed.append(container.name)
    return removed


def remove_left(run: str, wait: float) -> list[str]:
    """Remove the containers that other processes of ``run`` (its workers) left when they were
    ended the hard way, waiting up to ``wait`` seconds for those still ending to be gone."""
    try:
        client = connect(timeout=60)
    except DockerUnavailable:
        return []  # no daemon: nothing of ours runs in it
    try:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and any(
            c.labels.get(labels.RUN) == run
            and c.labels.get(labels.PID) != str(os.getpid())
            and labels.owner_alive(c.labels)
            for c in managed(client)
        ):
            time.sleep(0.2)
        return prune(client, run=run)
    finally:
        client.close()
