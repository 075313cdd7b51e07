"""The compile cache in a batch's common case: setups of one repository's commits in commit order.

A project whose setup compiles C files (gcc -O2); each of N commits changes none of them. Every
commit's setup runs in a new Docker sandbox (no setup snapshot of it yet), once with the compile
cache and once without (each with a fresh rfsn home). Prints the setups' seconds and the ratio
without / with (goal: well above 1), and how long building a setup's view of a cache of
``--entries`` entries takes (``ccachestore.view``, when this rfsn has it).

    python benchmarks/bench_ccache.py [-n 4] [--files 8] [--entries 4000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from rfsn.buildpacks.base import EnvRecipe
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.observability.logging import configure
from rfsn.sandbox import open_sandbox
from rfsn.sandbox.snapshots import HOME_LABEL
from rfsn.settings import Settings

SETUP = 'for f in src/*.c; do gcc -O2 -c "$f" -o "${f%.c}.o" || exit 1; done'


class Compiling(PythonBuildpack):
    """One env recipe for every commit, a setup that compiles ``src/*.c``."""

    recipe: EnvRecipe | None = None

    def env_recipe(self, repo: Path) -> EnvRecipe:
        if Compiling.recipe is None:
            Compiling.recipe = super().env_recipe(repo)
        return Compiling.recipe

    def setup_commands(self, repo: Path) -> list[list[str]]:
        return [["sh", "-c", SETUP]]


def _source(index: int) -> str:
    """A C file that takes gcc -O2 a noticeable moment."""
    body = "\n".join(
        f"long f{index}_{k}(long x) {{ long s = 0; for (long i = 0; i < x; i++) "
        f"{{ switch ((i * {k + 3}) % 7) {{ case 0: s += i; break; case 1: s ^= i << 2; break; "
        f"case 2: s -= i / 3; break; case 3: s *= 3; break; default: s += {k}; }} }} return s; }}"
        for k in range(120)
    )
    return f"/* file {index} */\n{body}\n"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=b", "-c", "user.email=b@b", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _repository(root: Path, files: int, commits: int) -> tuple[Path, list[str]]:
    repo = root / "proj"
    (repo / "src").mkdir(parents=True)
    (repo / "tests").mkdir()
    _git(root, "init", "-q", str(repo))
    (repo / "tests" / "test_ok.py").write_text("def test_ok():\n    pass\n")
    for index in range(files):
        (repo / "src" / f"m{index}.c").write_text(_source(index))
    made = []
    for number in range(commits):
        (repo / "notes.txt").write_text(f"commit {number}\n")
        _git(repo, "add", ".")
        _git(repo, "commit", "-qm", f"commit {number}")
        made.append(_git(repo, "rev-parse", "HEAD"))
    return repo, made


def _setups(repo: Path, commits: list[str], settings: Settings) -> list[float]:
    seconds = []
    for commit in commits:
        _git(repo, "clean", "-qffdx")
        _git(repo, "checkout", "-q", commit)
        started = time.perf_counter()
        with open_sandbox(repo, Compiling(), settings, "docker") as box:
            if box.setup_failure:
                raise SystemExit(box.setup_failure)
        seconds.append(time.perf_counter() - started)
    return seconds


def _view_seconds(root: Path, entries: int) -> float | None:
    try:
        from rfsn.sandbox import ccachestore
    except ImportError:
        return None
    repo, commits = _repository(root / "view", 0, 2)
    new = root / "new"
    for index in range(entries):
        (new / f"{index % 256:02x}").mkdir(parents=True, exist_ok=True)
        (new / f"{index % 256:02x}" / f"k{index}").write_bytes(index.to_bytes(4, "big") * 64)
    ccachestore.keep(root / "store", new, commits[0])
    times = []
    for _ in range(5):
        started = time.perf_counter()
        folder = ccachestore.view(root / "store", repo, commits[1])
        times.append(time.perf_counter() - started)
    assert sum(1 for p in folder.rglob("*") if p.is_file()) == entries
    return statistics.median(times)


def _warm(client: Any, repo: Path, settings: Settings) -> None:
    """The env image exists before anything is timed."""
    from rfsn.sandbox import dated
    from rfsn.sandbox.images import BuildOptions, ensure_env_image

    pack = Compiling()
    dated(pack, settings)
    ensure_env_image(
        client, pack.env_recipe(repo), BuildOptions(settings.base_image_source, settings.resolved_ca_bundle())
    )


def _remove_snapshots(client: Any, home: Path) -> None:
    for image in client.api.images(filters={"label": f"{HOME_LABEL}={home}"}):
        client.api.remove_image(image["Id"], force=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=4, help="commits")
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--entries", type=int, default=4000)
    args = parser.parse_args()
    configure(level="warning")
    import docker

    client = docker.from_env()
    results = {}
    with tempfile.TemporaryDirectory(prefix="rfsn-bench-ccache-") as tmp:
        repo, commits = _repository(Path(tmp), args.files, args.n)
        _warm(client, repo, Settings(sandbox="docker"))
        for cached in (True, False):
            home = Path(tmp) / f"home-{cached}"
            settings = Settings(sandbox="docker", home=home, compile_cache=cached, memory="2g", cpus=2.0)
            try:
                results[cached] = _setups(repo, commits, settings)
            finally:
                _remove_snapshots(client, home)
        view = _view_seconds(Path(tmp), args.entries)
    for cached, seconds in results.items():
        print(
            f"{'with' if cached else 'without'} the compile cache: {sum(seconds):.1f} s "
            f"({', '.join(f'{s:.1f}' for s in seconds)})"
        )
    print(f"ratio without / with: {sum(results[False]) / sum(results[True]):.2f}x")
    if view is not None:
        print(f"a setup's view of {args.entries} entries: {view * 1000:.0f} ms (median of 5)")


if __name__ == "__main__":
    main()
