"""The servers the project's CI starts for its tests, started in the sandbox (``ciservices``).

In Docker their Debian packages join the env recipe's system packages and they start once the
container runs; the local sandbox is the user's host, where rfsn installs and starts nothing: the
report says so.
"""

from __future__ import annotations

from pathlib import Path

from rfsn.buildpacks.base import EnvRecipe
from rfsn.buildpacks.ciservices import Services, ci_services, start_command
from rfsn.observability.logging import get_logger
from rfsn.sandbox.base import Sandbox

log = get_logger(__name__)
#: seconds the servers have to start
START_TIMEOUT = 60.0
_LOCAL = "the local sandbox is this host, where rfsn installs and starts nothing"


def declared(workspace: Path, recipe: EnvRecipe, kind: str) -> tuple[EnvRecipe, Services, tuple[str, ...]]:
    """The recipe with the packages of the services the sandbox starts, those services, and the
    report's lines on them (none for a recipe that is the whole environment)."""
    services = ci_services(workspace) if recipe.project_env else Services()
    if kind != "docker":
        return recipe, Services(), services.notes(_LOCAL)
    had = {name for name, _ in recipe.system_packages}
    packages = tuple(p for p in services.packages() if p[0] not in had)
    if packages:
        recipe = recipe.model_copy(update={"system_packages": (*recipe.system_packages, *packages)})
    return recipe, services, services.notes()


def start(sandbox: Sandbox, services: Services) -> tuple[str, ...]:
    """Start ``services`` in ``sandbox``: () when they started (or there are none), else a line
    that says which command failed and what it printed."""
    command = start_command(services)
    if not command:
        return ()
    result = sandbox.exec(["sh", "-c", command], timeout=START_TIMEOUT)
    if result.exit_code == 0:
        log.info("sandbox.services_started", services=[s.name for s in services.started])
        return ()
    said = (result.output.strip().splitlines() or ["(no output)"])[-1][:200]
    log.warning("sandbox.services_failed", command=command, exit_code=result.exit_code, output=said)
    return (f"services failed to start (exit {result.exit_code}): {said}",)
