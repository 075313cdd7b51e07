"""Environment images shared by instances: built once per distinct recipe.

Env image tags are content-addressed (a hash of the recipe and base), so two
instances with the same dependencies share one image. A host-wide file lock
per recipe key makes parallel workers wait for the one build instead of each
starting their own; when the lock is released the image exists and the
others find it cached.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from rfsn.buildpacks.base import Buildpack
from rfsn.settings import Settings


def ensure_env(workspace: Path, buildpack: Buildpack, settings: Settings, kind: str) -> str:
    """Build (or find) the env of ``workspace`` under a per-recipe lock; its tag or dir."""
    recipe = buildpack.env_recipe(workspace)
    locks = settings.home / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    with (locks / f"env-{recipe.key()}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if kind == "docker":
            from rfsn.sandbox.docker import connect
            from rfsn.sandbox.images import ensure_env_image

            client = connect(timeout=settings.setup_timeout + 120)
            try:
                return ensure_env_image(client, recipe, settings.base_image_source,
                                        settings.resolved_ca_bundle(), settings.setup_timeout)
            finally:
                client.close()
        if not recipe.steps:
            return ""
        from rfsn.sandbox.local import ensure_env_dir

        return str(ensure_env_dir(recipe, settings.home / "envs", settings.setup_timeout))
