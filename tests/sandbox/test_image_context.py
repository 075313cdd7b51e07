"""The build context of an env image: what Docker's ADD and COPY find in it."""

from __future__ import annotations

import tarfile
from pathlib import Path

from rfsn.buildpacks.base import EnvRecipe
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.sandbox.envimage import EnvImage


def test_a_python_archive_that_is_a_link_goes_in_as_its_file(tmp_path: Path) -> None:
    """An RFSN_PYTHON_ARCHIVES directory of links to archives kept elsewhere (one Python packed
    beside a shared directory's): the context held the link, and ADD found no file (`file not
    found in build context`: voluptuous 2016 on 3.6)."""
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "py.tar.gz").write_bytes(b"archive bytes")
    link = tmp_path / "cpython-3.6.15+pyenv-x86_64-unknown-linux-gnu-install_only.tar.gz"
    link.symlink_to(tmp_path / "store" / "py.tar.gz")
    recipe = EnvRecipe(
        buildpack="python",
        base=PythonBuildpack.default_base,
        steps=("true",),
        python_archive="digest",
        python_archive_path=link,
    )
    with tarfile.open(fileobj=EnvImage(recipe, "base").context(None, None)) as tar:
        member = tar.getmember("python.tar.gz")
        assert member.isfile(), member.type
        assert tar.extractfile(member).read() == b"archive bytes"  # type: ignore[union-attr]
