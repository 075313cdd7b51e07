"""An env image pulled from a registry vs the same image built cold, in one run (issue #47).

A temp Python project whose requirements carry a unique but harmless pin
(``packaging>=1.0.<random>``) has a new recipe hash, so its env image is built cold
(every step after the requirements misses Docker's layer cache) and pushed to a
registry on loopback (Debian's ``docker-registry``, storage in a temp directory).
The image is then removed here and asked for again: it is pulled, as a second node
of a cluster would pull it. The base image stays, as it does on a node that has run
any instance. Prints the build, push and pull times and the ratio build / pull;
the image is removed at the end.

With ``--second-daemon`` (root) the image is asked for on a second Docker daemon started for
the run (``tests/sandbox/second_daemon.py``), empty as a new node's: its first round pulls the
base too, so that round is a new node's first instance.

    PYTHONPATH=. python benchmarks/bench_registry.py [--rounds N] [--second-daemon]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import docker
from structlog.testing import capture_logs

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.sandbox import dated
from rfsn.sandbox.images import BuildOptions, ensure_env_image
from rfsn.settings import load_settings
from tests.sandbox.registry_server import serving
from tests.sandbox.second_daemon import running

TEST = "def test_ok():\n    import packaging\n    assert packaging\n"


def _round(
    client: docker.DockerClient, shared: str, root: Path, there: docker.DockerClient | None
) -> tuple[float, float, float, int, float]:
    """(build s, push s, pull s, env layers' bytes, base pull s) of one project with a unique
    pin, pulled here after removing it or, given ``there``, pulled by that other daemon."""
    settings = load_settings()
    repo = root / f"uniq{random.randrange(10**9)}"
    (repo / "tests").mkdir(parents=True)
    (repo / "requirements.txt").write_text(f"pytest>=7\npackaging>=1.0.{random.randrange(10**6, 10**7)}\n")
    (repo / "tests" / "test_uniq.py").write_text(TEST)
    pack = PythonBuildpack()
    dated(pack, settings)
    recipe = pack.env_recipe(repo)

    def ensure(client: docker.DockerClient) -> tuple[str, float, list[dict]]:
        started = time.perf_counter()
        with capture_logs() as logs:
            tag = ensure_env_image(
                client,
                recipe,
                BuildOptions(
                    settings.base_image_source,
                    settings.resolved_ca_bundle(),
                    step_timeout=settings.setup_timeout,
                    checkout=repo,
                    mirror=settings.debian_mirror,
                    shared=shared,
                ),
            )
        return tag, time.perf_counter() - started, logs

    tag, first, logs = ensure(client)
    puller = there or client
    try:
        built = [e for e in logs if e["event"] == "image.build"]
        pushed = [e["seconds"] for e in logs if e["event"] == "image.pushed" and e["image"] == tag]
        if not built or not pushed:
            raise SystemExit(f"expected a build and a push, saw {[e['event'] for e in logs]}")
        base_push = sum(e["seconds"] for e in logs if e["event"] == "image.pushed" and e["image"] != tag)
        image = client.images.get(tag)
        base = client.images.get(built[0]["base"])
        layers = image.attrs["Size"] - base.attrs["Size"]
        if there is None:
            client.images.remove(tag)
        _, second, logs = ensure(puller)
        pulls = [(e["image"], e["seconds"]) for e in logs if e["event"] == "image.pulled"]
        if [e["event"] for e in logs if e["event"] == "image.build"] or tag not in dict(pulls):
            raise SystemExit(f"expected a pull, saw {[e['event'] for e in logs]}")
    finally:
        client.images.remove(tag, force=True)
        if there is not None:
            there.images.remove(tag, force=True)
    return first - pushed[0] - base_push, pushed[0], second, layers, second - dict(pulls)[tag]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--second-daemon", action="store_true", help="pull on a second Docker daemon of this host (root)"
    )
    args = parser.parse_args()
    rounds = args.rounds
    client = docker.from_env()
    rows = []
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="rfsn-bench-registry-"))
        shared = stack.enter_context(serving(Path(tmp)))
        there = None
        if args.second_daemon:
            host = stack.enter_context(running())
            there = stack.enter_context(contextlib.closing(docker.DockerClient(base_url=host, timeout=3600)))
        for n in range(rounds):
            build, push, pull, layers, other = _round(client, shared, Path(tmp), there)
            rows.append((build, push, pull))
            also = f" ({other:.1f} s of it before the env's pull: the base's)" if other >= 0.5 else ""
            print(
                f"round {n + 1}: cold build {build:.1f} s, push {push:.1f} s, pull {pull:.1f} s{also} "
                f"(env layers {layers / 1e6:.0f} MB), build / pull {build / pull:.1f}x",
                flush=True,
            )
    build, push, pull = (statistics.median(column) for column in zip(*rows, strict=True))
    print(
        f"median of {rounds}: cold build {build:.1f} s, push {push:.1f} s, pull {pull:.1f} s; "
        f"build / pull {build / pull:.1f}x"
    )


if __name__ == "__main__":
    main()
