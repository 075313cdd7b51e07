"""Pythons Debian does not ship, from python-build-standalone archives the user provides.

An ``install_only`` archive (``cpython-3.8.18+20240107-x86_64-unknown-linux-gnu-
install_only.tar.gz``) unpacks to ``python/`` with ``bin/python3`` in it (``bin/python2.7``
for 2.7, packed from pyenv by ``scripts/pack-pythons``). rfsn looks for one
of the wanted ``X.Y`` in the directory ``RFSN_PYTHON_ARCHIVES`` names (the newest patch
release wins) and unpacks it at ``/opt/python`` in the env image; the env's venv is made
from that interpreter. The image is keyed by the archive's sha256, never by its path.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from pathlib import Path

from rfsn.buildpacks.datedindex import PYPI
from rfsn.buildpacks.python.pyenv import VENV_ENV

#: where the archive's ``python/`` lands in the image
PYTHON_HOME = "/opt/python"
INTERPRETER = f"{PYTHON_HOME}/bin/python3"
#: the last virtualenv that makes environments of Python 2.7
VIRTUALENV = "virtualenv<20.22"
#: the archive's libpython for the loader (an interpreter linked by an absolute path of the
#: machine that built it still finds it; python-build-standalone's own use $ORIGIN) and for the
#: linker: Pythons before 3.8 link every C extension a package builds with ``-lpythonX.Ym``,
#: whose ``-L`` in the archive's sysconfig names the build machine's prefix, not this one
LIBRARY_ENV: tuple[tuple[str, str], ...] = (
    ("LD_LIBRARY_PATH", f"{PYTHON_HOME}/lib"),
    ("LIBRARY_PATH", f"{PYTHON_HOME}/lib"),
)

_NAME = re.compile(r"^cpython-(\d+)\.(\d+)\.(\d+)[^-]*-x86_64-unknown-linux-gnu-install_only\.tar\.gz$")


def find(directory: Path | None, version: str) -> Path | None:
    """The archive of Python ``version`` (``X.Y``) in ``directory``, the newest patch, or None."""
    if directory is None or not directory.is_dir():
        return None
    found: list[tuple[int, Path]] = []
    for path in directory.iterdir():
        match = _NAME.match(path.name)
        if match and f"{match.group(1)}.{match.group(2)}" == version and path.is_file():
            found.append((int(match.group(3)), path))
    return max(found)[1] if found else None


def versions(directory: Path | None) -> set[str]:
    """The Pythons (X.Y) ``directory`` holds an archive of."""
    if directory is None or not directory.is_dir():
        return set()
    return {f"{m.group(1)}.{m.group(2)}" for path in directory.iterdir() if (m := _NAME.match(path.name))}


def digest(path: Path) -> str:
    """The archive's sha256 (the env image's key)."""
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def runs_python(python: str) -> str:
    """A build step that fails unless the venv runs Python ``python`` (X.Y), saying which it
    runs: an archive named for one version but holding another never runs the tests."""
    check = (
        "import sys; v = '%d.%d' % sys.version_info[:2]; "
        f"sys.exit(0 if v == {python!r} else 'the archive runs Python ' + v + ', not {python}')"
    )
    return f"$RFSN_ENV/venv/bin/python -c {shlex.quote(check)}"


def venv(python: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The step creating the env's venv from the archive's Python ``python``, and the env's
    environment. Python 2 has no ``venv``: the virtualenv of its day makes it, run by the image's
    own Python from today's index, with the pip it carries (20.3.4, the last for 2.7)."""
    if python.startswith("2."):
        tool = "/opt/rfsn-virtualenv"
        make = (
            f"python3 -m venv {tool} && env -u PIP_TRUSTED_HOST PIP_INDEX_URL={PYPI} "
            f"{tool}/bin/python -m pip install -q {shlex.quote(VIRTUALENV)} && "
            f"{tool}/bin/python -m virtualenv -q -p {PYTHON_HOME}/bin/python{python} $RFSN_ENV/venv"
        )
        return f"{make} && {runs_python(python)}", (*VENV_ENV, *LIBRARY_ENV)
    return (f"{INTERPRETER} -m venv $RFSN_ENV/venv && {runs_python(python)}", (*VENV_ENV, *LIBRARY_ENV))
