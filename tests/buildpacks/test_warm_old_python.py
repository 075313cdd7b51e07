"""The pytest fork servers serve environments of other eras too: a Python before 3.9, a pytest
of 2016 (real Docker, the environment built as of the commit's date)."""

from __future__ import annotations

from pathlib import Path

import pytest
from structlog.testing import capture_logs

from rfsn.buildpacks.base import EnvOptions, date_env
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.warm.client import WarmPytest
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings
from tests.buildpacks.test_asof_docker import _archives, _project

pytestmark = [pytest.mark.docker, pytest.mark.slow]

WHEN = "2016-07-31T12:00:00+00:00"


def test_the_warm_servers_serve_python_3_6_and_a_pytest_of_2016_h11_toolz_2018(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """On Python 3.6-3.8 every warm run failed (`os.waitstatus_to_exitcode` is 3.9's) and on a
    pytest before 3.5 the servers did not start (the warm-up's `--rootdir`): each candidate of
    h11, dateutil, toolz, tomlkit 2018 and pyparsing 2020 ran cold, 2-3 s instead of 0.1-0.5."""
    archives = _archives("3.6")
    repo = _project(
        tmp_path / "old",
        WHEN,
        {
            "setup.py": "from setuptools import setup\nsetup(name='old', version='1.0', py_modules=['old'])\n",
            "requirements-test.txt": "pytest==2.9.2\n",
            "old.py": "def value():\n    return 1\n",
            "test_old.py": "import old\n\n\ndef test_value():\n    assert old.value() == 2\n",
        },
    )
    settings = Settings(
        sandbox="docker",
        home=rfsn_home,
        memory="1g",
        cpus=1.0,
        pids=256,
        test_timeout=120,
        setup_timeout=600,
        as_of="commit",
        python="3.6",
        setup_snapshots=False,
        python_archives=archives,
    )
    pack = PythonBuildpack()
    date_env(pack, EnvOptions(as_of="commit", runtime="3.6", archives=archives))
    built.append(pack.env_recipe(repo).key())
    with open_sandbox(repo, pack, settings, "docker") as box, capture_logs() as logs:
        warm = pack.warm_runner(box)
        assert isinstance(warm, WarmPytest) and warm.hot, [e for e in logs if e["event"].startswith("warm")]
        target = ["test_old.py::test_value"]
        assert run_tests(box, pack, target, via=warm).failing == target
        (repo / "old.py").write_text("def value():\n    return 2\n")
        assert run_tests(box, pack, target, via=warm).passing == target
        assert warm.swapped == 2 and not [e for e in logs if e["event"] == "warm.failed"]
