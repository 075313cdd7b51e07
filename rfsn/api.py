"""The one call an embedder needs for a single repair: a target in, a SessionResult out.

Batches and evaluations already have one-call entry points
(``rfsn.batch.inference.run_batch``, ``rfsn.batch.evaluation.run_evaluation``);
``rfsn`` re-exports them lazily. This module sits at the top of the package
graph, beside the CLI: it builds the parts and calls them, nothing more.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.models import SessionResult
from rfsn.settings import Settings, load_settings
from rfsn.workspace import prepare


def repair(target: str, options: RepairOptions | None = None, settings: Settings | None = None,
           ref: str | None = None) -> SessionResult:
    """Repair ``target`` (a path or a git URL, at ``ref``) in a scratch copy; the source is not touched.

    The evidence (trajectory, events, patch, report) lands in ``options.out_dir``/<session_id>/.
    """
    settings = settings or load_settings()
    options = options or RepairOptions(sandbox=settings.sandbox)
    with tempfile.TemporaryDirectory(prefix="rfsn-repair-") as tmp:
        workspace = prepare(target, Path(tmp) / "repo", ref, timeout=settings.clone_timeout)
        return repair_workspace(workspace, options, settings)
