"""Dated env builds sharing the venv's layer: the second of two builds of one small Python recipe
on two dates, with the dated index declared before every step (the plain way) and after the venv
(the new way, ``EnvRecipe.undated_steps``). A nonce in the recipe's environment makes every build of
a run fresh; the images are removed afterwards.

    PYTHONPATH=. python benchmarks/bench_dated_layers.py [--rounds 1]
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

import docker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rfsn.buildpacks.base import EnvRecipe
from rfsn.buildpacks.python.pyenv import CREATE_VENV, PIP_INSTALL, VENV_ENV
from rfsn.buildpacks.python.pyrecipe import python_image
from rfsn.sandbox.images import BuildOptions, ensure_env_image
from rfsn.settings import load_settings

DATES = ("2020-06-01", "2021-06-01")


def second_build(client: docker.DockerClient, undated: int, options: BuildOptions, tags: list[str]) -> float:
    """Seconds of the second date's build, after the first date's."""
    nonce = uuid.uuid4().hex[:12]
    seconds = 0.0
    for date in DATES:
        recipe = EnvRecipe(
            buildpack="python",
            base=python_image("3.11"),
            env=(*VENV_ENV, ("RFSN_BENCH_NONCE", nonce)),
            steps=(CREATE_VENV, f"{PIP_INSTALL} six"),
            index_date=date,
            undated_steps=undated,
        )
        started = time.monotonic()
        tags.append(ensure_env_image(client, recipe, options))
        seconds = time.monotonic() - started
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    settings = load_settings()
    options = BuildOptions(settings.base_image_source, settings.resolved_ca_bundle(), step_timeout=600)
    client = docker.from_env()
    tags: list[str] = []
    try:
        for _ in range(args.rounds):
            plain = second_build(client, 0, options, tags)
            shared = second_build(client, 1, options, tags)
            print(f"second date's build: plain {plain:.1f}s, venv shared {shared:.1f}s, {plain / shared:.2f}x")
    finally:
        for tag in tags:
            client.images.remove(tag, force=True)


if __name__ == "__main__":
    main()
