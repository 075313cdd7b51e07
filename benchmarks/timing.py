"""The timing step the workspace benchmarks share: build a directory, time it, remove it."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path


def timed_build(build: Callable[[Path], object], dest: Path) -> float:
    """Seconds ``build(dest)`` took; ``dest`` is removed afterwards so every round starts empty."""
    started = time.perf_counter()
    build(dest)
    elapsed = time.perf_counter() - started
    shutil.rmtree(dest)
    return elapsed
