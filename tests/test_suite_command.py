"""The suite's own command: CI runs the README's, in parallel workers (``-n``), and each worker
names a run of its own (``RFSN_RUN``), so a leak check counts only what that worker started."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = """
import os
from pathlib import Path

from tests.conftest import RUN


def test_names_its_run():
    Path(os.environ["RUNS_OUT"], str(os.getpid())).write_text(f"{RUN} {os.environ['RFSN_RUN']}")
"""


def _pytest_command(text: str) -> str:
    (line,) = {m.group(1).strip() for m in re.finditer(r"\.venv/bin/(python -m pytest[^\n&]*)", text)}
    return line


def test_ci_runs_the_readmes_test_command_in_workers() -> None:
    readme = _pytest_command((ROOT / "README.md").read_text().split("## How it works")[0])
    ci = _pytest_command((ROOT / ".ci" / "run").read_text())
    assert ci.replace(" -q", "") == readme and " -n " in readme, (ci, readme)


def test_each_worker_labels_its_containers_with_a_run_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    out = tmp_path / "runs"
    out.mkdir()
    env = {
        **os.environ,
        "RUNS_OUT": str(out),
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "2",
            "--dist",
            "each",
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    runs = {pid.name: pid.read_text().split() for pid in out.iterdir()}
    assert len(runs) == 2, runs  # one file per worker process
    assert all(run == labelled and pid in run for pid, (run, labelled) in runs.items())
    assert len({run for run, _ in runs.values()}) == 2
