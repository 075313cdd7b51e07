"""Fixtures for batch tests: the devset instances file and repos laid out for --repos-dir."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DEVSET, run_containers


def _ours(client: Any) -> set[str]:
    """rfsn containers of this run that this test process or a dead child of it owns (a live
    worker may still be closing its own); other users' containers carry another run."""
    from rfsn.sandbox.labels import owner_alive

    return {
        c.id
        for c in run_containers(client)
        if c.labels.get("rfsn.pid") == str(os.getpid()) or not owner_alive(c.labels)
    }


@pytest.fixture
def no_leaked_sandboxes(docker_client: Any) -> Iterator[None]:
    """Fails the test if it leaves a container of its own behind. A container the run had before
    the test is never the test's, whatever its owner does meanwhile (an earlier test's worker
    that dies during this one leaves it owned by a dead process)."""
    before = {c.id for c in run_containers(docker_client)}
    yield
    leaked = _ours(docker_client) - before
    assert not leaked, f"leaked containers: {leaked}"


@pytest.fixture(scope="session")
def instances_file(devset_instances: dict[str, dict[str, Any]]) -> Path:
    return DEVSET / "instances.jsonl"


@pytest.fixture
def predictions_file(tmp_path: Path) -> Callable[[dict[str, str | None]], Path]:
    """Writes {instance_id: patch} as a SWE-bench predictions JSONL file."""

    def write(patches: dict[str, str | None], model: str = "test/model") -> Path:
        path = tmp_path / "predictions.jsonl"
        path.write_text(
            "".join(
                json.dumps({"instance_id": iid, "model_name_or_path": model, "model_patch": patch}) + "\n"
                for iid, patch in patches.items()
            )
        )
        return path

    return write
