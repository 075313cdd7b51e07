"""The Docker fixtures of the sandbox tests (one shared env image, leak check)."""

from tests.sandbox.conftest import docker_settings, no_container_left, shared_pack

__all__ = ["docker_settings", "no_container_left", "shared_pack"]
