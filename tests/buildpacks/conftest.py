"""Shared helpers for the buildpack tests: recorded fixtures live under fixtures/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def load_expected(path: Path) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8"))
