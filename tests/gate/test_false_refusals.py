"""Classes of false refusal found by benchmarks/bench_gate_refusals.py on real test files, each
with the attack its fix must still refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.gate import Gate, GatePolicy
from rfsn.models import Edit, Phase
from rfsn.patches import unified_diff
from tests.gate.attacks import new_file
from tests.gate.conftest import ctx, make_repo

SKIPIF = "@pytest.mark.skipif(not PY_3_8_PLUS, reason='cached_property is 3.8+')\n"
SLOTS = ("import pytest\n\nPY_3_8_PLUS = True\n\n\n" + SKIPIF
         + "def test_cached_property_with_getattr():\n    assert 1\n")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    workspace = make_repo(tmp_path)
    (workspace / "tests" / "test_slots.py").write_text(SLOTS)
    return workspace


def _check(repo: Path, patch: str, phase: Phase = Phase.REPRODUCE):
    return Gate(GatePolicy(allow_test_edits=True)).check(Edit(patch=patch), ctx(repo, phase))


def test_attrs_88e2896_new_test_whose_decorator_the_diff_aligns_with_an_existing_one_is_accepted(
        repo: Path) -> None:
    """A new test inserted above an existing one with the same decorator: the diff takes the new
    decorator line as the old one's and the old one's as added, though no existing test changed."""
    new = SLOTS.replace(SKIPIF, SKIPIF + "def test_cached_property_raising():\n    assert 2\n\n\n" + SKIPIF)
    patch = unified_diff("tests/test_slots.py", SLOTS, new)
    assert "+def test_cached_property_raising" in patch and f"+{SKIPIF}" in patch
    for phase in (Phase.REPRODUCE, Phase.PATCH):
        assert _check(repo, patch, phase).accepted
    rigged = SLOTS.replace(SKIPIF, SKIPIF + "@pytest.mark.xfail\n")
    assert _check(repo, unified_diff("tests/test_slots.py", SLOTS, rigged), Phase.PATCH).rule == "test_tampering"


def test_click_test_options_backport_set_on_a_standard_module_at_import_is_accepted(repo: Path) -> None:
    """click's tests/test_options.py sets ``enum.StrEnum`` on Pythons before 3.11."""
    backport = new_file("tests/test_options.py", [
        "import enum", "import sys", "", "if sys.version_info < (3, 11):", "    enum.StrEnum = enum.Enum", "",
        "def test_x():", "    assert enum.StrEnum"])
    assert _check(repo, backport).accepted


@pytest.mark.parametrize("lines", [
    ["import unittest", "unittest.TestCase.assertEqual = lambda *a, **k: None"],
    ["import pkg.mod", "pkg.mod.add = lambda a, b: a + b"],
    ["from pkg import mod", "mod.add = lambda a, b: a + b"],
    ["from . import test_mod", "test_mod.test_add = lambda: None"],
    ["import importlib", "m = importlib.import_module('tests.test_mod')", "m.test_add = lambda: None"],
])
def test_a_new_file_setting_the_projects_or_a_test_frameworks_objects_at_import_is_refused(
        repo: Path, lines: list[str]) -> None:
    assert _check(repo, new_file("tests/test_aaa.py", lines)).rule == "test_tampering"


LOGGING = ["import pytest", "", "", "@pytest.fixture(autouse=True)", "def reset_logging(pytestconfig):",
           "    plugin = pytestconfig.pluginmanager.unregister(name='logging-plugin')", "    yield",
           "    if plugin:", "        pytestconfig.pluginmanager.register(plugin, 'logging-plugin')", "",
           "", "def test_logger():", "    assert True"]


def test_flask_test_logging_taking_a_plugin_out_and_putting_it_back_is_accepted(repo: Path) -> None:
    """flask's tests/test_logging.py unregisters pytest's logging plugin around each test."""
    assert _check(repo, new_file("tests/test_logging.py", LOGGING)).accepted


@pytest.mark.parametrize("change", [
    ("plugin = pytestconfig.pluginmanager.unregister(name='logging-plugin')",
     "plugin = pytestconfig.pluginmanager.unregister(name='logging-plugin')\n    plugin = object()"),
    ("register(plugin, 'logging-plugin')", "register(Evil(), 'evil')"),
    ("    yield", "    manager = pytestconfig.pluginmanager\n    yield"),
])
def test_registering_a_plugin_of_the_files_own_is_still_refused(repo: Path, change: tuple[str, str]) -> None:
    lines = "\n".join(LOGGING).replace(*change).splitlines()
    assert _check(repo, new_file("tests/test_logging.py", lines)).rule == "test_tampering"
