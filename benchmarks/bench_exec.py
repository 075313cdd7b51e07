"""A test run through the warm DockerSandbox vs plain ``docker exec`` of the same command.

Both run the same pytest command in the same container, N times each,
alternating; prints the medians and their ratio (goal: <= 1.05).

    python benchmarks/bench_exec.py [--project bankledger] [-n 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rfsn.buildpacks import select
from rfsn.observability.logging import configure
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings

DEVSET = Path(__file__).resolve().parent / "devset"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="bankledger")
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--devset", type=Path, default=DEVSET)
    args = parser.parse_args()
    configure(level="warning")
    with tempfile.TemporaryDirectory(prefix="rfsn-bench-") as tmp:
        subprocess.run(
            [sys.executable, str(args.devset / "materialize.py"), tmp, "--only", args.project],
            check=True,
            capture_output=True,
        )
        repo = Path(tmp) / args.project
        pack = select(repo)
        settings = Settings(sandbox="docker")
        with open_sandbox(repo, pack, settings, "docker") as box:
            argv = pack.test_command([], box.scratch_path)
            plain = ["docker", "exec", "-w", box.workdir, box.container.id, *argv]
            run_tests(box, pack, timeout=300)  # warm both paths once
            subprocess.run(plain, capture_output=True, check=False)
            rfsn_times, docker_times = [], []
            for _ in range(args.n):
                started = time.perf_counter()
                report = run_tests(box, pack, timeout=300)  # exec + reading the junit report
                rfsn_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                subprocess.run(plain, capture_output=True, check=False)
                docker_times.append(time.perf_counter() - started)
    rfsn_median, docker_median = statistics.median(rfsn_times), statistics.median(docker_times)
    print(f"project {args.project}, n={args.n}, {len(report.tests)} tests")
    print(f"rfsn run_tests (DockerSandbox.exec) median: {rfsn_median * 1000:.1f} ms")
    print(f"plain docker exec (CLI)           median: {docker_median * 1000:.1f} ms")
    print(f"ratio rfsn / docker exec: {rfsn_median / docker_median:.3f} (goal <= 1.05)")


if __name__ == "__main__":
    main()
