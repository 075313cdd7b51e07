"""A probe run in a real container: the plugin finds the project's module where the container
mounts it and records each test's kinds of value (one container, the shared env image)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.planners.verify.sites import sites
from rfsn.runner import Measure, run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings
from tests.planners.test_types import BUFFER_TESTS, SIZED, change
from tests.sandbox.conftest import SharedEnvPython
from tests.sandbox.projects import make_project

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("no_container_left")]


def test_a_probe_run_in_docker_records_a_number_that_became_a_bound_method(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    wrong = SIZED.replace("else self.size", "else self.refresh")
    repo = make_project(
        tmp_path / "buf", {"pkg/__init__.py": "", "pkg/buf.py": wrong, "tests/test_buf.py": BUFFER_TESTS}
    )
    probes = sites(change(SIZED, "else self.size", "else self.refresh"))
    assert probes is not None
    with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
        report = run_tests(box, shared_pack, ["tests/test_buf.py"], timeout=120, measure=Measure(probe=probes[1]))
    assert report.passing == ["tests/test_buf.py::test_items", "tests/test_buf.py::test_size_given"], report.log
    assert report.probed is not None and report.probed.error == "", report.log[-2000:]
    assert report.probed.values == {"tests/test_buf.py::test_size_given": [("builtins.method", True)]}
    assert report.probed.returns["tests/test_buf.py::test_items"] == [("builtins.int", False)]
