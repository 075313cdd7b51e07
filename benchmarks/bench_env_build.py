"""One small Python project's env build, fresh, the plain way and the new way in the same run: per
step (seconds of each Dockerfile instruction), in all, and the images' sizes. The plain way is the
shape before: each of rfsn's test-tool sets of an as-of build in a step of its own (its own pip
list, install and pip check) and a last step ``chmod -R a+rwX`` over the whole environment (a
layer that copies every file of it); the new way is the recipe and the Dockerfile as rfsn writes
them (one step for the tools, each step opening the modes of what it made). A nonce in the
recipe's environment makes every build fresh (the base image is reused); the images are removed.

    PYTHONPATH=. python benchmarks/bench_env_build.py [--as-of 2021-06-01] [--python 3.9]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from pathlib import Path
from statistics import median

import docker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rfsn.buildpacks.base import EnvOptions, EnvRecipe, date_env
from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.python import pyrecipe
from rfsn.buildpacks.python.pyenv import DATED_INDEX_DONE, PIP_INSTALL, TODAY_PIP_INSTALL, keeping
from rfsn.buildpacks.steplog import step_name
from rfsn.sandbox.envimage import OPEN_AT_EXIT, OPEN_MODES, EnvImage
from rfsn.sandbox.images import _index, resolve_base
from rfsn.sandbox.layout import ENV_ROOT
from rfsn.settings import load_settings

PYPROJECT = """[project]
name = "tiny"
version = "0.1"
dependencies = ["six"]

[build-system]
requires = ["setuptools", "wheel"]
build-backend = "setuptools.build_meta"
"""


#: the Node project: mocha, its test tool, as its one dependency
PACKAGE_JSON = '{"name": "tiny", "version": "1.0.0", "scripts": {"test": "mocha"}, "devDependencies": {"mocha": "^10"}}'


def project(root: Path, day: str, node: bool = False) -> Path:
    """A one-module project (Python, or Node) whose one commit is of ``day``."""
    repo = root / ("tiny-node" if node else "tiny")
    (repo / ("test" if node else "tests")).mkdir(parents=True)
    if node:
        (repo / "package.json").write_text(PACKAGE_JSON)
        (repo / "index.js").write_text("exports.add = (a, b) => a + b;\n")
        (repo / "test" / "add.js").write_text("require('assert').strictEqual(require('..').add(1, 2), 3);\n")
    else:
        (repo / "pyproject.toml").write_text(PYPROJECT)
        (repo / "tiny.py").write_text("import six\n\n\ndef add(a, b):\n    return a + b\n")
        (repo / "tests" / "test_tiny.py").write_text(
            "from tiny import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
        )
    when = f"{day}T12:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=b", "-c", "user.email=b@x", "commit", "-qm", "t"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env)
    return repo


def plain_recipe(recipe: EnvRecipe, python: str) -> EnvRecipe:
    """``recipe`` with rfsn's test tools of an as-of build in two steps, as before."""
    if recipe.buildpack != "python" or not recipe.index_date:
        return recipe
    tools = [
        keeping(pyrecipe.ERA_PLUGINS, PIP_INSTALL, "the project's"),
        keeping(
            pyrecipe.coverage_tooling(pyrecipe.TODAY_TOOLING, python),
            TODAY_PIP_INSTALL,
            "the project's",
            constrained=True,
        )
        + f" && {DATED_INDEX_DONE}",
    ]
    return recipe.model_copy(update={"steps": (*recipe.steps[:-1], *tools)})


def plain_dockerfile(text: str) -> str:
    """The Dockerfile as before: no step opens modes; one last step opens all of the environment."""
    lines = [
        line.replace(OPEN_AT_EXIT, "").replace(f" && {OPEN_MODES}", "")
        for line in text.splitlines()
        if line != f"RUN mkdir -p {ENV_ROOT} && {OPEN_MODES}"
    ]
    label = next(i for i, line in enumerate(lines) if line.startswith("LABEL "))
    lines.insert(label, f"RUN mkdir -p {ENV_ROOT} && chmod -R a+rwX {ENV_ROOT}")
    return "\n".join(lines) + "\n"


def build(client: docker.DockerClient, image: EnvImage, dockerfile: str, repo: Path, ca: Path | None) -> dict:
    """Build ``image`` with ``dockerfile``: its tag, seconds in all and per instruction, size."""
    context = io.BytesIO()
    with (
        tarfile.open(fileobj=image.context(ca, None, repo), mode="r") as source,
        tarfile.open(fileobj=context, mode="w") as tar,
    ):
        for member in source.getmembers():
            data = dockerfile.encode() if member.name == "Dockerfile" else None
            if data is not None:
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data) if data is not None else source.extractfile(member))
    context.seek(0)
    tag = f"rfsn-bench/env-build:{uuid.uuid4().hex[:12]}"
    steps: list[list] = []
    output: list[str] = []
    started = time.monotonic()
    with _index(image.recipe, ca) as index:
        for chunk in client.api.build(
            fileobj=context, custom_context=True, tag=tag, rm=True, forcerm=True, decode=True, **index
        ):
            text = chunk.get("stream", "")
            output.append(text)
            if "error" in chunk:
                raise SystemExit("".join(output)[-3000:] + chunk["error"])
            if text.startswith("Step "):
                steps.append([text.split(" : ", 1)[1].strip(), time.monotonic()])
    ended = time.monotonic()
    for i, step in enumerate(steps):
        step[1] = (steps[i + 1][1] if i + 1 < len(steps) else ended) - step[1]
    return {"tag": tag, "seconds": ended - started, "steps": steps, "size": client.images.get(tag).attrs["Size"]}


def named(instruction: str) -> str:
    if not instruction.startswith("RUN "):
        return instruction[:60]
    script = instruction[4:].replace(OPEN_AT_EXIT, "").removeprefix("set -e; ").replace(f" && {OPEN_MODES}", "")
    return ("RUN " + step_name(script, 56))[:60]


def report(way: str, builds: list[dict], base_size: int) -> None:
    """Each instruction's median seconds over ``builds`` (of one way), the median in all, the size."""
    size, env = builds[0]["size"] / 1e6, (builds[0]["size"] - base_size) / 1e6
    runs = ", ".join(f"{b['seconds']:.1f}" for b in builds)
    print(
        f"  {way}: median {median(b['seconds'] for b in builds):.1f}s ({runs}), image {size:.1f} MB (env {env:.1f} MB)"
    )
    for number, (instruction, _) in enumerate(builds[0]["steps"]):
        print(f"    {median(b['steps'][number][1] for b in builds):7.1f}s  {named(instruction)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", default="2021-06-01", help="the commit's day (its as-of build)")
    parser.add_argument("--python", default="3.9", help="the as-of build's Python")
    parser.add_argument("--only", choices=("today", "as-of", "node"), help="one of the builds")
    parser.add_argument("--rounds", type=int, default=1, help="builds of each way, in alternating order")
    args = parser.parse_args()
    settings = load_settings()
    ca = settings.resolved_ca_bundle()
    client = docker.from_env()
    cases = {
        "today": ("today, Python 3.11", EnvOptions(as_of="today", runtime="3.11")),
        "as-of": (f"as of {args.as_of}, Python {args.python}", EnvOptions(runtime=args.python)),
        "node": ("today, Node (mocha)", EnvOptions(as_of="today")),
    }
    tags: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        repo, node_repo = project(Path(tmp), args.as_of), project(Path(tmp), args.as_of, node=True)
        try:
            for key, (title, options) in cases.items():
                if args.only not in (None, key):
                    continue
                if key == "node":
                    pack = NodeBuildpack()
                    date_env(pack, options)
                    new, repo = pack.env_recipe(node_repo), node_repo
                else:
                    new = pyrecipe.recipe(repo, "python", options)
                base_ref = resolve_base(client, new.base, settings.base_image_source)
                base_size = client.images.get(base_ref).attrs["Size"]
                print(title, flush=True)
                results: dict[str, list[dict]] = {"plain": [], "new": []}
                for number in range(args.rounds):
                    for way in ("plain", "new") if number % 2 == 0 else ("new", "plain"):
                        recipe = plain_recipe(new, options.runtime or "") if way == "plain" else new
                        nonce = ("RFSN_BENCH_NONCE", uuid.uuid4().hex)
                        image = EnvImage(recipe.model_copy(update={"env": (*recipe.env, nonce)}), base_ref)
                        text = image.dockerfile(ca is not None)
                        built = build(client, image, plain_dockerfile(text) if way == "plain" else text, repo, ca)
                        tags.append(built["tag"])
                        client.images.remove(built["tag"], force=True)
                        results[way].append(built)
                        print(f"  round {number + 1}: {way} {built['seconds']:.1f}s", flush=True)
                for way, builds in results.items():
                    report(way, builds, base_size)
                plain, now = (median(b["seconds"] for b in results[way]) for way in ("plain", "new"))
                plain_env, new_env = ((results[way][0]["size"] - base_size) / 1e6 for way in ("plain", "new"))
                print(
                    f"  plain/new: {plain / now:.2f}x time (medians), env layers {plain_env:.1f} MB -> {new_env:.1f} MB"
                )
        finally:
            for tag in tags:
                with contextlib.suppress(docker.errors.ImageNotFound):
                    client.images.remove(tag, force=True)


if __name__ == "__main__":
    main()
