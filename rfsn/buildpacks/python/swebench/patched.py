"""A spec's environment when a patch edits the project's metadata: installed from the tree
``patchtree`` makes, the spec's install steps run on it as on the commit's own tree.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Protocol, TypeVar

from rfsn.buildpacks.base import EnvRecipe
from rfsn.buildpacks.python.swebench import metadata, specs
from rfsn.buildpacks.python.swebench.patchtree import patched_source
from rfsn.buildpacks.python.swebench.upstream import Spec


class _Specified(Protocol):
    spec: Spec
    recipe: EnvRecipe


_B = TypeVar("_B", bound=_Specified)


def installing(buildpack: _B, checkout: Path, commit: str, patch: str) -> _B:
    """``buildpack`` whose env installs the project from ``commit`` with ``patch`` applied, when
    the patch edits the project's metadata (``patchtree``); else ``buildpack``."""
    if not buildpack.recipe.source:
        return buildpack
    spec, recipe = buildpack.spec, buildpack.recipe
    tree = patched_source(checkout, commit, patch, metadata.metadata_edits(spec))
    if tree is None:
        return buildpack
    version = metadata.scm_version(recipe.source_repo or checkout, recipe.source)
    backend = metadata.build_backend(recipe.source_repo or checkout, recipe.source, metadata.metadata_edits(spec))
    plain, edited = (
        specs.install_source(spec, version, build_backend=backend),
        specs.install_source(spec, version, edited=True, build_backend=backend),
    )
    patched = copy.copy(buildpack)
    patched.recipe = recipe.model_copy(
        update={
            "source": tree,
            "source_repo": None,
            "steps": tuple(edited if step == plain else step for step in recipe.steps),
        }
    )
    return patched
