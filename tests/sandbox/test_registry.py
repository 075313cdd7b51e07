"""Images shared through a registry: what one run built and pushed, the next pulls instead of
building; another content hash is built; no registry, or one gone, never stops a run."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from structlog.testing import capture_logs

from rfsn.buildpacks.base import BaseImage, EnvRecipe
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.cli import main
from rfsn.errors import ConfigError
from rfsn.sandbox import open_sandbox, registry
from rfsn.sandbox.bootstrap import bootstrap
from rfsn.sandbox.images import BuildOptions, ensure_env_image, resolve_base
from rfsn.sandbox.registry import image_exists
from rfsn.settings import Settings
from tests.sandbox import tiny
from tests.sandbox.projects import PASSING, make_project


def events(logs: list[dict[str, Any]], name: str) -> list[str]:
    return [e.get("image") or e.get("tag") for e in logs if e["event"] == name]


@pytest.fixture
def made(docker_client: Any) -> Iterator[list[str]]:
    """Tags a test makes here; removed after it."""
    tags: list[str] = []
    yield tags
    for tag in tags:
        with contextlib.suppress(Exception):
            docker_client.images.remove(tag, force=True)


def _recipe(base: BaseImage) -> EnvRecipe:
    """An env recipe on ``base`` no other test has: a fresh content hash."""
    return EnvRecipe(
        buildpack="python", base=base, steps=(f"mkdir -p $RFSN_ENV && echo {uuid.uuid4().hex} > $RFSN_ENV/nonce",)
    )


@pytest.mark.docker
def test_an_env_image_built_and_pushed_then_removed_here_is_pulled_not_rebuilt(
    docker_client: Any, tiny_base: BaseImage, loopback_registry: str, made: list[str]
) -> None:
    recipe, source = _recipe(tiny_base), Settings().base_image_source
    with capture_logs() as first:
        tag = ensure_env_image(docker_client, recipe, BuildOptions(source, shared=loopback_registry))
    made.append(tag)
    base = recipe.base.bootstrap_tag  # found here, not in the registry: pushed too
    assert events(first, "image.build") == [tag] and events(first, "image.pushed") == [base, tag]
    built = docker_client.images.get(tag).id
    docker_client.images.remove(tag)
    assert not image_exists(docker_client, tag)

    with capture_logs() as second:
        assert ensure_env_image(docker_client, recipe, BuildOptions(source, shared=loopback_registry)) == tag
    assert events(second, "image.pulled") == [tag] and events(second, "image.build") == []
    assert docker_client.images.get(tag).id == built  # the very image, so its snapshots' keys hold
    remote, version = registry.remote(loopback_registry, tag)
    assert not image_exists(docker_client, f"{remote}:{version}")  # one name per image here

    other = _recipe(tiny_base)
    with capture_logs() as third:
        new = ensure_env_image(docker_client, other, BuildOptions(source, shared=loopback_registry))
    made.append(new)
    assert new != tag and events(third, "image.registry_miss") == [new]
    assert events(third, "image.build") == [new]


@pytest.mark.docker
def test_images_made_before_a_registry_was_named_are_pushed_by_the_first_run_that_finds_them(
    docker_client: Any, loopback_registry: str, made: list[str]
) -> None:
    """A node that has an image (a base bootstrapped, an env built, without a registry) shares
    it once a registry is named, so no other node builds it again (the second-daemon cluster
    run rebuilt the bases and envs its first node already had)."""
    base = tiny.fresh(docker_client)
    made.append(base.bootstrap_tag)
    recipe, source = _recipe(base), Settings().base_image_source
    tag = ensure_env_image(docker_client, recipe, BuildOptions(source))  # no registry yet
    made.append(tag)

    with capture_logs() as logs:
        assert ensure_env_image(docker_client, recipe, BuildOptions(source, shared=loopback_registry)) == tag
    assert events(logs, "image.pushed") == [base.bootstrap_tag, tag] and events(logs, "image.build") == []
    with capture_logs() as again:  # asked once per process
        ensure_env_image(docker_client, recipe, BuildOptions(source, shared=loopback_registry))
    assert events(again, "image.pushed") == []
    for each in (tag, base.bootstrap_tag):
        docker_client.images.remove(each)
    with capture_logs() as elsewhere:
        assert ensure_env_image(docker_client, recipe, BuildOptions(source, shared=loopback_registry)) == tag
    assert events(elsewhere, "image.pulled") == [base.bootstrap_tag, tag]
    assert events(elsewhere, "image.build") == []


@pytest.mark.docker
def test_two_nodes_building_the_same_new_image_at_once_both_succeed_with_one_tag(
    docker_client: Any, second_docker: Any, tiny_base: BaseImage, loopback_registry: str, made: list[str]
) -> None:
    """Two daemons that miss the same env image at the same moment both build it (or one pulls
    what the other pushed first) and push the same content-addressed tag: each run gets its
    image, the registry keeps one of the builds, and a third host pulls that one."""
    recipe, source = _recipe(tiny_base), Settings().base_image_source
    base = recipe.base.bootstrap_tag
    assert registry.obtain(docker_client, loopback_registry, base)  # the base is shared first
    assert registry.obtain(second_docker, loopback_registry, base)
    start = threading.Barrier(2)
    tags: dict[int, str] = {}
    errors: list[BaseException] = []

    def ensure(n: int, client: Any) -> None:
        try:
            start.wait(timeout=60)
            tags[n] = ensure_env_image(client, recipe, BuildOptions(source, shared=loopback_registry))
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    with capture_logs() as logs:
        threads = [threading.Thread(target=ensure, args=(n, c)) for n, c in enumerate((docker_client, second_docker))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=900)
    made.extend(tags.values())
    assert errors == [] and len(tags) == 2 and tags[0] == tags[1], (errors, tags)
    tag = tags[0]
    # each got it by a build, or (one that finished first pushing before the other asked) a pull
    built_here, pulled = events(logs, "image.build"), events(logs, "image.pulled")
    assert built_here and sorted(built_here + pulled) == [tag, tag], (built_here, pulled)
    assert events(logs, "image.pushed") == built_here
    built = {docker_client.images.get(tag).id, second_docker.images.get(tag).id}
    docker_client.images.remove(tag)
    assert registry.pull(docker_client, loopback_registry, tag)
    assert docker_client.images.get(tag).id in built  # the registry holds one of the two


@pytest.mark.docker
def test_a_bootstrapped_base_in_the_registry_is_pulled_before_any_debootstrap(
    docker_client: Any, loopback_registry: str, made: list[str]
) -> None:
    base = tiny.fresh(docker_client)
    made.append(base.bootstrap_tag)
    assert registry.push(docker_client, loopback_registry, base.bootstrap_tag)
    docker_client.images.remove(base.bootstrap_tag)

    with capture_logs() as logs:
        assert resolve_base(docker_client, base, "bootstrap", None, loopback_registry) == base.bootstrap_tag
    assert events(logs, "image.pulled") == [base.bootstrap_tag]
    docker_client.images.remove(base.bootstrap_tag)
    # rfsn sandbox bootstrap: pulled, not built (no debootstrap runs: the mirror is never asked)
    assert bootstrap(docker_client, base, "http://127.0.0.1:9/none", shared=loopback_registry) == (
        base.bootstrap_tag,
        False,
    )


@pytest.mark.docker
@pytest.mark.usefixtures("no_container_left")
def test_a_setup_snapshot_pushed_by_one_host_is_restored_by_the_next_without_running_the_setup(
    tmp_path: Path,
    tiny_base: BaseImage,
    docker_settings: Settings,
    docker_client: Any,
    loopback_registry: str,
    made: list[str],
) -> None:
    class Counting(PythonBuildpack):
        def env_recipe(self, repo: Path) -> EnvRecipe:
            return EnvRecipe(buildpack="python", base=tiny_base)

        def setup_commands(self, repo: Path) -> list[list[str]]:
            return [["sh", "-c", 'echo run >> "$RFSN_ENV/setup-runs"; echo made > built.txt']]

    repo = make_project(tmp_path / "p", PASSING)
    settings = docker_settings.model_copy(update={"registry": loopback_registry})
    with capture_logs() as first, open_sandbox(repo, Counting(), settings, "docker"):
        pass
    pushed = [tag for tag in events(first, "image.pushed") if tag.startswith("rfsn/setup:")]
    assert len(pushed) == 1
    made.extend(pushed)
    docker_client.images.remove(pushed[0])
    subprocess.run(["git", "-C", str(repo), "clean", "-qffdx"], check=True)

    with capture_logs() as second, open_sandbox(repo, Counting(), settings, "docker") as box:
        runs = box.exec(["cat", "/opt/rfsn/setup-runs"], timeout=30).output
    assert events(second, "image.pulled") == pushed
    assert runs == "run\n" and (repo / "built.txt").read_text() == "made\n"  # restored, not run


@pytest.mark.docker
def test_a_registry_gone_mid_run_costs_the_sharing_never_the_build(
    docker_client: Any, tiny_base: BaseImage, made: list[str]
) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        gone = f"127.0.0.1:{probe.getsockname()[1]}/rfsn-test"
    recipe = _recipe(tiny_base)
    with capture_logs() as logs:
        tag = ensure_env_image(docker_client, recipe, BuildOptions(Settings().base_image_source, shared=gone))
    made.append(tag)
    assert image_exists(docker_client, tag)
    assert [(e["event"], e["image"]) for e in logs if e["event"] in ("image.pull_failed", "image.push_failed")] == [
        ("image.push_failed", recipe.base.bootstrap_tag),
        ("image.pull_failed", tag),
        ("image.push_failed", tag),
    ]


def test_without_a_registry_nothing_is_pulled_or_pushed() -> None:
    assert not registry.pull(object(), None, "rfsn/env-python:0")
    assert not registry.push(object(), None, "rfsn/env-python:0")


def test_a_registry_that_accepts_but_never_answers_fails_the_check_in_bounded_time() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        started = time.monotonic()
        with pytest.raises(ConfigError, match=r"does not answer \(no answer within 0\.5s\)"):
            registry.check(f"127.0.0.1:{silent.getsockname()[1]}/p", timeout=0.5)
    assert time.monotonic() - started < 5


@pytest.mark.docker
@pytest.mark.parametrize(
    "command",
    [
        ["test", "."],
        ["repair", "."],
        ["sandbox", "bootstrap"],
        ["batch", "i.jsonl", "--out", "o"],
        ["evaluate", "gold", "--instances", "i.jsonl", "--run-id", "r"],
        ["validate", "i.jsonl"],
    ],
)
def test_every_command_that_builds_images_stops_at_start_when_the_registry_does_not_answer(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "i.jsonl").write_text("")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(main, [*command, "--registry", f"127.0.0.1:{port}/x"])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines()[-1] == (
        f"rfsn: error: the registry 127.0.0.1:{port} does not answer (Connection refused): start "
        "it, or leave out --registry (RFSN_REGISTRY)"
    )


def test_a_registry_flag_with_the_local_sandbox_is_an_input_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["test", str(tmp_path), "--sandbox", "local", "--registry", "127.0.0.1:5000/x"])
    assert result.exit_code == 2
    assert "--registry shares Docker images; --sandbox local builds none" in result.output


@pytest.mark.docker
@pytest.mark.slow
def test_rfsn_test_with_registry_pushes_the_env_it_built_and_the_next_run_pulls_it(
    tmp_path: Path, docker_client: Any, loopback_registry: str, made: list[str]
) -> None:
    import json
    import random
    import sys

    repo = tmp_path / "uniq"
    (repo / "tests").mkdir(parents=True)  # a unique pin: a new env recipe, built cold
    (repo / "requirements.txt").write_text(f"pytest>=7\npackaging>=1.0.{random.randrange(10**6, 10**7)}\n")
    (repo / "tests" / "test_uniq.py").write_text("def test_ok():\n    import packaging\n")

    def run(n: int) -> dict[str, list[str]]:
        log = tmp_path / f"log{n}.jsonl"
        done = subprocess.run(
            [sys.executable, "-m", "rfsn", "test", str(repo), "--registry", loopback_registry, "--log-file", str(log)],
            capture_output=True,
            text=True,
            timeout=1200,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        seen: dict[str, list[str]] = {}
        for line in log.read_text().splitlines():
            event = json.loads(line)
            seen.setdefault(event["event"], []).append(event.get("image") or event.get("tag"))
        return seen

    first = run(1)
    [tag] = first["image.build"]
    made.append(tag)
    *bases, env = first["image.pushed"]  # the base it found here, when the registry lacked it
    assert env == tag and all(base.startswith("rfsn/base-") for base in bases), first["image.pushed"]
    docker_client.images.remove(tag)
    second = run(2)
    assert second["image.pulled"] == [tag] and "image.build" not in second


@pytest.mark.docker
def test_sandbox_bootstrap_with_a_registry_puts_an_existing_base_there(
    tiny_base: BaseImage, loopback_registry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A base bootstrapped before any registry was named is shared by the command made for it
    (the python buildpack's base here the tiny one: the command's work is the same for any)."""
    import http.client
    import json

    monkeypatch.setattr(PythonBuildpack, "default_base", tiny_base)
    tag = tiny_base.bootstrap_tag
    result = CliRunner().invoke(main, ["sandbox", "bootstrap", "--registry", loopback_registry])
    assert result.exit_code == 0, result.output
    assert result.output == f"{tag} exists, in {loopback_registry}\n"
    host, prefix = loopback_registry.split("/", 1)
    repository, version = tag.rsplit(":", 1)
    catalog = http.client.HTTPConnection(host, timeout=10)
    catalog.request("GET", f"/v2/{prefix}/{repository}/tags/list")
    assert json.loads(catalog.getresponse().read())["tags"] == [version]
    catalog.close()
