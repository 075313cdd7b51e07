"""The SWE-bench harness package (optional extra ``rfsn[swebench]``, 4.x), read as tables.

Its per-repository, per-version specs (Python version, packages, pip_packages, pre_install,
install, test_cmd), its log parsers (their statuses read as rfsn's), where it reads requirement
files, and its test directives; each module imported alone (``harness``). Instances of a
SWE-bench dataset without the package are an input error (``require_harness``).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from rfsn.errors import ConfigError
from rfsn.models import TestStatus
from rfsn.models.swebench import Instance

Spec = Mapping[str, Any]


def require_harness(instances: Sequence[Instance], source: Path) -> None:
    """Instances of a SWE-bench dataset (they carry an ``environment_setup_commit``) are run in
    the environment the harness specifies; without the ``swebench`` package those specs are
    missing, and a generic environment would fail nearly all of them as ``env``. So that is
    an input error, said before anything runs."""
    harnessed = [i for i in instances if i.environment_setup_commit]
    if not harnessed or _installed("swebench"):
        return
    raise ConfigError(
        f"{len(harnessed)} instance(s) of {source} come from a SWE-bench dataset (first: "
        f"{harnessed[0].instance_id}) and need the harness's environment specifications, which "
        "are not installed: pip install 'rfsn[swebench]' (scripts/setup installs it)"
    )


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules, or a broken one
        return False


_HARNESS: dict[str, Any] = {}


def harness(module: str) -> Any:
    """``swebench.harness.<module>``, imported alone. The package's ``__init__`` imports all of
    it and its heavy dependencies, which every worker would pay for before its first spec lookup.
    And some of its modules call ``logging.basicConfig(level=INFO)`` at import, after which every
    library's INFO records reach the user's terminal. ImportError without the package."""
    if module not in _HARNESS:
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        try:
            _HARNESS[module] = _import_alone(f"swebench.harness.{module}")
        finally:
            root.handlers[:] = handlers
            root.setLevel(level)
    return _HARNESS[module]


def _import_alone(name: str) -> Any:
    """Module ``name`` of the ``swebench`` package without running the ``__init__`` of the
    packages above it (they stand in ``sys.modules`` as bare packages while it loads); the
    process's ``sys.modules`` is left as it was (an ``import swebench`` later gets the whole
    package, as it would have)."""
    if "swebench" in sys.modules:  # imported for real already: nothing to save
        return importlib.import_module(name)
    found = importlib.util.find_spec("swebench")
    if found is None or not found.submodule_search_locations:
        raise ImportError("No module named 'swebench'")
    before = set(sys.modules)
    roots = list(found.submodule_search_locations)
    for package, paths in (("swebench", roots), ("swebench.harness", [str(Path(r, "harness")) for r in roots])):
        parent = types.ModuleType(package)  # a package with its path and without its __init__
        parent.__path__ = paths
        sys.modules[package] = parent
    try:
        return importlib.import_module(name)
    finally:
        for key in set(sys.modules) - before:
            if key == "swebench" or key.startswith("swebench."):
                del sys.modules[key]


def lookup(repo: str, version: str) -> Spec | None:
    """The harness's spec for ``repo`` at ``version``; None without swebench or a spec."""
    try:
        specs = harness("constants").MAP_REPO_VERSION_TO_SPECS
    except ImportError:
        return None
    spec: Spec | None = specs.get(repo, {}).get(str(version))
    return spec


def log_parser(repo: str) -> Any:
    """The harness's log parser for ``repo``'s test output (log, test_spec) -> {test: status}."""
    try:
        parsers = harness("log_parsers").MAP_REPO_TO_PARSER
    except ImportError:
        return None
    return parsers.get(repo)


def requirement_paths(repo: str) -> list[str]:
    """Where the harness reads ``repo``'s requirements file (first one that exists wins)."""
    return _paths("MAP_REPO_TO_REQS_PATHS", repo, "requirements.txt")


def environment_paths(repo: str) -> list[str]:
    """Where the harness reads ``repo``'s conda environment.yml (first one that exists wins)."""
    return _paths("MAP_REPO_TO_ENV_YML_PATHS", repo, "environment.yml")


def _paths(table: str, repo: str, default: str) -> list[str]:
    try:
        paths = getattr(harness("constants"), table)
    except ImportError:
        return [default]
    return list(paths.get(repo, [default]))


def test_directives(instance: Mapping[str, Any]) -> list[str]:
    """The test files ``test_patch`` touches, as the harness passes them to ``test_cmd``."""
    return list(harness("test_spec.python").get_test_directives(dict(instance)))


#: the harness's statuses; an expected failure counts as a pass there (``test_passed``)
_STATUSES = {
    "PASSED": TestStatus.PASSED,
    "XFAIL": TestStatus.PASSED,
    "FAILED": TestStatus.FAILED,
    "ERROR": TestStatus.ERROR,
    "SKIPPED": TestStatus.SKIPPED,
}


LogParser = Callable[[str, object], dict[str, str]]


def harness_statuses(parser: LogParser, output: str, instance_id: str) -> dict[str, TestStatus]:
    """What the harness's log parser reads in a run's output, as statuses."""
    found = parser(output, SimpleNamespace(instance_id=instance_id))
    return {test: _STATUSES[status] for test, status in found.items() if status in _STATUSES}
