"""Third-party buildpacks: the example plugin is found, selected and loaded; a broken one is skipped.

Both plugins are pip-installed (no dependencies; pip fetches setuptools from PyPI) from copies
of their sources into a directory of their own put on sys.path for this module, never into the
running environment: the tests running beside it (another worker's, another process's) see no plugin.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

import rfsn.buildpacks as registry
import rfsn.plugins as plugins
from rfsn.errors import BuildpackError
from tests.buildpacks.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "buildpack-plugin"
BROKEN = FIXTURES / "broken_plugin"
GREETER = EXAMPLE / "tests" / "fixtures" / "greeter"


def _pip(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module", autouse=True)
def installed_plugins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    root = tmp_path_factory.mktemp("plugins")
    site = root / "site"
    for project in (EXAMPLE, BROKEN):  # a copy: pip builds in the tree it is given
        _pip(
            "install",
            "--no-deps",
            "--target",
            str(site),
            str(shutil.copytree(project, root / project.name, ignore=shutil.ignore_patterns("*.egg-info"))),
        )
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        while str(site) in sys.path:
            sys.path.remove(str(site))
        for module in ("rfsn_make_buildpack", "rfsn_broken_buildpack"):
            sys.modules.pop(module, None)
        importlib.invalidate_caches()


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugins, "_warned", set())


def test_the_example_plugin_is_discovered_with_its_distribution() -> None:
    infos = {info.name: info for info in registry.discover()}
    assert infos["make"].target == "rfsn_make_buildpack:MakeBuildpack"
    assert infos["make"].source == "plugin rfsn-make-buildpack 0.1.0"
    assert infos["python"].source == "builtin"


def test_the_example_plugin_is_selected_by_detection_and_by_name() -> None:
    assert registry.select(GREETER).name == "make"
    assert registry.load("make").name == "make"


def test_a_broken_plugin_is_skipped_with_one_warning_and_never_breaks_detection() -> None:
    """Invariant: a plugin that raises on import costs one warning, not a crash."""
    with capture_logs() as logs:
        first = registry.detect_all(GREETER)
        second = registry.detect_all(GREETER)
    assert [info.name for info, _ in first] == [info.name for info, _ in second]
    assert "broken" not in {info.name for info, _ in first}
    assert first[0][0].name == "make"
    warnings = [e for e in logs if e["log_level"] == "warning"]
    assert len(warnings) == 1
    assert warnings[0]["event"] == "buildpack.plugin_skipped" and warnings[0]["name"] == "broken"
    assert "broken on purpose" in warnings[0]["error"]


def test_loading_the_broken_plugin_by_name_is_a_clear_error() -> None:
    with pytest.raises(BuildpackError, match="'broken' failed to load"):
        registry.load("broken")
