"""First ``rfsn test`` of a repo whose env image does not exist yet vs the second one.

The repo is a temp project whose requirements carry a unique but harmless pin
(``packaging>=1.0.<random>``), so its recipe hash is new and the first run
builds the env image. Both runs are the real CLI; the image is removed at the
end. Prints both times to first result and the ratio (goal: >= 10x).

    python benchmarks/bench_cache.py
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docker

from rfsn.buildpacks.python.buildpack import PythonBuildpack

TEST = "def test_ok():\n    import packaging\n    assert packaging\n"


def rfsn_test(repo: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "rfsn", "test", str(repo), "--sandbox", "docker", "--json"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"rfsn test failed ({proc.returncode}): {proc.stderr[-1000:]}")
    return elapsed


def main() -> None:
    client = docker.from_env()
    with tempfile.TemporaryDirectory(prefix="rfsn-bench-cache-") as tmp:
        repo = Path(tmp) / "uniq"
        (repo / "tests").mkdir(parents=True)
        pin = f"packaging>=1.0.{random.randrange(10**6, 10**7)}"
        (repo / "requirements.txt").write_text(f"pytest>=7\n{pin}\n")
        (repo / "tests" / "test_uniq.py").write_text(TEST)
        key = PythonBuildpack().env_recipe(repo).key()
        try:
            cold = rfsn_test(repo)
            warm = rfsn_test(repo)
        finally:
            for image in client.images.list(filters={"label": f"rfsn.recipe={key}"}):
                client.images.remove(image.id, force=True)
    print(f"unique pin: {pin} (recipe {key})")
    print(f"first rfsn test (builds the env image): {cold:.2f} s")
    print(f"second rfsn test (image cached):        {warm:.2f} s")
    print(f"ratio first / second: {cold / warm:.1f}x (goal >= 10x)")


if __name__ == "__main__":
    main()
