"""An env build that lacked a system file is built again with its package, and only while each
build finds a package not yet added (``RETRIES`` at most): ``ensure_env_image`` against a
stand-in Docker client whose builds fail as a build that lacks the file prints it."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import docker.errors
import pytest

from rfsn.buildpacks.base import EnvRecipe
from rfsn.errors import ImageError
from rfsn.sandbox import syspkgs
from rfsn.sandbox.images import BuildOptions, ensure_env_image
from tests.sandbox.test_syspkgs import BASE, seed_index

MIRROR = "http://127.0.0.1:9/debian"  # never asked: the index is kept in the home already
RECIPE = EnvRecipe(buildpack="python", base=BASE, steps=("pip install x",))
#: (a line of a build that lacked the file, the package that ships it)
LACKS = (
    ("Error: pg_config executable not found.", "libpq-dev"),
    ("fatal error: ffi.h: No such file or directory", "libffi-dev"),
    ("fatal error: yaml.h: No such file or directory", "libyaml-dev"),
    ("fatal error: lber.h: No such file or directory", "libldap-dev"),
    ("fatal error: sasl/sasl.h: No such file or directory", "libsasl2-dev"),
)


class Images:
    def __init__(self, here: set[str]) -> None:
        self.here = here

    def get(self, tag: str) -> object:
        if tag not in self.here:
            raise docker.errors.ImageNotFound(tag)
        return object()


class Api:
    """Builds that fail, printing the first of ``lacks`` whose package the Dockerfile lacks."""

    def __init__(self, here: set[str], lacks: tuple[tuple[str, str], ...]) -> None:
        self.here, self.lacks, self.dockerfiles = here, lacks, []  # type: ignore[var-annotated]

    def build(self, fileobj: io.BytesIO, tag: str, **_: Any) -> Iterator[dict[str, str]]:
        with tarfile.open(fileobj=fileobj) as tar:
            text = tar.extractfile("Dockerfile").read().decode()  # type: ignore[union-attr]
        self.dockerfiles.append(text)
        yield {"stream": "Step 1/4 : FROM base\nStep 2/4 : RUN pip install x\n"}
        for line, package in self.lacks:
            if package not in text:
                yield {"stream": f"  {line}\n"}
                yield {"error": "The command '/bin/sh -c pip install x' returned a non-zero code: 1"}
                return
        self.here.add(tag)
        yield {"stream": "Successfully built\n"}


class Client:
    def __init__(self, lacks: tuple[tuple[str, str], ...]) -> None:
        here = {BASE.registry_image}
        self.images, self.api = Images(here), Api(here, lacks)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    seed_index(tmp_path, date.today())
    return tmp_path


def test_a_build_that_lacked_pg_config_is_built_once_more_with_libpq_dev(home: Path) -> None:
    client = Client(LACKS[:1])
    tag = ensure_env_image(client, RECIPE, BuildOptions("registry", mirror=MIRROR, home=home))
    assert len(client.api.dockerfiles) == 2 and "apt-get install" not in client.api.dockerfiles[0]
    assert "libpq-dev" in client.api.dockerfiles[1] and tag in client.images.here
    again = Client(LACKS[:1])  # another host, the same home: the recipe starts with the package
    assert ensure_env_image(again, RECIPE, BuildOptions("registry", mirror=MIRROR, home=home)) == tag
    assert len(again.api.dockerfiles) == 1


def test_retries_stop_at_their_bound_and_the_error_names_what_was_added(home: Path) -> None:
    client = Client(LACKS)
    with pytest.raises(ImageError) as caught:
        ensure_env_image(client, RECIPE, BuildOptions("registry", mirror=MIRROR, home=home))
    assert len(client.api.dockerfiles) == syspkgs.RETRIES + 1
    assert "lber.h" in str(caught.value) and "with Debian packages libpq-dev, libffi-dev, libyaml-dev added" in str(
        caught.value
    )


def test_a_failure_that_lacked_no_file_is_built_once_and_stands(home: Path) -> None:
    client = Client((("ERROR: No matching distribution found for x==9", "never-there"),))
    with pytest.raises(ImageError, match="No matching distribution found for x==9") as caught:
        ensure_env_image(client, RECIPE, BuildOptions("registry", mirror=MIRROR, home=home))
    assert len(client.api.dockerfiles) == 1 and "Debian packages" not in str(caught.value)


def test_without_a_home_nothing_is_looked_up(home: Path) -> None:
    client = Client(LACKS[:1])
    with pytest.raises(ImageError, match="pg_config executable not found"):
        ensure_env_image(client, RECIPE, BuildOptions("registry", mirror=MIRROR))
    assert len(client.api.dockerfiles) == 1
