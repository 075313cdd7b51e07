"""rfsn: an autonomous repair agent controller. The library API (how to use it: the README's
"Using rfsn from Python"); the CLI is a thin layer over it.

``repair`` (options: ``RepairOptions``) repairs one repository -> ``SessionResult``
(``SessionStatus``); ``run_batch`` (``BatchConfig``) runs SWE-bench-style inference over
instances (``Instance``) -> outcomes by instance id; ``run_evaluation`` (``EvalConfig``) grades
predictions (``Prediction``) as the SWE-bench harness does -> (summary path, summary).
``Settings``, ``load_settings``: configuration (``RFSN_*``, ``rfsn.toml``). The plugin protocols:
``Planner``, ``PatchStrategy``, ``RepairContext``, ``Buildpack``, ``EnvRecipe``. ``RfsnError`` is the base
of every error rfsn raises on purpose (the tree: ``rfsn.errors``): ``ConfigError``, ``WorkspaceError``,
``BuildpackError``, ``SandboxError``, ``DockerUnavailable``, ``ImageError``, ``CommandTimeout``, ``ApplyError``,
``DiffError``, ``BinaryDiffError``, ``ForgedApproval``, ``BudgetExhausted``, ``InfraFailure``, ``LLMError``,
``ToolsUnsupported``, ``OutputError``. Importing the package is cheap: it pulls in no Docker, LLM or Ray
client, and each name above is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rfsn.lazy import attributes
from rfsn.version import __version__

if TYPE_CHECKING:  # the real types for type checkers; at run time each name loads on first use
    from rfsn.batch.evaluate import EvalConfig as EvalConfig
    from rfsn.batch.evaluate import run_evaluation as run_evaluation
    from rfsn.batch.infer import BatchConfig as BatchConfig
    from rfsn.batch.infer import run_batch as run_batch
    from rfsn.buildpacks.base import Buildpack as Buildpack
    from rfsn.buildpacks.base import EnvRecipe as EnvRecipe
    from rfsn.controller.session import RepairOptions as RepairOptions
    from rfsn.controller.session import repair as repair
    from rfsn.errors import ApplyError as ApplyError
    from rfsn.errors import BinaryDiffError as BinaryDiffError
    from rfsn.errors import BudgetExhausted as BudgetExhausted
    from rfsn.errors import BuildpackError as BuildpackError
    from rfsn.errors import CommandTimeout as CommandTimeout
    from rfsn.errors import ConfigError as ConfigError
    from rfsn.errors import DiffError as DiffError
    from rfsn.errors import DockerUnavailable as DockerUnavailable
    from rfsn.errors import ForgedApproval as ForgedApproval
    from rfsn.errors import ImageError as ImageError
    from rfsn.errors import InfraFailure as InfraFailure
    from rfsn.errors import LLMError as LLMError
    from rfsn.errors import OutputError as OutputError
    from rfsn.errors import RfsnError as RfsnError
    from rfsn.errors import SandboxError as SandboxError
    from rfsn.errors import ToolsUnsupported as ToolsUnsupported
    from rfsn.errors import WorkspaceError as WorkspaceError
    from rfsn.models import Instance as Instance
    from rfsn.models import Prediction as Prediction
    from rfsn.models import SessionResult as SessionResult
    from rfsn.models import SessionStatus as SessionStatus
    from rfsn.planners.base import PatchStrategy as PatchStrategy
    from rfsn.planners.base import Planner as Planner
    from rfsn.planners.base import RepairContext as RepairContext
    from rfsn.settings import Settings as Settings
    from rfsn.settings import load_settings as load_settings

_API = {
    "repair": "rfsn.controller.session",
    "RepairOptions": "rfsn.controller.session",
    "run_batch": "rfsn.batch.infer",
    "BatchConfig": "rfsn.batch.infer",
    "run_evaluation": "rfsn.batch.evaluate",
    "EvalConfig": "rfsn.batch.evaluate",
    "Settings": "rfsn.settings",
    "load_settings": "rfsn.settings",
    "SessionResult": "rfsn.models",
    "SessionStatus": "rfsn.models",
    "Instance": "rfsn.models",
    "Prediction": "rfsn.models",
    "RfsnError": "rfsn.errors",
    "ConfigError": "rfsn.errors",
    "WorkspaceError": "rfsn.errors",
    "BuildpackError": "rfsn.errors",
    "SandboxError": "rfsn.errors",
    "DockerUnavailable": "rfsn.errors",
    "ImageError": "rfsn.errors",
    "CommandTimeout": "rfsn.errors",
    "ApplyError": "rfsn.errors",
    "DiffError": "rfsn.errors",
    "BinaryDiffError": "rfsn.errors",
    "ForgedApproval": "rfsn.errors",
    "BudgetExhausted": "rfsn.errors",
    "InfraFailure": "rfsn.errors",
    "LLMError": "rfsn.errors",
    "ToolsUnsupported": "rfsn.errors",
    "OutputError": "rfsn.errors",
    "Planner": "rfsn.planners.base",
    "PatchStrategy": "rfsn.planners.base",
    "RepairContext": "rfsn.planners.base",
    "Buildpack": "rfsn.buildpacks.base",
    "EnvRecipe": "rfsn.buildpacks.base",
}
__all__ = [*_API, "__version__"]


__getattr__ = attributes(__name__, _API)


def __dir__() -> list[str]:
    return sorted(__all__)
