"""The rfsn commands the bugs layer's drivers run (``validate.py``, ``repair.py``, ``suite.py``), one place.

Each builds the arguments after ``python -m rfsn`` for one instance at a time: one worker, the
repositories of ``--repos-dir``, a time limit. The drivers run them their own way (capturing the
output, or letting rfsn print it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: how the drivers start rfsn: the interpreter running them, so PYTHONPATH picks the code
RFSN = [sys.executable, "-m", "rfsn"]


def one_instance(iid: str, repos_dir: Path, timeout: object) -> list[str]:
    """The options every command here ends with: ``iid`` alone, its repositories, one worker, ``timeout``."""
    return ["--instance-ids", iid, "--repos-dir", str(repos_dir), "--workers", "1", "--timeout", str(timeout)]


def reported(run_id: str, report_dir: Path) -> list[str]:
    """The harness's run id and the directory of its reports and logs."""
    return ["--run-id", run_id, "--report-dir", str(report_dir)]


def validate(instances: Path, run_id: str, report_dir: Path, iid: str, repos_dir: Path, timeout: object) -> list[str]:
    """``rfsn validate`` of one instance (the developers' fix graded against the bug)."""
    return ["validate", str(instances), *reported(run_id, report_dir), *one_instance(iid, repos_dir, timeout)]


def evaluate(
    predictions: str, instances: Path, run_id: str, report_dir: Path, iid: str, repos_dir: Path, timeout: object
) -> list[str]:
    """``rfsn evaluate`` of ``predictions`` (a file, or ``gold``) on one instance."""
    return [
        "evaluate",
        predictions,
        "--instances",
        str(instances),
        *reported(run_id, report_dir),
        *one_instance(iid, repos_dir, timeout),
    ]


def batch(instances: Path, out: Path, iid: str, repos_dir: Path, timeout: object) -> list[str]:
    """``rfsn batch --oracle-tests`` of one instance (the template planner, the FAIL_TO_PASS named)."""
    return ["batch", str(instances), "--out", str(out), "--oracle-tests", *one_instance(iid, repos_dir, timeout)]


def run(args: list[str]) -> None:
    """Run an rfsn command, its output shown, whatever its exit code (the driver reads its files)."""
    subprocess.run([*RFSN, *args], check=False)
