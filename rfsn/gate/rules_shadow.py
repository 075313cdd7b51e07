"""Rule: a new Python test file may not take the import name of a module that already exists.

pytest puts the first directory above a test file without an ``__init__.py`` at the front of
``sys.path`` and imports the file by its dotted name from there. A new module or package whose
top-level name is already a module of the project at another root (the workspace, ``src``,
``lib``), or of the standard library, is imported instead of it by every test that names it
(``tests/pkg.py`` read as ``pkg``); a new package ``x/__init__.py`` beside a module ``x.py``
(or the other way round) is imported instead of it. Either way, existing tests run against code
the edit wrote.
"""

from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath

from rfsn.buildpacks.testfiles import is_test_file
from rfsn.gate.rules import Rule, Violation

_ROOTS = ("", "src", "lib")


def _is_package(directory: Path, created: set[str], workspace: Path) -> bool:
    init = directory / "__init__.py"
    return init.is_file() or str(init.relative_to(workspace)) in created


def _module_of(directory: Path, name: str) -> bool:
    return (directory / f"{name}.py").is_file() or (directory / name / "__init__.py").is_file()


def shadow_violation(created: list[str], workspace: Path) -> Violation | None:
    """The first new test module among ``created`` (repo-relative paths the edit adds) whose
    import name is already taken."""
    new = set(created)
    for path in created:
        if not path.endswith(".py") or not is_test_file(path):
            continue
        pure = PurePosixPath(path)
        stem = pure.parent.name if pure.name == "__init__.py" else pure.stem
        here = workspace / (pure.parent.parent if pure.name == "__init__.py" else pure.parent)
        twin = here / f"{stem}.py" if pure.name == "__init__.py" else here / stem / "__init__.py"
        if twin.is_file():
            return _shadow(path, str(twin.relative_to(workspace)))
        top, base = stem, here
        while _is_package(base, new, workspace) and base != workspace:
            top, base = base.name, base.parent
        others = [workspace / root for root in _ROOTS if workspace / root != base]
        taken = next((d for d in others if _module_of(d, top)), None)
        if taken is not None:
            return _shadow(path, f"{(taken / top).relative_to(workspace)} ({top!r})")
        if top in sys.stdlib_module_names:
            return _shadow(path, f"the standard library's {top!r}")
    return None


def _shadow(path: str, what: str) -> Violation:
    return Violation(
        Rule.TEST_TAMPERING,
        f"{path}: pytest would import it in place of {what}, under every "
        "test that imports that name; name the new module so that no existing module has its name",
    )
