"""The fixes corpus's scripts (``benchmarks/fixes``) imported as modules, as they import each other."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from tests.paths import ROOT

FIXES = ROOT / "benchmarks" / "fixes"


def load(name: str) -> ModuleType:
    """``benchmarks/fixes/NAME.py`` as the module ``fixes_NAME`` (its folder on the path for its imports)."""
    sys.path.insert(0, str(FIXES))
    spec = importlib.util.spec_from_file_location(f"fixes_{name}", FIXES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"fixes_{name}"] = module
    spec.loader.exec_module(module)
    return module
