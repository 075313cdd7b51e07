"""Paths are paths: an instance's ``repo`` is a URL, an absolute path, or a path relative to the
instance file's directory; ``owner/name`` is GitHub's only when it cannot be a path.

The issue-68 audit: the README's own ``rfsn batch examples/instances.jsonl`` run from any
directory but the repository root tried to clone https://github.com/examples/quickstart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from structlog.testing import capture_logs

from rfsn.batch.harness.repos import Origin, instance_checkout
from rfsn.batch.instances import load_instances, require_sources
from rfsn.cli import main
from rfsn.errors import ConfigError
from tests.batch.test_patching import make_repo

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = json.loads((ROOT / "examples" / "instances.jsonl").read_text().splitlines()[0])


def _sources(logs: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(e["taken"], e["source"]) for e in logs if e["event"] == "batch.repo_source"]


def _instances(where: Path, repo: str) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    path = where / "instances.jsonl"
    path.write_text(json.dumps({**EXAMPLE, "repo": repo}) + "\n")
    return path


def test_the_readme_batch_example_from_another_directory_is_its_own_quickstart_never_github_issue_68(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = ROOT / "examples" / "instances.jsonl"
    with capture_logs() as logs:
        require_sources(path, load_instances(path), None)
    assert _sources(logs) == [("path", str(ROOT / "examples" / "quickstart"))]


def test_a_relative_repo_is_relative_to_the_instance_file_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, commit = make_repo(tmp_path / "data")
    path = _instances(tmp_path / "data", "origin")
    (tmp_path / "elsewhere" / "origin").mkdir(parents=True)  # the same name, from the working directory
    monkeypatch.chdir(tmp_path / "elsewhere")
    require_sources(path, load_instances(path), None)
    ws = instance_checkout(Origin("origin", tmp_path / "cache", 60, None, path.parent), commit, tmp_path / "ws")
    assert ws.source == str(repo.resolve()) and ws.base_commit == commit


@pytest.mark.parametrize("beside", ["instance file", "working directory"])
def test_owner_name_whose_owner_is_a_directory_is_a_path_never_github(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, beside: str
) -> None:
    """``acme/app`` with a directory ``acme`` beside the instance file (or in the working
    directory) and no ``acme/app`` in it is a missing path: an input error, no clone."""
    path = _instances(tmp_path / "data", "acme/app")
    (tmp_path / ("data" if beside == "instance file" else "cwd") / "acme").mkdir(parents=True)
    (tmp_path / "cwd").mkdir(exist_ok=True)
    monkeypatch.chdir(tmp_path / "cwd")
    with pytest.raises(ConfigError, match="no such directory, and not owner/name or a URL"):
        require_sources(path, load_instances(path), None)
    result = CliRunner().invoke(main, ["batch", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no such directory" in result.output, result.output


def test_owner_name_that_cannot_be_a_path_is_github_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _instances(tmp_path / "data", "acme/app")
    monkeypatch.chdir(tmp_path)
    with capture_logs() as logs:
        require_sources(path, load_instances(path), None)
    assert _sources(logs) == [("owner/name", "https://github.com/acme/app")]
