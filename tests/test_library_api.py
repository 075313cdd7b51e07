"""The library API that ``rfsn/__init__.py`` documents, as someone embedding rfsn uses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import rfsn
from tests.paths import ROOT
from tests.sandbox.projects import make_project


def test_importing_the_api_loads_no_heavy_client() -> None:
    script = (
        "import sys, rfsn\n"
        "for name in rfsn.__all__: getattr(rfsn, name)\n"
        "print(sorted(m for m in ('docker', 'anthropic', 'openai', 'ray') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    assert proc.stdout.strip() == "[]"


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        rfsn.nope  # noqa: B018


@pytest.mark.docker
def test_repair_the_quickstart_from_python(tmp_path: Path, docker_client: object) -> None:
    options = rfsn.RepairOptions(out_dir=tmp_path, sandbox="docker", max_steps=300)
    result = rfsn.repair(str(ROOT / "examples" / "quickstart"), options)
    assert isinstance(result, rfsn.SessionResult)
    assert result.status is rfsn.SessionStatus.FIXED and result.patch
    assert (tmp_path / str(result.session_id) / "result.json").is_file()


def test_every_exported_name_resolves_and_is_documented() -> None:
    for name in rfsn.__all__:
        assert getattr(rfsn, name) is not None
        assert name == "__version__" or f"``{name}``" in (rfsn.__doc__ or ""), f"{name} is not documented"


def test_repair_works_on_a_copy_and_reports_a_session_that_cannot_start(tmp_path: Path) -> None:
    """rfsn.repair never edits its target; a session that cannot start is a result with status error."""
    project = make_project(tmp_path / "proj", {"tests/test_x.py": "def test_x():\n    assert True\n"})
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    options = rfsn.RepairOptions(planner="nope", out_dir=tmp_path / "out", session_id="s1", sandbox="local")
    result = rfsn.repair(str(project), options, rfsn.load_settings(home=tmp_path / "home", sandbox="local"))
    assert isinstance(result, rfsn.SessionResult)
    assert result.status is rfsn.SessionStatus.ERROR and "unknown planner 'nope'" in result.message
    assert (tmp_path / "out" / "s1" / "result.json").is_file()
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


def test_a_crash_is_recorded_as_a_crash_with_its_step(tmp_path: Path) -> None:
    """A bug inside a session (not an RfsnError) still surfaces, and result.json says it crashed and
    at which step, not that the session never started."""
    import json

    from rfsn.controller.session import repair_workspace
    from rfsn.workspace import prepare

    class Broken:
        def __getattr__(self, name: str) -> object:
            raise RuntimeError("boom")

    broken: Any = Broken()  # a buildpack whose every use raises
    project = make_project(tmp_path / "proj", {"tests/test_x.py": "def test_x():\n    assert True\n"})
    workspace = prepare(str(project), tmp_path / "copy")
    options = rfsn.RepairOptions(out_dir=tmp_path / "out", session_id="s1", sandbox="local")
    settings = rfsn.load_settings(home=tmp_path / "home", sandbox="local")
    with pytest.raises(RuntimeError, match="boom"):
        repair_workspace(workspace, options, settings, buildpack=broken)
    result = json.loads((tmp_path / "out" / "s1" / "result.json").read_text())
    assert result["status"] == "error" and result["message"] == "crashed at step 0: RuntimeError: boom"


def test_type_checkers_see_the_real_types_of_the_api(tmp_path: Path) -> None:
    """``import rfsn`` is lazy at run time, yet mypy sees repair's and RfsnError's real types."""
    script = tmp_path / "user.py"
    script.write_text(
        "import rfsn\n\n"
        "count: int = rfsn.repair('x', rfsn.RepairOptions())\n"
        "error: rfsn.RfsnError = rfsn.RfsnError('x')\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", str(script)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert '"SessionResult", variable has type "int"' in done.stdout and "Found 1 error" in done.stdout, done.stdout
