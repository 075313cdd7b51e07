"""The library API in rfsn/__init__.py: small, documented, and lazy."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import rfsn
from rfsn.models import SessionStatus
from tests.sandbox.projects import make_project

HEAVY = ("docker", "anthropic", "openai", "ray")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nimport json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    loaded: list[str] = json.loads(out.stdout)
    return loaded


def test_import_rfsn_loads_no_docker_llm_or_ray_client() -> None:
    assert _loaded_after("import rfsn") == []


def test_the_exported_names_resolve_without_loading_a_client() -> None:
    """Resolving the API names pulls in the engine, still none of the optional clients."""
    assert _loaded_after("import rfsn\nfor n in rfsn.__all__: getattr(rfsn, n)") == []


def test_every_exported_name_is_documented_and_resolves() -> None:
    assert set(rfsn.__all__) - {"__version__"} == set(rfsn._EXPORTS)
    for name in rfsn._EXPORTS:
        assert getattr(rfsn, name) is not None
        assert name in (rfsn.__doc__ or ""), f"{name} is exported but not in the package docstring"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        rfsn.nope  # noqa: B018


def test_repair_works_on_a_scratch_copy_and_reports_errors_as_a_result(tmp_path: Path) -> None:
    """rfsn.repair never edits its target; a session that cannot start comes back as status error."""
    project = make_project(tmp_path / "proj", {"tests/test_x.py": "def test_x():\n    assert True\n"})
    before = sorted(p.name for p in project.rglob("*"))
    options = rfsn.RepairOptions(planner="nope", out_dir=tmp_path / "out", session_id="s1", sandbox="local")
    result = rfsn.repair(str(project), options, rfsn.load_settings(home=tmp_path / "home", sandbox="local"))
    assert isinstance(result, rfsn.SessionResult)
    assert result.status is SessionStatus.ERROR and "unknown planner 'nope'" in result.message
    assert (tmp_path / "out" / "s1" / "result.json").is_file()
    assert sorted(p.name for p in project.rglob("*")) == before
