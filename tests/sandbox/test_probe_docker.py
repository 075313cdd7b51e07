"""A probe run in a real container: the plugin finds the project's module where the container
mounts it and records each test's kinds of value (one container, the shared env image); forked by
the warm server, it records what a cold run records."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.buildpacks.python.warm.client import WarmPytest
from rfsn.planners.verify.sites import sites
from rfsn.runner import Measure, run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings
from tests.buildpacks.test_warm_probe import FILES, PROBE, TESTS
from tests.planners.test_types import BUFFER_TESTS, SIZED, change
from tests.sandbox.conftest import SharedEnvPython
from tests.sandbox.projects import make_project

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("no_container_left")]


def test_a_probe_run_in_docker_records_a_number_that_became_a_bound_method_and_forked_what_a_cold_run_does(
    tmp_path: Path, shared_pack: SharedEnvPython, docker_settings: Settings
) -> None:
    """Forked by the warm server (running as the sandbox's user), the plugin's directory, its
    environment and the run's own ``TMPDIR`` (pytest's folders under it numbered alike) reach
    the child: it records what a cold run records."""
    wrong = SIZED.replace("else self.size", "else self.refresh")
    repo = make_project(tmp_path / "buf", {**FILES, "pkg/buf.py": wrong, "tests/test_buf.py": BUFFER_TESTS})
    probes = sites(change(SIZED, "else self.size", "else self.refresh"))
    assert probes is not None
    with open_sandbox(repo, shared_pack, docker_settings, "docker") as box:
        report = run_tests(box, shared_pack, ["tests/test_buf.py"], timeout=120, measure=Measure(probe=probes[1]))
        warm = WarmPytest(box)
        assert warm.start()
        forked = run_tests(box, shared_pack, TESTS, timeout=120, via=warm, measure=Measure(probe=PROBE))
        cold = run_tests(box, shared_pack, TESTS, timeout=120, measure=Measure(probe=PROBE))
        assert warm.measured == 1
    assert report.passing == ["tests/test_buf.py::test_items", "tests/test_buf.py::test_size_given"], report.log
    assert report.probed is not None and report.probed.error == "", report.log[-2000:]
    assert report.probed.values == {"tests/test_buf.py::test_size_given": [("builtins.method", True)]}
    assert report.probed.returns["tests/test_buf.py::test_items"] == [("builtins.int", False)]
    assert cold.passing == sorted(TESTS) and cold.probed is not None and cold.probed.error == "", cold.log
    assert "/tmp/rfsn-run/" in cold.probed.traced[TESTS[0]][0][2]
    assert (forked.passing, forked.probed) == (cold.passing, cold.probed), forked.log[-2000:]
