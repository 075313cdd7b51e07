"""pytest's cache stays loaded, in the session's scratch: never in the workspace, never off."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.pyoptions import PytestFeatures
from rfsn.runner import run_tests
from rfsn.sandbox.local import LocalSandbox

#: a plugin of the kind an old pytest-randomly is: it reads ``config.cache`` as pytest starts
READS_THE_CACHE = """
def pytest_configure(config):
    config.cache.set("randomly/seed", config.cache.get("randomly/seed", 1234))

def pytest_report_header(config):
    return "seed: %s" % config.cache.get("randomly/seed", None)
"""


def _junk(workspace: Path) -> list[str]:
    return sorted(str(p.relative_to(workspace)) for p in workspace.rglob("*") if p.name in (".pytest_cache", ".cache"))


def test_a_plugin_reading_config_cache_runs_cold_and_warm_workspace_clean_pytest_randomly_pygments_0cea713(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pygments 0cea713's environment has an old pytest-randomly, which reads ``config.cache``;
    with the cache provider off every run ended ``INTERNALERROR ... 'Config' object has no
    attribute 'cache'``."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    workspace = tmp_path / "project"
    workspace.mkdir()
    (workspace / "conftest.py").write_text(READS_THE_CACHE)
    (workspace / "test_seed.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
    box, pack = LocalSandbox(workspace, None, {}, "2g"), PythonBuildpack()
    try:
        pack.fit(box)
        assert run_tests(box, pack).passing == ["test_seed.py::test_one"]
        warm = pack.warm_runner(box)
        assert warm is not None
        assert run_tests(box, pack, ["test_seed.py::test_one"], via=warm).passing == ["test_seed.py::test_one"]
        assert (box.scratch / "cache-pytest" / "v" / "randomly" / "seed").is_file()
    finally:
        box.close()
    assert _junk(workspace) == []


def test_a_pytest_before_cache_dir_runs_without_its_cache_the_others_keep_it_outside() -> None:
    """pytest 2.8 to 3.1 always write ``.cache`` in the rootdir: there the cache stays off."""
    assert PytestFeatures(version=(3, 1, 3)).cache("/rfsn/ab12") == ["-p", "no:cacheprovider"]
    assert PytestFeatures(version=(2, 7, 0)).cache("/rfsn/ab12") == ["-p", "no:cacheprovider"]
    assert PytestFeatures(version=(3, 2, 0)).cache("/rfsn/ab12") == ["-o", "cache_dir=/rfsn/cache-pytest"]
    assert PytestFeatures().cache("/rfsn/warm") == ["-o", "cache_dir=/rfsn/cache-pytest"]
