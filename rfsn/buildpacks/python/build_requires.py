"""Run in an env build, in the project's tree after the spec's install, with the environment's
Python: what building the project needs beyond the installed packages, one requirement a line,
into OUT.

    python build_requires.py BACKEND OUT

Two answers of the build tools themselves, which no reading of the files sees: BACKEND
(``module:object``, pyproject.toml's ``build-backend``; setuptools' legacy backend where none is
named) asked as pip asks it (PEP 517's ``get_requires_for_build_wheel``: for setuptools, the
``setup_requires`` setup.py computes as it runs), and what setuptools fetched into the tree's
``.eggs`` while the install ran (``setup_requires``, and what a setup.py fetches by itself,
a bootstrap script's helpers package). Exit 1 only when neither answers. The
standard library and the backend only, on the environment's Python (3.6 and later).
"""

import glob
import importlib
import os
import sys
import traceback


def backend(name):
    """The backend object ``name`` names, the tree first on ``sys.path`` as pip puts it; a
    setuptools older than ``__legacy__`` (40.8) has its ``build_meta``, which runs setup.py alike."""
    sys.path.insert(0, os.getcwd())
    module, _, path = name.partition(":")
    found = importlib.import_module(module)
    for attribute in filter(None, path.split(".")):
        found = getattr(found, attribute, found) if attribute == "__legacy__" else getattr(found, attribute)
    return found


def fetched(tree):
    """``name==version`` of each egg setuptools fetched into ``tree/.eggs`` (``name-version-pyX.Y.egg``)."""
    eggs = []
    for path in sorted(glob.glob(os.path.join(tree, ".eggs", "*.egg"))):
        parts = os.path.basename(path)[: -len(".egg")].split("-")
        if len(parts) >= 2:
            eggs.append(parts[0] + "==" + parts[1].replace("_", "-"))
    return eggs


def main(name, out):
    eggs = fetched(os.getcwd())
    try:
        asked = list(backend(name).get_requires_for_build_wheel())
    except BaseException:  # a setup.py may raise anything, SystemExit included
        traceback.print_exc()
        if not eggs:
            return 1
        asked = []
    with open(out, "w") as listed:
        listed.write("".join(requirement + "\n" for requirement in [*asked, *eggs]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
