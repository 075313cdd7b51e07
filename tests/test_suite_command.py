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


def _pytest(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """pytest with the suite's conftest as a plugin, run on the sample files in ``root``."""
    env = {
        **os.environ,
        **env,
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    argv = ["-q", *args, "-p", "tests.conftest", "-p", "no:cacheprovider", "--rootdir", str(root), str(root)]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *argv], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def test_each_worker_labels_its_containers_with_a_run_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    out = tmp_path / "runs"
    out.mkdir()
    done = _pytest(tmp_path, "-n", "2", "--dist", "each", RUNS_OUT=str(out))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    runs = {pid.name: pid.read_text().split() for pid in out.iterdir()}
    assert len(runs) == 2, runs  # one file per worker process
    assert all(run == labelled and pid in run for pid, (run, labelled) in runs.items())
    assert len({run for run, _ in runs.values()}) == 2


TIMED = """
import os
import time
from pathlib import Path

import pytest


@pytest.fixture
def docker_client():
    return None


{mark}
def test_{name}_{i}({args}):
    start = time.monotonic()
    time.sleep(0.2)
    Path(os.environ["RUNS_OUT"], "{name}_{i}").write_text(f"{{os.environ['PYTEST_XDIST_WORKER']}} {{start}}")
"""


def test_each_worker_takes_the_file_of_the_most_docker_or_slow_tests_left(tmp_path: Path) -> None:
    """xdist's own order is by test count: a file of one Docker test would run after every fast file."""
    files = {
        "client": (1, "", "docker_client"),  # given a Docker client, not marked
        "docker": (2, "@pytest.mark.docker", ""),
        "many": (6, "", ""),
        "slow": (1, "@pytest.mark.slow", ""),
    }
    for name, (count, mark, args) in files.items():
        tests = (TIMED.format(name=name, i=i, mark=mark, args=args) for i in range(count))
        (tmp_path / f"test_{name}.py").write_text("".join(tests))
    out = tmp_path / "runs"
    out.mkdir()
    unknown_marks = "ignore::pytest.PytestUnknownMarkWarning"
    done = _pytest(tmp_path, "-n", "2", "--dist", "loadfile", "-W", unknown_marks, RUNS_OUT=str(out))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    started = sorted((float(f.read_text().split()[1]), f.read_text().split()[0], f.name) for f in out.iterdir())
    first: dict[str, str] = {}
    for _, worker, test in started:
        first.setdefault(worker, test.split("_")[0])
    assert sorted(first.values()) == ["client", "docker"], started  # the most first; of equals, collected first


def test_auto_starts_a_worker_more_than_the_cores(tmp_path: Path) -> None:
    """xdist asks a rootdir's conftest for the count, so the sample's conftest takes the suite's hook."""
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_xdist_auto_num_workers  # noqa: F401\n")
    out = tmp_path / "runs"
    out.mkdir()
    done = _pytest(tmp_path, "-n", "auto", "--dist", "each", RUNS_OUT=str(out))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert len(list(out.iterdir())) == (os.cpu_count() or 1) + 1
