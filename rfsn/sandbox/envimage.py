"""What an env image is built from, as one value: its recipe on a base image, with the compile
cache's tools when the project's install compiles through them. Its tag is a hash of that value
(content-addressed: the same inputs, the same tag; any change, a rebuild); the Dockerfile and
the build context are written from it.
"""

from __future__ import annotations

import hashlib
import io
import json
import shlex
import tarfile
from dataclasses import dataclass
from pathlib import Path

from rfsn.buildpacks.base import BUILD_NOTES, EnvRecipe
from rfsn.errors import ImageError
from rfsn.sandbox import asof, ccache, syspkgs
from rfsn.sandbox.labels import MANAGED
from rfsn.sandbox.layout import CA_PATH, ENV_ROOT, ca_environment
from rfsn.sandbox.sourcetree import source_tree

#: the sandbox may run as another user, who writes in the environment (``a+rwX`` on all of it):
#: each step opens what it made, in its own layer (a recursive chmod in a layer of its own
#: copies every file of the environment into it); only what is not open yet is touched
OPEN_MODES = (
    f"find {ENV_ROOT} \\( \\( -type d ! -perm -0777 \\) -o \\( ! -type d ! -type l "
    "\\( ! -perm -0666 -o \\( -perm /0111 ! -perm -0111 \\) \\) \\) \\) -exec chmod a+rwX {} +"
)
#: ...as the step's shell exits, however it ends (``exit 0`` early, a last ``# comment``); a step
#: that failed keeps its status
OPEN_AT_EXIT = f"trap '{OPEN_MODES} || exit 1' EXIT; "


@dataclass(frozen=True)
class EnvImage:
    """``recipe`` built on ``base_ref``; ``compiler``: the compile cache's tools (``ccache.digest``)
    when the steps that install the project from its tree compile through ccache into the image's
    cache (``ccache.IMAGE_STORE``), "" otherwise (and always for a recipe without a tree)."""

    recipe: EnvRecipe
    base_ref: str
    compiler: str = ""

    @property
    def tag(self) -> str:
        """Hash of everything that produces the image: the Dockerfile (with its base and the
        compile cache's tools), the files and the commit of the project's tree it installs."""
        recipe = self.recipe
        payload = self.dockerfile(with_ca=False) + json.dumps(recipe.files) + recipe.source + recipe.python_archive
        return f"rfsn/env-{recipe.buildpack}:{hashlib.sha256(payload.encode()).hexdigest()[:16]}"

    def dockerfile(self, with_ca: bool, step_timeout: float | None = None) -> str:
        """The Dockerfile; each step killed after ``step_timeout`` seconds (not part of the tag:
        the image it builds is the same)."""
        recipe = self.recipe
        lines = [f"FROM {self.base_ref}", f"ENV RFSN_ENV={ENV_ROOT}"]
        if with_ca:
            lines.append(f"COPY ca.crt {CA_PATH}")
            lines.append("ENV " + " ".join(f"{k}={v}" for k, v in ca_environment().items()))
        if recipe.system_packages:  # found by an earlier build that lacked them (``syspkgs``)
            lines.append(f"RUN {_limited(syspkgs.apt_step(recipe.system_packages), step_timeout)}")
        if recipe.files:
            lines.append(f"COPY files/ {ENV_ROOT}/files/")
        if recipe.python_archive:  # ADD unpacks a local tar: its python/ lands at /opt/python
            lines.append("ADD python.tar.gz /opt/")
        if recipe.env:
            lines.append("ENV " + " ".join(f"{k}={_quote(v)}" for k, v in recipe.env))
        lines += self._steps(step_timeout)
        if recipe.index_date:  # what the index served from after its date, for the report
            fetch = (
                "import os, urllib.request; print(urllib.request.urlopen(os.environ['PIP_INDEX_URL']"
                f".rsplit('/simple', 1)[0] + {asof.LATER_PATH!r}).read().decode(), end='')"
            )
            lines.append(f"RUN python3 -c {shlex.quote(fetch)} >> {BUILD_NOTES} && {OPEN_MODES}")
        if not lines[-1].startswith("RUN "):  # what a COPY made last is opened in a step of its own
            lines.append(f"RUN mkdir -p {ENV_ROOT} && {OPEN_MODES}")
        lines.append(f'LABEL {MANAGED}="1" rfsn.recipe="{recipe.key()}" rfsn.buildpack="{recipe.buildpack}"')
        return "\n".join(lines) + "\n"

    def _steps(self, step_timeout: float | None) -> list[str]:
        """The recipe's steps, with the project's tree copied in just before the first that reads
        it, so recipes that differ only in the commit share the build's cached layers up to there."""
        recipe = self.recipe
        copied = not recipe.source
        compiler = self.compiler if recipe.source else ""
        lines: list[str] = []
        for number, step in enumerate(recipe.steps):
            if number == recipe.undated_steps:
                lines += self._index()
            if not copied and "$RFSN_ENV/src" in step:
                if compiler:  # the repository's cache's URL (a loopback port): an ARG, unhashed
                    lines += [f"# compile cache {compiler}", f"COPY ccache/ {ccache.TOOLS}/", f"ARG {ccache.BUILD_ARG}"]
                lines.append(f"COPY src/ {ENV_ROOT}/src/")
                copied = True
            run = _limited(f"{OPEN_AT_EXIT}set -e; {step}", step_timeout)
            lines.append(f"RUN {ccache.build_step(run) if compiler and '$RFSN_ENV/src' in step else run}")
        if not copied:
            lines.append(f"COPY src/ {ENV_ROOT}/src/")
        return lines if recipe.undated_steps < len(recipe.steps) else lines + self._index()

    def _index(self) -> list[str]:
        """The dated index's lines, before the first step that may read it: its URL (a loopback
        port that may change) is a build argument, unhashed, and every step after it is cached
        under its value."""
        recipe = self.recipe
        if not recipe.index_date:
            return []
        return [
            f"# packages as PyPI had them before {recipe.index_date}",
            *(f"# {name}: at least its first release after {day}" for name, day in recipe.floors),
            "ARG PIP_INDEX_URL PIP_TRUSTED_HOST",
        ]

    def context(
        self,
        ca_bundle: Path | None,
        step_timeout: float | None,
        checkout: Path | None = None,
        tools: Path | None = None,
    ) -> io.BytesIO:
        """The build context (a tar): the Dockerfile and what its COPY and ADD take, the project's
        tree at ``recipe.source`` from ``checkout``, the compile cache's ``tools``."""
        recipe, buffer = self.recipe, io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:

            def add(name: str, data: bytes, mode: int = 0o644) -> None:
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(data), mode
                tar.addfile(info, io.BytesIO(data))

            add("Dockerfile", self.dockerfile(ca_bundle is not None, step_timeout).encode())
            if self.compiler and recipe.source and tools is not None:
                tar.add(str(tools), arcname="ccache")
            if ca_bundle is not None:
                add("ca.crt", ca_bundle.read_bytes())
            for name, text in recipe.files:
                add(f"files/{name}", text.encode(), _opened(0o644, directory=False))
            if recipe.python_archive:
                if recipe.python_archive_path is None or not recipe.python_archive_path.is_file():
                    raise ImageError(f"the Python archive {recipe.python_archive_path} is gone")
                tar.add(str(recipe.python_archive_path.resolve()), arcname="python.tar.gz")  # a link: its file
            if recipe.source:
                with tarfile.open(fileobj=io.BytesIO(source_tree(checkout, recipe.source))) as tree:
                    for member in tree.getmembers():
                        member.mode = member.mode if member.issym() else _opened(member.mode, member.isdir())
                        tar.addfile(member, tree.extractfile(member) if member.isfile() else None)
        buffer.seek(0)
        return buffer


def _opened(mode: int, directory: bool) -> int:
    """Pure: ``mode`` as ``chmod a+rwX`` leaves it (what COPY takes is open as it lands)."""
    return mode | (0o777 if directory or mode & 0o111 else 0o666)


def _limited(script: str, seconds: float | None) -> str:
    if seconds is None:
        return script
    return f"timeout -k 10 {seconds:g} sh -c {shlex.quote(script)}"


def _quote(value: str) -> str:
    """Double quotes: Dockerfile ENV expands ``$RFSN_ENV`` inside them, not inside single ones."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
