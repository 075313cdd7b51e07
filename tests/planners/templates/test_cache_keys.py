"""Every template of a file runs on one ``FileContext``: an index one template keeps in its
``cache`` is under a key no other place fills (two shapes under one key break whichever runs second)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import rfsn.planners

FILLED = re.compile(r"""\bcache\[["']([A-Za-z_]\w*)["']\]\s*=""")


def test_each_cache_key_of_a_file_context_is_filled_in_one_place() -> None:
    root = Path(rfsn.planners.__file__).parent
    keys = Counter(key for path in root.rglob("*.py") for key in FILLED.findall(path.read_text(encoding="utf-8")))
    assert keys and not [key for key, count in keys.items() if count > 1], keys
