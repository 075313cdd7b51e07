"""``--metrics-port``: a live Prometheus endpoint while real sessions run (repair, batch).

The endpoint is scraped during the run: counters must move while the
command works, and with ``--workers 2`` it must show the sum over workers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.sandbox.projects import make_project

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("docker_client", "no_leaked_sandboxes")]

BUGGY = {
    "calc.py": "def add(a, b):\n    return a - b\n",
    "tests/test_calc.py": "from calc import add\n\ndef test_add():\n    assert add(2, 3) == 5\n\n"
    "def test_zero():\n    assert add(0, 0) == 0\n",
}


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float] | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # loopback only
            text = response.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def total(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return sum(
        v for (n, ls), v in samples.items() if n == name and all(dict(ls).get(k) == want for k, want in labels.items())
    )


def watch(
    argv: list[str], url: str, until: Callable[[dict], bool], timeout: float = 300
) -> tuple[list[dict], subprocess.CompletedProcess[str]]:
    """Run the CLI and scrape ``url`` every 0.2 s while it runs; SIGTERM it once ``until`` holds."""
    seen: list[dict] = []
    with subprocess.Popen(
        [sys.executable, "-m", "rfsn", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    ) as proc:
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            samples = scrape(url)
            if samples is not None:
                seen.append(samples)
                if until(samples):
                    proc.terminate()  # it must clean up after itself (no_leaked_sandboxes)
                    break
            time.sleep(0.2)
        out, err = proc.communicate(timeout=timeout)
    return seen, subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_repair_serves_metrics_that_move_during_the_session(tmp_path: Path, free_tcp_port: int) -> None:
    repo = make_project(tmp_path / "calc", BUGGY)
    url = f"http://127.0.0.1:{free_tcp_port}/metrics"
    seen, proc = watch(
        [
            "repair",
            str(repo),
            "--out",
            str(tmp_path / "out"),
            "--sandbox",
            "docker",
            "--metrics-port",
            str(free_tcp_port),
        ],
        url,
        until=lambda s: False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    proposals = [total(s, "rfsn_proposals_total") for s in seen]
    assert len(set(proposals)) >= 2 and proposals == sorted(proposals), proposals
    last = seen[-1]
    assert total(last, "rfsn_test_runs_total", sandbox="docker") > 0
    assert total(last, "rfsn_gate_decisions_total", decision="accepted") > 0
    assert total(last, "rfsn_sandbox_operations_total", operation="create", result="ok") == 1
    assert total(last, "rfsn_candidates_total") > 0
    assert scrape(url) is None, "the endpoint outlived the command"


def test_batch_with_two_workers_serves_their_sum(
    tmp_path: Path, instances_file: Path, devset_repos: Path, free_tcp_port: int
) -> None:
    url = f"http://127.0.0.1:{free_tcp_port}/metrics"
    ids = ["devset__ratelimit-1", "devset__iniconf-1"]

    def both_created(samples: dict) -> bool:
        return total(samples, "rfsn_sandbox_operations_total", operation="create", result="ok") >= 2

    seen, proc = watch(
        [
            "batch",
            str(instances_file),
            "--out",
            str(tmp_path / "run"),
            "--repos-dir",
            str(devset_repos),
            "--oracle-tests",
            "--workers",
            "2",
            "--timeout",
            "240",
            "--instance-ids",
            " ".join(ids),
            "--metrics-port",
            str(free_tcp_port),
        ],
        url,
        until=both_created,
    )
    assert seen and both_created(seen[-1]), "the endpoint never showed both workers' containers"
    assert total(seen[-1], "rfsn_sandbox_operations_total", operation="create") == 2, proc.stderr[-2000:]
    assert proc.returncode != 0  # stopped by SIGTERM, its workers' containers removed


def test_batch_on_ray_serves_the_sum_over_its_tasks(
    tmp_path: Path, instances_file: Path, devset_repos: Path, free_tcp_port: int
) -> None:
    """Ray tasks run in Ray's worker processes: the endpoint must count them as well."""
    url = f"http://127.0.0.1:{free_tcp_port}/metrics"
    ids = ["devset__ratelimit-1", "devset__iniconf-1"]

    def both_created(samples: dict) -> bool:
        return total(samples, "rfsn_sandbox_operations_total", operation="create", result="ok") >= 2

    seen, proc = watch(
        [
            "batch",
            str(instances_file),
            "--out",
            str(tmp_path / "run"),
            "--repos-dir",
            str(devset_repos),
            "--oracle-tests",
            "--workers",
            "2",
            "--executor",
            "ray",
            "--timeout",
            "240",
            "--instance-ids",
            " ".join(ids),
            "--metrics-port",
            str(free_tcp_port),
        ],
        url,
        until=both_created,
    )
    assert seen and both_created(seen[-1]), f"the endpoint never showed both tasks' containers: {proc.stderr[-2000:]}"
    assert total(seen[0], "rfsn_sandbox_operations_total", operation="create") < 2  # it moved
    assert proc.returncode != 0  # stopped by SIGTERM, its tasks' containers removed
