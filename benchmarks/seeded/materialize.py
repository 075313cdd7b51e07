#!/usr/bin/env python3
"""``devset/materialize.py`` pointed at the seeded projects (same format, same hashes rules)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("devset_materialize", HERE.parent / "devset" / "materialize.py")
assert _spec and _spec.loader
devset = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(devset)
devset.PROJECTS_DIR = HERE / "projects"
devset.INSTANCES_FILE = HERE / "instances.jsonl"
devset.load_instances.__defaults__ = (devset.INSTANCES_FILE,)
materialize_project = devset.materialize_project

if __name__ == "__main__":
    sys.exit(devset.main())
