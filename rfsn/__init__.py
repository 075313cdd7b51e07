"""rfsn: an autonomous repair agent controller.

The library API (what the ``rfsn`` command calls, for people who embed rfsn)::

    repair(target, options=None, settings=None, ref=None) -> SessionResult
    repair_workspace(workspace, options, settings)        -> SessionResult
    run_batch(BatchConfig(...))                           -> {instance_id: Outcome}
    run_evaluation(EvalConfig(...))                       -> (report path, report)

    RepairOptions, BatchConfig, EvalConfig                how to run
    Settings, load_settings                               where, with what limits
    SessionResult, SessionStatus, Instance, Prediction    what comes back / goes in
    RfsnError                                             the base of every error rfsn raises

Importing the package is cheap: it pulls in no Docker, LLM or Ray client.
Every name above is imported on first use (PEP 562 ``__getattr__``), and those
clients load only when the part that needs them is chosen.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: where each name of the API lives, imported on first use
_SOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("rfsn.api", ("repair",)),
    ("rfsn.controller.session", ("repair_workspace", "RepairOptions")),
    ("rfsn.batch.inference", ("run_batch", "BatchConfig")),
    ("rfsn.batch.evaluation", ("run_evaluation", "EvalConfig")),
    ("rfsn.settings", ("Settings", "load_settings")),
    ("rfsn.models", ("SessionResult", "SessionStatus", "Instance", "Prediction")),
    ("rfsn.errors", ("RfsnError",)),
)
_EXPORTS = {name: module for module, names in _SOURCES for name in names}

__all__ = [
    "BatchConfig",
    "EvalConfig",
    "Instance",
    "Prediction",
    "RepairOptions",
    "RfsnError",
    "SessionResult",
    "SessionStatus",
    "Settings",
    "__version__",
    "load_settings",
    "repair",
    "repair_workspace",
    "run_batch",
    "run_evaluation",
]

if TYPE_CHECKING:
    from rfsn.api import repair
    from rfsn.batch.evaluation import EvalConfig, run_evaluation
    from rfsn.batch.inference import BatchConfig, run_batch
    from rfsn.controller.session import RepairOptions, repair_workspace
    from rfsn.errors import RfsnError
    from rfsn.models import Instance, Prediction, SessionResult, SessionStatus
    from rfsn.settings import Settings, load_settings


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rfsn' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
