"""A conda ``environment.yml`` as pip requirements, for a machine no conda channel answers.

The same names and pins from PyPI: ``name=1.2`` (conda's "1.2 or any 1.2.x") is ``name==1.2.*``,
a build string is dropped, a channel prefix (``conda-forge::``) too, and the ``pip:`` block is
taken as written. A short table names the packages PyPI calls otherwise and those that are no
Python package there (Python itself, C libraries, compilers): those are left out, and said.
So is a package that raises on import once all is installed: its wheel lacks the C library
conda's package brings (``conda_imports.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from rfsn.buildpacks.base import BUILD_NOTES

#: conda name -> PyPI name; None: not a package pip can install here (the environment's own
#: Python, a C library or tool that the wheels bundle or the image provides)
NAMES: dict[str, str | None] = {
    "python": None,
    "pip": None,
    "pytorch": "torch",
    "matplotlib-base": "matplotlib",
    "dask-core": "dask",
    "pytables": "tables",
    "iris": "scitools-iris",
    "cdms2": None,
    "hdf5": None,
    "libnetcdf": None,
    "netcdf-c": None,
    "gdal": None,
    "proj": None,
    "geos": None,
    "libgdal": None,
    "cxx-compiler": None,
    "c-compiler": None,
    "compilers": None,
    "make": None,
    "cmake": None,
    "pkg-config": None,
    "ffmpeg": None,
    "imagemagick": None,
    "graphviz": None,
    "ghostscript": None,
    "inkscape": None,
    "texlive-core": None,
    "qhull": None,
    "freetype": None,
    "libpng": None,
    "zlib": None,
    "nodejs": None,
    "pyqt": "PyQt5",
    "qt": None,
    "tk": None,
    "blas": None,
    "mkl": None,
    "libblas": None,
    "openblas": None,
    # GUI toolkits whose PyPI sdists build only against system libraries the image lacks
    "wxpython": None,
    "pygobject": None,
    "gtk3": None,
    "pycairo": None,
    "cairo": None,
}
#: the build step, after every install, that uninstalls what raises on import (``conda_imports.py``)
UNIMPORTABLE = ("conda_imports.py", Path(__file__).with_name("conda_imports.py").read_text(encoding="utf-8"))
DROP_UNIMPORTABLE = (
    f"$RFSN_ENV/venv/bin/python $RFSN_ENV/files/conda_imports.py $RFSN_ENV/files/requirements.txt {BUILD_NOTES}"
)
_SPEC = re.compile(r"^([A-Za-z0-9_.\-]+)\s*(.*)$")


def _conda(item: str) -> tuple[str, str]:
    """(name, pip specifier) of a conda match spec (``numpy=1.21``, ``scipy >=1.4,<2``)."""
    item = item.split("::")[-1].split("#")[0].strip()
    match = _SPEC.match(item)
    if match is None:
        return item, ""
    name, rest = match.group(1), match.group(2).replace(" ", "")
    if rest.startswith("=") and not rest.startswith("=="):
        version = rest[1:].split("=")[0]  # name=1.2=build: 1.2
        return name, f"=={version.rstrip('*').rstrip('.')}.*" if version else ""
    return name, f"=={rest}" if rest[:1].isdigit() else rest  # "scipy 1.7.*"


def requirements(yml: str) -> tuple[list[str], list[str]]:
    """(pip requirements, conda packages left out) of an environment.yml's ``dependencies``."""
    wanted: list[str] = []
    left: list[str] = []
    section, pip_indent = "", -1
    for line in yml.splitlines():
        text = line.split(" #")[0].rstrip()
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        indent = len(text) - len(text.lstrip())
        if indent == 0:
            section = text.split(":")[0].strip()
            continue
        item = text.strip()
        if section != "dependencies" or not item.startswith("- "):
            continue
        item = item[2:].strip().strip("'\"")
        if pip_indent >= 0 and indent > pip_indent:
            wanted.append(item)  # the pip: block, as written
            continue
        pip_indent = indent if item.rstrip(":") == "pip" and item.endswith(":") else -1
        if pip_indent >= 0:
            continue
        name, spec = _conda(item)
        pypi = NAMES.get(name.lower(), name)
        if pypi is None:
            left += [] if name.lower() in ("python", "pip") else [name]
            continue
        try:
            wanted.append(str(Requirement(f"{pypi}{spec}")))
        except InvalidRequirement:
            wanted.append(pypi)
    return wanted, left
