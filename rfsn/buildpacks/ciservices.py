"""The servers a project's CI starts for its tests (a GitHub Actions job's ``services:``, a
Compose file's ``services:``, tox-docker's ``[docker:NAME]`` sections), and which of them the
sandbox can start itself.

A suite written against a server (a Redis on localhost:6379) fails test after test on a
connection refused without it; CI gets the server from a container registry, which the sandbox
has not. Debian ships some servers: a service is known by the first word of its image's name,
else by its own name, and one that Debian ships is installed in the env image and started in the
sandbox on the port CI publishes (its default without one); one it does not is named in the
report as not started, and why. One server of each kind starts, the first declared: a plain
server in place of a replica, sentinel or cluster node leaves tests waiting on it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from rfsn.buildpacks.cienv import load_workflow, test_jobs
from rfsn.buildpacks.python.toxconfig import tox_ini

#: a server Debian ships: its package, its default port, and how it starts in the background on
#: ``{port}`` as whichever user the sandbox runs (its files under /tmp)
SERVERS: dict[str, tuple[str, int, str]] = {
    "redis": (
        "redis-server",
        6379,
        "redis-server --port {port} --daemonize yes --dir /tmp --save '' --appendonly no "
        "--pidfile /tmp/rfsn-redis-{port}.pid --logfile /tmp/rfsn-redis-{port}.log",
    ),
    "memcached": ("memcached", 11211, 'memcached -d -l 127.0.0.1 -p {port} -u "$(id -un)"'),
    # a cluster of its own under /tmp, its superuser and database those the service's environment
    # names (the image's defaults: postgres, and the user's name), any password accepted
    "postgres": (
        "postgresql",
        5432,
        "B=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1) && D=/tmp/rfsn-postgres-{port} && "
        '"$B/initdb" -D "$D" -U {user} --auth=trust >/dev/null && '
        '"$B/pg_ctl" -D "$D" -l "$D.log" -w -o "-p {port} -k /tmp -c listen_addresses=localhost" start '
        '>/dev/null && {{ [ {db} = postgres ] || "$B/createdb" -h localhost -p {port} -U {user} {db}; }}',
    ),
}
#: the variables of the images' own that name a server's superuser and database
_USER, _DB = ("POSTGRES_USER",), ("POSTGRES_DB",)
COMPOSE_FILES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")
_WORD = re.compile(r"[a-z0-9]+")


class Service(BaseModel):
    """One server CI declares: its name there, the server it is (None: none Debian ships), the
    port it is reached on, and the file that declares it."""

    model_config = ConfigDict(frozen=True)

    name: str
    server: str | None
    port: int
    source: str
    env: dict[str, str] = {}

    def package(self) -> tuple[str, str]:
        """(Debian package, why), for the env recipe's system packages."""
        assert self.server is not None
        return SERVERS[self.server][0], f"the project's CI starts service {self.name} ({self.source})"

    def start(self) -> str:
        """The shell command that starts it in the background."""
        assert self.server is not None
        user = next((self.env[k] for k in _USER if k in self.env), "postgres")
        db = next((self.env[k] for k in _DB if k in self.env), user)
        return SERVERS[self.server][2].format(port=self.port, user=shlex.quote(user), db=shlex.quote(db))


class Services(BaseModel):
    """The services CI declares: those the sandbox starts, and those it cannot."""

    model_config = ConfigDict(frozen=True)

    started: tuple[Service, ...] = ()
    others: tuple[Service, ...] = ()
    unknown: tuple[Service, ...] = ()

    def packages(self) -> tuple[tuple[str, str], ...]:
        """(Debian package, why) of each server started, once each (why: the first service)."""
        first: dict[str, tuple[str, str]] = {}
        for service in self.started:
            first.setdefault(service.package()[0], service.package())
        return tuple(first.values())

    def notes(self, why_not: str = "") -> tuple[str, ...]:
        """Lines for the report; ``why_not``: why none is started in this sandbox."""
        said = [
            f"service {s.name} ({s.source}): {SERVERS[s.server][0] if s.server else ''} "
            + (f"not started: {why_not}" if why_not else f"started on port {s.port}")
            for s in self.started
        ]
        if self.others:
            names = ", ".join(f"{s.name} ({s.source})" for s in self.others)
            said.append(f"services not started: {names}: one server of each kind starts, the first declared")
        if self.unknown:
            names = ", ".join(f"{s.name} ({s.source})" for s in self.unknown)
            said.append(f"services not started: {names}: no Debian server rfsn starts ({', '.join(SERVERS)})")
        return tuple(said)


def ci_services(repo: Path) -> Services:
    """The services of the workflows' test jobs, of the root Compose file and of tox-docker: the
    first declared of each server, the others, and those of no server Debian ships."""
    found: dict[str, Service] = {}
    others: dict[str, Service] = {}
    unknown: dict[str, Service] = {}
    for service in _declared(repo):
        if service.server is None:
            unknown.setdefault(service.name, service)
        elif found.setdefault(service.server, service) is not service:
            others.setdefault(service.name, service)
    return Services(started=tuple(found.values()), others=tuple(others.values()), unknown=tuple(unknown.values()))


def _declared(repo: Path) -> Iterator[Service]:
    yield from _workflows_and_compose(repo)
    tox, where = tox_ini(repo)
    for section in tox.sections():  # tox-docker's containers: ``[docker:NAME]`` with image, ports
        if section.startswith("docker:"):
            ports = tox.get(section, "ports", fallback="").split()
            env = tox.get(section, "environment", fallback="").split()
            spec = {"image": tox.get(section, "image", fallback=""), "ports": ports, "environment": env}
            yield _service(section.split(":", 1)[1], spec, f"{where} [{section}]")


def _workflows_and_compose(repo: Path) -> Iterator[Service]:
    files = sorted((repo / ".github" / "workflows").glob("*.y*ml"))
    for path in [*files, *(repo / name for name in COMPOSE_FILES)]:
        if path.is_symlink() or not path.is_file():  # a link may lead out of the repository
            continue
        where = str(path.relative_to(repo))
        document = load_workflow(path)
        if path.parent.name == "workflows":
            scopes = [(f"{where}, job {name}", job.get("services")) for name, job in test_jobs(document)]
        else:
            scopes = [(where, document.get("services") if isinstance(document, dict) else None)]
        for source, services in scopes:
            if isinstance(services, dict):
                yield from (_service(str(k), v, source) for k, v in services.items() if isinstance(v, dict))


def _service(name: str, spec: dict[str, Any], source: str) -> Service:
    image = spec.get("image")
    repository = image if isinstance(image, str) else ""
    repository = repository.rsplit("/", 1)[-1].split(":", 1)[0].lower()
    words = [_WORD.match(word) for word in (repository, name.lower())]
    server = next((w.group() for w in words if w and w.group() in SERVERS), None)
    default = SERVERS[server][1] if server else 0
    port = _published(spec.get("ports"), default)
    return Service(name=name, server=server, port=port, source=source, env=_environment(spec))


def _environment(spec: dict[str, Any]) -> dict[str, str]:
    """The service's literal variables (``env``, ``environment``: a mapping or ``K=V`` lines)."""
    given = spec.get("env", spec.get("environment"))
    pairs = given.items() if isinstance(given, dict) else (str(v).partition("=")[::2] for v in given or ())
    return {str(k): v for k, v in pairs if isinstance(v, str) and v and "$" not in v}


def _published(ports: Any, default: int) -> int:
    """The host port of the first ``ports`` entry ("6379:6379", "127.0.0.1:6379:6379", "6379",
    {published: 6379}), else ``default`` (a port GitHub or the shell computes is not known)."""
    first = ports[0] if isinstance(ports, list) and ports else None
    if isinstance(first, dict):
        first = first.get("published")
    parts = str(first).split("/", 1)[0].split(":") if first is not None else []
    host = parts[-2] if len(parts) >= 2 else (parts[0] if parts else "")
    return int(host) if host.isdigit() and 0 < int(host) < 65536 else default


def start_command(services: Services) -> str:
    """One shell command that starts every service the sandbox starts, each whatever the others
    did, and fails if one did ("" when none)."""
    if not services.started:
        return ""
    return "".join(f"({service.start()}) || failed=1; " for service in services.started) + "exit ${failed:-0}"
