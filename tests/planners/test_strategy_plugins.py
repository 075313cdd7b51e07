"""A third-party patch strategy plugs in through the ``rfsn.strategies`` entry points."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.errors import ConfigError
from rfsn.planners.patch.strategies import check_name, load_strategy
from tests.conftest import installed_plugin
from tests.paths import ROOT

STRATEGY = '''
class NoIdeas:
    """Proposes nothing: the session must end not_fixed, having screened no candidate."""

    name = "no-ideas"

    def candidates(self, context):
        self.seen = context.failing
        return []
'''


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed distribution (a dist-info on sys.path) that declares one strategy."""
    site = installed_plugin(tmp_path / "site", "no_ideas", STRATEGY, "[rfsn.strategies]\nno-ideas = no_ideas:NoIdeas\n")
    monkeypatch.syspath_prepend(str(site))
    return site


def test_a_plugin_strategy_is_found_by_name(site: Path) -> None:
    info = check_name("no-ideas")
    assert info.source == "plugin no-ideas 0.1" and info.target == "no_ideas:NoIdeas"
    assert load_strategy("no-ideas").name == "no-ideas"
    assert check_name("template").source == "builtin"


def test_unknown_names_list_the_plugins_too(site: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"unknown planner 'nope' \(known: anthropic, hybrid, no-ideas, openai, template\)"
    ):
        check_name("nope")


@pytest.mark.docker
def test_rfsn_repair_runs_a_plugin_strategy(site: Path, tmp_path: Path, docker_client: object) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rfsn",
            "repair",
            str(ROOT / "examples" / "quickstart"),
            "--planner",
            "no-ideas",
            "--out",
            str(tmp_path / "out"),
            "--sandbox",
            "docker",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    (session,) = (tmp_path / "out").iterdir()
    result = json.loads((session / "result.json").read_text())
    assert result["status"] == "not_fixed" and result["candidates_tried"] == 0
    assert "no plausible patch among 0 candidates" in result["message"]
