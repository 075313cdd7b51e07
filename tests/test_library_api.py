"""The library API that ``rfsn/__init__.py`` documents, as someone embedding rfsn uses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import rfsn
from tests.paths import ROOT


def test_importing_the_api_loads_no_heavy_client() -> None:
    script = ("import sys, rfsn\n"
              "for name in rfsn.__all__: getattr(rfsn, name)\n"
              "print(sorted(m for m in ('docker', 'anthropic', 'openai', 'ray') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=ROOT)
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
