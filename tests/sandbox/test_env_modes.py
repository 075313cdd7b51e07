"""The modes of an env image's environment: the sandbox user (another uid than the build's root)
writes what the build made, and no layer of the image copies the environment only to open it."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import pytest

from rfsn.buildpacks.base import BaseImage, EnvRecipe
from rfsn.sandbox.images import BuildOptions, ensure_env_image
from rfsn.settings import Settings

#: a file of 1 MiB the build makes, closed to others
BIG = "awk 'BEGIN { for (i = 0; i < 16384; i++) printf \"%064d\", 0 }' > $RFSN_ENV/d/big && chmod 600 $RFSN_ENV/d/big"


@pytest.mark.docker
def test_the_sandbox_user_writes_what_the_build_made_and_no_layer_copies_it_to_open_it(
    docker_client: Any, tiny_base: BaseImage
) -> None:
    """A last ``chmod -R a+rwX`` layer copied every file of the environment into it (the env
    layers of a small 3.11 project: 78 MB with it, 43 MB without); a step that ends early
    (``exit 0``) or in a comment is opened too, and a file the build context brings."""
    recipe = EnvRecipe(
        buildpack="python",
        base=tiny_base,
        files=(("given.txt", uuid.uuid4().hex),),
        steps=(
            f"mkdir -p $RFSN_ENV/d && {BIG}",
            "echo early > $RFSN_ENV/early && chmod 600 $RFSN_ENV/early && exit 0; echo never > $RFSN_ENV/early",
            "echo last > $RFSN_ENV/last && chmod 600 $RFSN_ENV/last # a step that ends in a comment",
        ),
    )
    tag = ensure_env_image(docker_client, recipe, BuildOptions(Settings().base_image_source))
    try:
        added = (
            docker_client.images.get(tag).attrs["Size"]
            - docker_client.images.get(tiny_base.bootstrap_tag).attrs["Size"]
        )
        assert added < 1.5 * 2**20, f"the env layers hold {added} bytes for a 1 MiB file"
        written = docker_client.containers.run(
            tag,
            [
                "sh",
                "-c",
                "echo more >> $RFSN_ENV/d/big && echo more >> $RFSN_ENV/early && echo more >> $RFSN_ENV/files/given.txt"
                " && echo more >> $RFSN_ENV/last"
                " && mkdir $RFSN_ENV/d/new $RFSN_ENV/new && cat $RFSN_ENV/early",
            ],
            user="65534:65534",
            remove=True,
        )
        assert written.decode() == "early\nmore\n"
    finally:
        with contextlib.suppress(Exception):
            docker_client.images.remove(tag, force=True)
