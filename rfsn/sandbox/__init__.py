"""Sandboxes: where a session's commands run (Docker by default; the host only when asked).

``open_sandbox`` is the one entry point: it builds (or reuses) the buildpack's
environment, starts the sandbox, runs the per-session setup commands (or, in
Docker, restores what they did at the same commit: ``snapshots``) and
guarantees cleanup when the block exits, however it exits.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rfsn.buildpacks.base import BUILD_NOTES, Buildpack, EnvOptions, EnvRecipe, date_env
from rfsn.buildpacks.cienv import CiEnv, ci_env
from rfsn.buildpacks.parts import parts
from rfsn.errors import DockerUnavailable, ImageError, SandboxError
from rfsn.fsutil import held
from rfsn.observability.logging import get_logger
from rfsn.sandbox import ccache, services, snapshots
from rfsn.sandbox.base import Sandbox
from rfsn.sandbox.ccache import CompileCache
from rfsn.sandbox.setupsteps import run_setup, with_lacking
from rfsn.sandbox.snapshots import Snapshot
from rfsn.settings import Settings

if TYPE_CHECKING:
    from rfsn.sandbox.images import BuildOptions

__all__ = ["Sandbox", "choose_kind", "open_sandbox"]
log = get_logger(__name__)
#: seconds a session container lives past its setup's limit and its budget: then it ends by itself
MARGIN = 600.0
_swept = False


def choose_kind(requested: str) -> str:
    """'docker' or 'local'. Docker unless the host is asked for by name: when no daemon answers,
    DockerUnavailable saying how to start one or how to ask for the host; never a fallback."""
    if requested == "local":
        return "local"
    from rfsn.sandbox.daemon import connect

    try:
        connect(timeout=10).close()
    except DockerUnavailable as exc:
        raise DockerUnavailable(
            f"{exc}; start Docker (e.g. `sudo systemctl start docker`), or run "
            "the repository's code on this host, unsandboxed, with --sandbox "
            "local (RFSN_SANDBOX=local)"
        ) from exc
    return "docker"


def sweep(client: Any) -> None:
    """Once per process, before its first container: remove the containers of this host whose
    owner process is gone (a SIGKILLed rfsn's), never a live owner's."""
    global _swept
    if _swept:
        return
    from rfsn.sandbox.daemon import prune

    _swept = True
    try:
        removed = prune(client)
    except SandboxError as exc:  # a leftover the daemon will not remove must not stop this run
        log.warning("sandbox.sweep_failed", error=str(exc))
        return
    if removed:
        log.info("sandbox.leftovers_removed", containers=removed)


def _recipe_lock(home: Path, recipe: EnvRecipe) -> AbstractContextManager[None]:
    """A host-wide lock per env recipe: parallel sessions and workers wait for one build
    of a new environment instead of each starting their own, then find it cached."""
    return held(home / "locks" / f"env-{recipe.key()}.lock")


def dated(buildpack: Buildpack, settings: Settings) -> None:
    """Give a plain repository's buildpack the environment's date and Python from ``settings``
    (before anything asks it for its env recipe)."""
    date_env(
        buildpack,
        EnvOptions(
            as_of=settings.as_of,
            runtime=settings.python,
            archives=settings.python_archives,
            registry=settings.base_image_source == "registry",
        ),
    )


def _create(
    workspace: Path,
    buildpack: Buildpack,
    settings: Settings,
    kind: str,
    session_id: str | None,
    commands: list[list[str]],
    budget: float,
) -> tuple[Sandbox, Snapshot | None, CompileCache | None, EnvRecipe]:
    """The sandbox, where its setup is kept and its compile cache (Docker only; None when they
    cannot be), and the env recipe it was made from."""
    dated(buildpack, settings)
    recipe, servers, serving = services.declared(workspace, buildpack.env_recipe(workspace), kind)
    ci = ci_env(workspace) if recipe.project_env else CiEnv()
    notes = (*recipe.notes, *((ci.note(),) if ci.values else ()), *serving)
    if notes:
        log.info("sandbox.environment", notes=list(notes))
    try:
        sandbox, snapshot, cache = _started(workspace, recipe, settings, kind, session_id, commands, budget, ci.values)
    except ImageError as exc:  # the report still says what the environment was to be
        exc.environment = tuple(notes)
        raise
    built = sandbox.exec(["sh", "-c", f'cat "{BUILD_NOTES}" 2>/dev/null; true'], timeout=60)
    notes = (*notes, *services.start(sandbox, servers))
    sandbox.environment = (*notes, *(line for line in built.output.splitlines() if line.strip()))
    if len(sandbox.environment) > len(notes):
        log.info("sandbox.environment_built", notes=list(sandbox.environment[len(notes) :]))
    return sandbox, snapshot, cache, recipe


def _started(
    workspace: Path,
    recipe: EnvRecipe,
    settings: Settings,
    kind: str,
    session_id: str | None,
    commands: list[list[str]],
    budget: float,
    env: dict[str, str],
) -> tuple[Sandbox, Snapshot | None, CompileCache | None]:
    if kind == "docker":
        return _docker(workspace, recipe, settings, session_id, commands, budget, env)
    from rfsn.sandbox.local import LocalSandbox, ensure_env_dir

    env_dir = None
    if recipe.steps:
        with _recipe_lock(settings.home, recipe):
            env_dir = ensure_env_dir(
                recipe, settings.home / "envs", settings.setup_timeout, recipe.source_repo or workspace
            )
    return LocalSandbox(workspace, env_dir, {**env, **dict(recipe.env)}, settings.memory), None, None


def _docker(
    workspace: Path,
    recipe: EnvRecipe,
    settings: Settings,
    session_id: str | None,
    commands: list[list[str]],
    budget: float,
    env: dict[str, str],
) -> tuple[Sandbox, Snapshot | None, CompileCache | None]:
    """A container of the recipe's env image, or of its setup's snapshot when there is one."""
    from rfsn.sandbox.confinement import Limits
    from rfsn.sandbox.container import ContainerSpec
    from rfsn.sandbox.daemon import connect
    from rfsn.sandbox.docker import DockerSandbox

    client = connect(timeout=max(settings.test_timeout, settings.setup_timeout) + 120)
    cache: CompileCache | None = None
    try:
        sweep(client)
        compiling = ccache.for_workspace(settings.home, workspace) if settings.compile_cache else None
        image, snapshot = _image(client, recipe, settings, workspace, commands, compiling)
        kept = snapshot is not None and snapshot.exists
        if compiling and commands and not kept:
            cache = compiling.opened()
        spec = ContainerSpec(
            Limits(settings.memory, settings.cpus, settings.pids, settings.tmp_size, settings.file_size),
            lifetime=len(commands) * settings.setup_timeout + budget + MARGIN,
            ca_bundle=settings.resolved_ca_bundle(),
            mounts=cache.mounts() if cache else {},
            env=env,
        )
        box = DockerSandbox(client, snapshot.tag if snapshot and kept else image, workspace, spec, session_id)
        if recipe.source and ccache.from_the_future(workspace, recipe.source):
            try:
                box.withhold(ccache.IMAGE_STORE)
            except BaseException:
                box.close()
                raise
        return box, snapshot, cache
    except BaseException:
        client.close()  # the sandbox owns the client only once it exists
        if cache is not None:
            cache.close()
        raise


def _image(
    client: Any,
    recipe: EnvRecipe,
    settings: Settings,
    workspace: Path,
    commands: list[list[str]],
    compiling: CompileCache | None,
) -> tuple[str, Snapshot | None]:
    """The recipe's env image (built if need be) and the snapshot of the setup ``commands`` on it
    (None without snapshots; ``exists`` when one is kept: the container starts from it)."""
    from rfsn.sandbox.confinement import sandbox_user
    from rfsn.sandbox.images import ensure_env_image

    with _recipe_lock(settings.home, recipe):
        image = ensure_env_image(client, recipe, _build_options(settings, recipe.source_repo or workspace, compiling))
    if not settings.setup_snapshots:
        return image, None
    return image, snapshots.find(client, image, commands, workspace, sandbox_user(), settings.registry)


def _build_options(settings: Settings, checkout: Path, compile_cache: CompileCache | None) -> BuildOptions:
    """How ``settings`` say env images are obtained, the project's tree taken from ``checkout``."""
    from rfsn.sandbox.images import BuildOptions

    return BuildOptions(
        settings.base_image_source,
        settings.resolved_ca_bundle(),
        step_timeout=settings.setup_timeout,
        checkout=checkout,
        mirror=settings.debian_mirror,
        shared=settings.registry,
        compile_cache=compile_cache,
        home=settings.home,
    )


@contextmanager
def open_sandbox(
    workspace: Path,
    buildpack: Buildpack,
    settings: Settings,
    kind: str = "docker",
    session_id: str | None = None,
    budget: float | None = None,
) -> Iterator[Sandbox]:
    """A sandbox of ``kind``, set up, removed when the block exits. ``budget``: seconds it is
    used after its setup (default: one test run); a Docker container ends by itself once its
    setup's limit, the budget and ``MARGIN`` have passed, even if nothing removes it. A
    buildpack that fits its commands to the environment (``FitCapable``) asks it here."""
    commands = buildpack.setup_commands(workspace)
    kind = choose_kind(kind)
    budget = settings.test_timeout if budget is None else budget
    sandbox, snapshot, cache, recipe = _create(workspace, buildpack, settings, kind, session_id, commands, budget)
    try:
        started = time.monotonic()
        failed = run_setup(sandbox, commands, settings, snapshot, cache)
        if failed is not None and kind == "docker" and with_lacking(recipe, failed, settings):
            sandbox.close()  # once more, on the env image built again with those packages
            sandbox, snapshot, cache, recipe = _create(
                workspace, buildpack, settings, kind, session_id, commands, budget
            )
            run_setup(sandbox, commands, settings, snapshot, cache)
        fits = parts(buildpack).environment.fit
        if fits is not None:
            fits.fit(sandbox)
        sandbox.setup_seconds = time.monotonic() - started
        log.info("sandbox.ready", kind=kind, setup_seconds=round(sandbox.setup_seconds, 1))
        yield sandbox
    finally:
        if cache is not None:
            cache.close()
        sandbox.close()
