"""The servers a project's CI starts for its tests: read from its workflows' test jobs and its
Compose file, known by image or name, on the port CI publishes."""

from __future__ import annotations

from pathlib import Path

from rfsn.buildpacks.ciservices import ci_services, start_command

WORKFLOW = """\
on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    services:
      cache: {image: "memcached:1.6", ports: ["11299:11211"]}
    steps:
      - run: ruff check .
  test:
    runs-on: ubuntu-latest
    services:
      redis:
        image: redis:7
        ports:
          - 6390:6379
      postgres:
        image: postgres:16
        env: {POSTGRES_USER: app, POSTGRES_PASSWORD: secret, POSTGRES_DB: appdb}
        ports: ["5499:5432"]
      mongo: {image: "mongo:7"}
    steps:
      - run: pytest tests
"""
COMPOSE = """\
services:
  stack:
    image: "redis/redis-stack-server:${TAG:-latest}"
    ports: ["127.0.0.1:6479:6379/tcp"]
  standalone:
    image: "example/client-libs-test:8"
    ports: ["${PORT:-6379}:6379"]
  redis:
    image: "example/client-libs-test:8"
    ports: [{target: 6379, published: 6379}]
  same-port:
    image: redis
    ports: ["6390:6379"]
"""


def _repo(root: Path, workflow: str = WORKFLOW, compose: str = COMPOSE) -> Path:
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text(workflow)
    (root / "docker-compose.yml").write_text(compose)
    return root


def test_the_services_of_test_jobs_and_compose_the_first_of_each_server_redis_py_2026(tmp_path: Path) -> None:
    found = ci_services(_repo(tmp_path))
    started = [(s.name, s.server, s.port, s.source) for s in found.started]
    assert started == [
        ("redis", "redis", 6390, ".github/workflows/ci.yml, job test"),
        ("postgres", "postgres", 5499, ".github/workflows/ci.yml, job test"),
    ]
    assert [(s.name, s.server, s.port) for s in found.others] == [
        ("stack", "redis", 6479),
        ("redis", "redis", 6379),  # known by its name; its image names no server
        ("same-port", "redis", 6390),
    ]  # one server of each kind: a plain Redis for a replica or a sentinel leaves tests waiting on it
    assert [(s.name, s.source) for s in found.unknown] == [
        ("mongo", ".github/workflows/ci.yml, job test"),
        ("standalone", "docker-compose.yml"),
    ]  # the lint job's memcached is no test job's
    why = "the project's CI starts service {} (.github/workflows/ci.yml, job test)"
    assert found.packages() == (("redis-server", why.format("redis")), ("postgresql", why.format("postgres")))
    command = start_command(found)
    assert command.startswith("(redis-server --port 6390 --daemonize yes") and command.endswith("exit ${failed:-0}")
    assert 'initdb" -D "$D" -U app' in command and 'createdb" -h localhost -p 5499 -U app appdb' in command
    assert found.notes()[-2].startswith("services not started: stack (docker-compose.yml), redis (docker-compose.yml)")
    assert found.notes()[-1].startswith("services not started: mongo (.github/workflows/ci.yml, job test), standalone")


TOX = """\
[tox]
envlist = standalone

[docker:master]
name = master
image = redisfab/redis-py:6.2.6
ports =
    6379:6379/tcp

[docker:redismod]
image = redislabs/redismod:edge
ports =
    36379:6379/tcp

[docker:replica]
image = redisfab/redis-py:6.2.6
ports =
    6380:6380/tcp
"""


def test_the_first_container_of_each_server_tox_docker_starts_redis_py_2022(tmp_path: Path) -> None:
    (tmp_path / "tox.ini").write_text(TOX)
    found = ci_services(tmp_path)
    assert [(s.name, s.port, s.source) for s in found.started] == [("master", 6379, "tox.ini [docker:master]")]
    assert [s.name for s in found.others] == ["replica"]  # a plain Redis on 6380 would be no replica
    assert [s.name for s in found.unknown] == ["redismod"]  # a server of its own, not Debian's


def test_nothing_declared_nothing_read(tmp_path: Path) -> None:
    assert ci_services(tmp_path) == ci_services(_repo(tmp_path / "r", "jobs: [broken\n", "- a\n- list\n"))
    assert start_command(ci_services(tmp_path)) == ""
