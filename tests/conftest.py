"""Shared fixtures: a Docker client (or a skip, or a failure under CI) and the devset.

Docker tests carry the ``docker`` marker. They skip only when no daemon
answers, and with ``RFSN_REQUIRE_DOCKER=1`` (set by .ci/run) that skip
becomes a failure, so CI cannot pass without really running them. With ``CI``
set (.ci/run sets it) any skip outside the opt-in markers fails too.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.paths import DEVSET

#: opt-in markers: each runs only when ``-m`` names it or its variable is 1 (CI runs neither)
OPT_IN = {
    "realmodel": ("RFSN_REAL_MODEL", "a real model server"),
    "swebench_real": ("RFSN_SWEBENCH_REAL", "real SWE-bench instances"),
    "ray_cluster": ("RFSN_RAY_CLUSTER", "a two-node Ray cluster on this machine"),
    "stock_debian": ("RFSN_STOCK_DEBIAN", "scripts/setup on a stock Debian (packages from PyPI and Debian)"),
    "sweep": ("RFSN_SWEEP", "a sweep over every case of a set (one case runs by default)"),
}


#: this run's name (``RFSN_RUN``) on the containers it and its children start (label ``rfsn.run``);
#: each worker of ``pytest -n`` imports this module in a process of its own, so names a run of its own
RUN = f"pytest-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def pytest_configure(config: pytest.Config) -> None:
    os.environ["RFSN_RUN"] = RUN


def run_containers(client: Any) -> list[Any]:
    """The rfsn containers of this run: those this process and its children started."""
    from rfsn.sandbox.daemon import managed

    return [c for c in managed(client) if c.labels.get("rfsn.run") == RUN]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    selected = str(config.getoption("markexpr", "") or "")
    for marker, (variable, what) in OPT_IN.items():
        if os.environ.get(variable) == "1" or marker in selected:
            continue
        skip = pytest.mark.skip(reason=f"{what} is opt-in: -m {marker} or {variable}=1")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)
    if hasattr(config, "workerinput"):  # an xdist worker: the slowest files first (tests/schedule.py)
        from tests.schedule import slowest_files_first

        slowest_files_first(items)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: a worker more than the cores, since a test that runs a session leaves its core
    idle part of the time (waiting on Docker, on a container's start, on a subprocess)."""
    return (os.cpu_count() or 1) + 1


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadfile`` hands out the files in the order the workers collected them (tests/schedule.py)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from tests.schedule import CollectedOrder

    return CollectedOrder(config, log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """Under CI (``CI`` set), a skip is a failure unless the test carries an opt-in marker:
    a test that silently never runs in CI (no node on the host, say) cannot pass unnoticed."""
    outcome = yield
    report = outcome.get_result()
    if (
        os.environ.get("CI")
        and report.skipped
        and not hasattr(report, "wasxfail")
        and not any(marker in item.keywords for marker in OPT_IN)
    ):
        report.outcome = "failed"
        report.longrepr = (
            f"skipped under CI, which allows skips only under {sorted(OPT_IN)}: "
            f"{report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr}"
        )


@pytest.fixture(scope="session", autouse=True)
def rfsn_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The rfsn home (caches, the model response cache) of this run, never the user's: a
    reply cached by an earlier run must not answer a test's scripted server."""
    home = tmp_path_factory.mktemp("rfsn-home")
    _share_local_envs(home, tmp_path_factory)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFSN_HOME", str(home))
        yield home
    _remove_setup_snapshots(tmp_path_factory.getbasetemp())


def _share_local_envs(home: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The local sandboxes' environments (``envs/<recipe key>``, each built once under a lock of
    its own, ``ensure_env_dir``) are shared by the workers of one ``pytest -n`` run: built once
    in the run instead of once in each worker. Replies and snapshots stay the worker's own."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    shared = tmp_path_factory.getbasetemp().parent / "rfsn-envs"  # the run's, above popen-gwN
    shared.mkdir(exist_ok=True)
    (home / "envs").symlink_to(shared, target_is_directory=True)


def _remove_setup_snapshots(root: Path) -> None:
    """The setup snapshots this run's sessions made: those of an rfsn home under ``root``, the
    run's own and the ones tests give the sessions they start (a cache of its home, like it)."""
    from rfsn.errors import DockerUnavailable
    from rfsn.sandbox.daemon import connect
    from rfsn.sandbox.snapshots import HOME_LABEL

    try:
        client = connect(timeout=60)
    except DockerUnavailable:
        return
    from docker.errors import NotFound

    try:  # the listing's own fields: inspecting each image races another process removing it
        for image in client.api.images(filters={"label": HOME_LABEL}):
            if not Path((image.get("Labels") or {}).get(HOME_LABEL, "/")).is_relative_to(root):
                continue
            # an image another worker untagged is listed as "<none>:<none>": it goes by its id
            tags = [t for t in image.get("RepoTags") or [] if t != "<none>:<none>"] or [image["Id"]]
            for tag in tags:
                with contextlib.suppress(NotFound):
                    client.images.remove(tag, noprune=False)
    finally:
        client.close()


def _docker_or_skip() -> Any:
    from rfsn.errors import DockerUnavailable
    from rfsn.sandbox.daemon import connect

    try:
        return connect(timeout=600)
    except DockerUnavailable as exc:
        if os.environ.get("RFSN_REQUIRE_DOCKER") == "1":
            pytest.fail(f"RFSN_REQUIRE_DOCKER=1 but {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    client = _docker_or_skip()
    yield client
    client.close()


@pytest.fixture
def no_leaked_containers(docker_client: Any) -> Iterator[None]:
    """Fails the test if it leaves an rfsn container of this run behind."""
    before = {c.id for c in run_containers(docker_client)}
    yield
    after = {c.id for c in run_containers(docker_client)}
    assert after <= before, f"leaked containers: {after - before}"


@pytest.fixture(scope="session")
def devset_instances() -> dict[str, dict[str, Any]]:
    path = DEVSET / "instances.jsonl"
    return {
        json.loads(line)["repo"].split("/", 1)[1]: json.loads(line)
        for line in path.read_text().splitlines()
        if line.strip()
    }


@pytest.fixture(scope="session")
def devset_repos(tmp_path_factory: pytest.TempPathFactory, devset_instances: dict[str, dict[str, Any]]) -> Path:
    """Every devset project materialized as a git repository at its base commit."""
    out = tmp_path_factory.mktemp("devset") / "repos"
    subprocess.run([sys.executable, str(DEVSET / "materialize.py"), str(out)], check=True, capture_output=True)
    return out


def with_test_patch(repos: Path, instance: dict[str, Any], dest: Path) -> Path:
    """A copy of the instance's repo with its test_patch applied and committed."""
    name = instance["repo"].split("/", 1)[1]
    shutil.copytree(repos / name, dest, symlinks=True)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    subprocess.run(["git", "apply", "-"], cwd=dest, input=instance["test_patch"], text=True, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run(["git", "commit", "-qm", "test patch"], cwd=dest, check=True, env=env)
    return dest


def installed_plugin(site: Path, module: str, source: str, entry_points: str) -> Path:
    """``site`` holding an installed distribution of the module ``module`` (its ``source``) whose
    ``entry_points.txt`` is ``entry_points`` (e.g. ``"[rfsn.strategies]\\nname = module:Class\\n"``)."""
    info = site / f"{module}-0.1.dist-info"
    info.mkdir(parents=True)
    (site / f"{module}.py").write_text(source)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(entry_points)
    return site
