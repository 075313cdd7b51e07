"""Shared helpers for the buildpack tests: recorded fixtures live under fixtures/."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def load_expected(path: Path) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8"))


def go_module(root: Path, module: str, files: dict[str, str]) -> Path:
    """A git repository at ``root`` holding the Go module ``module`` (go 1.19) and ``files``."""
    for rel, text in {"go.mod": f"module {module}\n\ngo 1.19\n", **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


@pytest.fixture
def built(docker_client: Any) -> Iterator[list[str]]:
    """Keys of the env recipes the test builds; each must have an image labelled with it. The
    images are content-addressed and kept for the next test and run (a changed recipe is a new
    tag); ``RFSN_FRESH_IMAGES=1`` removes them afterwards, so each run builds as on a new machine."""
    keys: list[str] = []
    yield keys
    for key in keys:
        images = docker_client.images.list(filters={"label": f"rfsn.recipe={key}"})
        assert images, f"no env image is labelled rfsn.recipe={key}: the test's recipe is not the one built"
        if os.environ.get("RFSN_FRESH_IMAGES") == "1":
            for image in images:
                docker_client.images.remove(image.id, force=True)
