"""Debian packages an env build lacked, found rather than listed by hand.

A build that stops on a missing executable, header, library or pkg-config file (``missing``)
gets the package of the image's Debian release that ships it (``debcontents``), installed before
the recipe's steps, and is built again: at most ``RETRIES`` times, each only while the last one
found a package not yet added. The image's notes say what was added and why (the session's
report shows them); what was found for a recipe is kept under ``<home>/syspkgs/`` by its key, so
its next build starts with those packages instead of failing first.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from rfsn.buildpacks.base import BUILD_NOTES, EnvRecipe
from rfsn.errors import InputError
from rfsn.fsutil import write_atomic
from rfsn.inputs import json_value, read_bounded
from rfsn.observability.logging import get_logger
from rfsn.sandbox import debcontents
from rfsn.sandbox.missing import Missing, missing_files

log = get_logger(__name__)
#: builds after the first, each with the packages the one before it lacked (a build may show what
#: it lacks one library at a time)
RETRIES = 3
_STEP = re.compile(r"^Step \d+/\d+ : ", re.M)


def apt_step(packages: tuple[tuple[str, str], ...]) -> str:
    """The shell step that installs ``packages`` ((name, why) pairs) and notes why."""
    names = " ".join(shlex.quote(name) for name, _ in packages)
    notes = " ".join(shlex.quote(f"Debian package {name} added: {why}") for name, why in packages)
    return (
        f"apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
        f"--no-install-recommends {names} && rm -rf /var/lib/apt/lists/* && "
        f'mkdir -p "$RFSN_ENV" && printf \'%s\\n\' {notes} >> "{BUILD_NOTES}"'
    )


def why(want: Missing) -> str:
    """Why a package was added: the file the build lacked and the line that said so."""
    return f"the build lacked {want.described} ({want.line[:200]})"


def last_step(output: str) -> str:
    """The output of a legacy docker build's last step (all of it when no step is marked)."""
    marks = list(_STEP.finditer(output))
    return output[marks[-1].end() :] if marks else output


def remedy(recipe: EnvRecipe, output: str, home: Path, mirror: str, ca_bundle: Path | None = None) -> EnvRecipe | None:
    """``recipe`` with the Debian packages that ship the files its failed build's ``output``
    says it lacked, or None when it names none, none is in the index, or all were added before.
    OSError reaching the index is logged and is None: the build's own failure then stands."""
    wanted = missing_files(last_step(output))
    if not wanted:
        return None
    try:
        paths = debcontents.fetched(home, mirror, recipe.base.debian_release, ca_bundle)
    except OSError as exc:
        log.warning("image.system_packages_unavailable", release=recipe.base.debian_release, error=str(exc))
        return None
    found = debcontents.owners(debcontents.read_blocks(paths), wanted)
    have = {name for name, _ in recipe.system_packages}
    added: dict[str, str] = {}
    for want in wanted:
        if want in found:
            package = debcontents.preferred(found[want][1])
            if package not in have:
                added.setdefault(package, why(want))
    log.info(
        "image.system_packages",
        wanted=[w.described for w in wanted],
        found={w.described: found[w][1] for w in wanted if w in found},
        added=added,
    )
    if not added:
        return None
    return recipe.model_copy(update={"system_packages": (*recipe.system_packages, *added.items())})


def _memo(home: Path, recipe: EnvRecipe) -> Path:
    return home / "syspkgs" / f"{recipe.key()}.json"


def recall(home: Path, recipe: EnvRecipe) -> EnvRecipe:
    """``recipe`` with the packages an earlier build of it was found to lack, if any."""
    path = _memo(home, recipe)
    try:
        packages = json_value(read_bounded(path), str(path))
    except InputError:
        return recipe
    if not isinstance(packages, list) or not all(isinstance(p, list) and len(p) == 2 for p in packages):
        log.warning("image.system_packages_memo_unreadable", path=str(path))
        return recipe
    return recipe.model_copy(update={"system_packages": tuple((str(n), str(w)) for n, w in packages)})


def remember(home: Path, recipe: EnvRecipe, built: EnvRecipe) -> None:
    """Keep the packages ``built`` added to ``recipe`` for its next build."""
    if built.system_packages != recipe.system_packages:
        write_atomic(_memo(home, recipe), json.dumps([list(p) for p in built.system_packages]))
