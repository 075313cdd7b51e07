"""Per-test line coverage from coverage.py's JSON report with dynamic contexts.

The sandbox runs (`coverage_command`, `coverage_json_command`, `COVERAGE_RC`, `coverage_env`)::

    COVERAGE_CORE=ctrace python -m coverage run --rcfile=RC -m pytest ...   # RC names DATA
    python coverage_contexts.py DATA RC OUT.json   # coverage json --show-contexts, from the data alone

A context is spelled by coverage's ``dynamic_context = test_function`` (the test function's
dotted name as imported, ``tests.test_x.TestC.test_m``; parametrized cases share one) or by
pytest-cov's ``--cov-context=test`` (``tests/test_x.py::TestC::test_m|run``); `per_test_coverage`
turns either into ``{node id: {file: {lines}}}`` (or a runner's ``path.py:test_m`` ids). A
runner rfsn does not start itself (tox, ``bin/test``) is measured from the inside
(`process_coverage`): a ``sitecustomize`` starts coverage in every Python process, ``coverage
combine`` joins them, and a context starts at a ``test*`` function of a test module only.
"""

from __future__ import annotations

import shlex
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rfsn.buildpacks.base import CoverageByTest, CoveragePlan
from rfsn.buildpacks.python.pyoptions import Version
from rfsn.buildpacks.wrapped import importable
from rfsn.inputs import json_value
from rfsn.models.testfiles import test_id_file

COVERAGE_RC = """\
[run]
dynamic_context = test_function
branch = False
core = ctrace
relative_files = True
source = .
"""
"""rc text for the sandbox (`coverage_rc` adds its data file and keeps the options the
environment's coverage knows). ``core = ctrace`` is honoured by coverage >= 7.9 (older ones
rely on COVERAGE_CORE); the sys.monitoring core does not support dynamic contexts."""
#: rc options -> the first coverage release that has them (before 5.0 an unknown one is an error)
RC_SINCE: dict[str, Version] = {"dynamic_context": (5, 0), "relative_files": (5, 0), "core": (7, 9)}
#: the first coverage with dynamic contexts; before it each test is measured by `per_test_plan`
CONTEXTS_SINCE: Version = (5, 0)


def known_options(rc: str, version: Version | None) -> str:
    """Pure: ``rc`` without the options coverage ``version`` lacks (None: not known, all kept)."""
    return "".join(
        line
        for line in rc.splitlines(keepends=True)
        if version is None or version >= RC_SINCE.get(line.split("=", 1)[0].strip(), ())
    )


def coverage_rc(data_file: str, version: Version | None = None) -> str:
    """`COVERAGE_RC` writing its data to ``data_file``, with the options coverage ``version``
    knows. The rc names the data file, not a ``--data-file`` option: an environment may keep an
    older coverage than rfsn installs (a Python 3.6 one keeps 6.2, which has no such option)."""
    return known_options(f"{COVERAGE_RC}data_file = {data_file}\n", version)


def coverage_env() -> dict[str, str]:
    """Environment for the run: pin the C tracer (understood by coverage >= 7.4)."""
    return {"COVERAGE_CORE": "ctrace"}


def coverage_command(pytest_argv: Iterable[str], rcfile: str, python: str = "python") -> list[str]:
    """argv running pytest under coverage with per-test contexts (``rcfile``: `coverage_rc`)."""
    return [python, "-m", "coverage", "run", f"--rcfile={rcfile}", "-m", "pytest", *pytest_argv]


#: the script that writes the per-test contexts (coverage_contexts.py, run in the sandbox)
CONTEXTS_SCRIPT = (Path(__file__).with_name("coverage_contexts.py")).read_text(encoding="utf-8")


def coverage_json_command(data_file: str, rcfile: str, output: str, script: str, python: str = "python") -> list[str]:
    """argv writing the JSON report (with contexts) that `per_test_coverage` reads, with
    ``script`` (`CONTEXTS_SCRIPT`, written into the sandbox)."""
    return [python, script, data_file, rcfile, output]


#: the coverage plugin starting a context at a test function of a test module, not at a
#: runner's own function named ``test`` (coverage_test_context.py, run in the sandbox)
TEST_CONTEXT_MODULE = "rfsn_test_context"
TEST_CONTEXT_PLUGIN = (Path(__file__).with_name("coverage_test_context.py")).read_text(encoding="utf-8")


#: the pytest plugin measuring each test where coverage has no contexts (coverage_per_test.py)
PER_TEST_MODULE = "rfsn_per_test"
PER_TEST_PLUGIN = (Path(__file__).with_name("coverage_per_test.py")).read_text(encoding="utf-8")


def per_test_plan(pytest_argv: Sequence[str], report_dir: str, version: Version) -> CoveragePlan:
    """The plan measuring each test with a coverage ``version`` that has no dynamic contexts
    (``coverage_per_test.py``), its report the same shape as `coverage_json_command`'s."""
    rc = f"{report_dir}/coveragerc"
    return CoveragePlan(
        files={
            "coveragerc": coverage_rc(f"{report_dir}/coverage.data", version),
            f"{PER_TEST_MODULE}.py": PER_TEST_PLUGIN,
        },
        commands=[
            [
                *importable(report_dir),
                f"RFSN_COVERAGE_RC={rc}",
                f"RFSN_COVERAGE_JSON={report_dir}/coverage.json",
                "python",
                "-m",
                "pytest",
                "-p",
                PER_TEST_MODULE,
                *pytest_argv,
            ]
        ],
        env=coverage_env(),
    )


def process_coverage_rc(data_file: str) -> str:
    """rc text for `process_coverage`: every process writes its own data file next to
    ``data_file``, and measures the command's working directory (``RFSN_COVERAGE_ROOT``)
    wherever the runner moves it. A process that measured nothing (tox itself) stays quiet."""
    return COVERAGE_RC.replace("source = .\n", "source = ${RFSN_COVERAGE_ROOT}\n").replace(
        "dynamic_context = test_function\n", f"plugins = {TEST_CONTEXT_MODULE}\n"
    ) + (
        f"parallel = True\ndata_file = {data_file}\n"
        "disable_warnings = no-data-collected, module-not-measured, module-not-imported\n"
    )


#: imported by every Python process of a measured command (its directory is first on
#: PYTHONPATH): starts coverage, then runs the environment's own sitecustomize, if any
SITECUSTOMIZE = """\
import importlib.machinery
import importlib.util
import os
import sys

try:
    import coverage
    coverage.process_startup()
except Exception:
    pass
_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.machinery.PathFinder.find_spec(
    "sitecustomize", [p for p in sys.path if os.path.abspath(p or ".") != _here])
if _spec is not None and _spec.loader is not None:
    _spec.loader.exec_module(importlib.util.module_from_spec(_spec))
"""


def process_coverage(script: str, report_dir: str, python: str = "python") -> CoveragePlan:
    """The plan measuring ``script`` (a shell command line, run as it is) with per-test
    contexts from inside every Python process it starts (see the module's docstring)."""
    rc, data = f"{report_dir}/coveragerc", f"{report_dir}/coverage.data"
    setup = (
        f'export COVERAGE_PROCESS_START={shlex.quote(rc)} RFSN_COVERAGE_ROOT="$PWD" '
        f"PYTHONPATH={shlex.quote(report_dir)}${{PYTHONPATH:+:$PYTHONPATH}}"
    )
    plugin = ["env", f"PYTHONPATH={report_dir}"]  # the rc names the plugin: coverage imports it
    return CoveragePlan(
        files={
            "coveragerc": process_coverage_rc(data),
            "sitecustomize.py": SITECUSTOMIZE,
            f"{TEST_CONTEXT_MODULE}.py": TEST_CONTEXT_PLUGIN,
            "coverage_contexts.py": CONTEXTS_SCRIPT,
        },
        commands=[
            ["bash", "-c", f"{setup}; {script}"],
            [*plugin, python, "-m", "coverage", "combine", "-q", f"--rcfile={rc}"],
            [
                *plugin,
                *coverage_json_command(
                    data, rc, f"{report_dir}/coverage.json", f"{report_dir}/coverage_contexts.py", python
                ),
            ],
        ],
        env=coverage_env(),
    )


def read_coverage(reports: Mapping[str, str], test_ids: Sequence[str], workdir: str) -> dict[str, dict[str, list[int]]]:
    """``{test id: {file: [lines]}}`` from the contexts report a coverage plan wrote (none when
    it wrote nothing of that shape)."""
    try:  # coverage.py wrote it; anything not of its shape is no coverage at all
        by_test = per_test_coverage(json_value(reports.get("coverage.json", "")), test_ids, root=workdir)
    except (AttributeError, TypeError, ValueError):  # ValueError: JSONDecodeError, int("x")
        return {}
    return {t: {f: sorted(lines) for f, lines in files.items()} for t, files in by_test.items()}


def node_parts(node_id: str) -> tuple[str, ...]:
    """``tests/test_x.py::TestC::test_m[1]`` -> ``("tests", "test_x", "TestC", "test_m")``
    (and ``tests/test_x.py:test_m`` -> ``("tests", "test_x", "test_m")``)."""
    base = node_id.split("[", 1)[0]
    path = test_id_file(base)
    names = [name for name in base[len(path) :].split(":") if name]
    module = path[:-3] if path.endswith(".py") else path
    return (*[p for p in module.replace("\\", "/").split("/") if p], *names)


class ContextMatcher:
    """Maps coverage contexts to the known pytest node ids."""

    def __init__(self, node_ids: Iterable[str]) -> None:
        self.known = set(node_ids)
        self._by_name: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for node_id in self.known:
            parts = node_parts(node_id)
            if parts:  # an id with no path or name (a collection error's, say) names no test
                self._by_name[parts[-1]].append((parts, node_id))

    def match(self, context: str) -> list[str]:
        """Node ids a context stands for (all parametrized cases for a dotted one)."""
        if not context:
            return []
        if "::" in context or "/" in context:
            node_id = context.rsplit("|", 1)[0]
            return [node_id] if node_id in self.known or not self.known else []
        dotted = tuple(context.split("."))
        found = [
            node_id
            for parts, node_id in self._by_name.get(dotted[-1], [])
            if len(parts) >= len(dotted) and parts[-len(dotted) :] == dotted
        ]
        return sorted(found)


def strip_root(path: str, root: str | None) -> str:
    """Make a reported path repo-relative (``/testbed/pkg/m.py`` -> ``pkg/m.py``)."""
    path = path.replace("\\", "/")
    if root:
        prefix = root.rstrip("/") + "/"
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def per_test_coverage(report: Mapping[str, Any], node_ids: Iterable[str], root: str | None = None) -> CoverageByTest:
    """``coverage json --show-contexts`` output -> ``{node id: {file: {lines}}}``.

    Tests that executed no measured line are absent. Lines run outside any test
    (imports, collection: the empty context) are not attributed to any test.
    """
    matcher = ContextMatcher(node_ids)
    cache: dict[str, list[str]] = {}
    out: CoverageByTest = defaultdict(lambda: defaultdict(set))
    for path, data in report.get("files", {}).items():
        rel = strip_root(path, root)
        for line, contexts in (data.get("contexts") or {}).items():
            for context in contexts:
                if context not in cache:
                    cache[context] = matcher.match(context)
                for node_id in cache[context]:
                    out[node_id][rel].add(int(line))
    return {test: dict(files) for test, files in out.items()}
