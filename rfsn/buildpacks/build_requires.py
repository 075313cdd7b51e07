"""Run in an env build, in the project's tree, with the environment's Python: what the project's
build backend asks for to build it (PEP 517's ``get_requires_for_build_wheel``, as pip asks it),
one requirement a line, into OUT.

    python build_requires.py BACKEND OUT

BACKEND is ``module:object`` (pyproject.toml's ``build-backend``; setuptools' legacy backend for a
project that names none). setuptools answers with the ``setup_requires`` that setup.py computes
when it runs, which no reading of the files sees. The standard library and the backend only, on
the environment's Python (3.6 and later).
"""

import importlib
import os
import sys


def backend(name):
    """The backend object ``name`` names, the tree first on ``sys.path`` as pip puts it; a
    setuptools older than ``__legacy__`` (40.8) has its ``build_meta``, which runs setup.py alike."""
    sys.path.insert(0, os.getcwd())
    module, _, path = name.partition(":")
    found = importlib.import_module(module)
    for attribute in filter(None, path.split(".")):
        found = getattr(found, attribute, found) if attribute == "__legacy__" else getattr(found, attribute)
    return found


def main(name, out):
    requires = backend(name).get_requires_for_build_wheel()
    with open(out, "w") as listed:
        listed.write("".join(requirement + "\n" for requirement in requires))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
