"""benchmarks/bench_environments.py: the old commit is the last first-parent one before the cut-off
(none when the history starts later), and a row says why when no environment was built."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_environments import commit_of, green, materialise, ran, summary
from envcheckout import mirror_of, submodules
from rowclock import Ended


def _commit(repo: Path, name: str, date: str) -> str:
    (repo / name).write_text(name)
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "PATH": "/usr/bin:/bin"}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run([*git, "commit", "-qm", name], cwd=repo, check=True, env=env)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()


def test_the_old_commit_is_the_last_before_the_cutoff_and_materialises(tmp_path: Path) -> None:
    repo = tmp_path / "src"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    _commit(repo, "a", "2020-01-01T00:00:00Z")
    old = _commit(repo, "b", "2022-11-27T12:00:00Z")
    head = _commit(repo, "c", "2024-05-01T00:00:00Z")
    assert commit_of(repo, "head") == head
    assert commit_of(repo, "old") == old
    materialise(repo, old, tmp_path / "trees" / "x")
    assert sorted(p.name for p in (tmp_path / "trees" / "x").iterdir() if p.name != ".git") == ["a", "b"]


def test_a_history_starting_after_the_cutoff_has_no_old_commit(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _commit(tmp_path, "a", "2023-01-01T00:00:00Z")
    assert commit_of(tmp_path, "old") == ""


def test_a_build_that_failed_gives_rfsns_one_line_and_a_run_gives_its_counts() -> None:
    err = "warn: something\nrfsn: error: env image: pip install x: No matching distribution found for x\n"
    assert summary(Ended(2, "", err)) == {
        "built": False,
        "cause": "rfsn: error: env image: pip install x: No matching distribution found for x",
    }
    stopped = "row timeout: the environment's build and setup ran past 600s and were killed"
    assert summary(Ended(None, "", "", stopped))["cause"] == stopped
    report = {"tests": {"a": "passed", "b": "failed", "c": "skipped", "d": "error"}, "structured": True}
    row = summary(Ended(1, json.dumps({**report, "log": "x" * 3000 + "AssertionError: 1 == 2"}), ""))
    assert (row["built"], row["collected"], row["passed"], row["failed"], row["errored"]) == (True, 3, 1, 1, 1)
    assert len(row["log_tail"]) == 2000 and row["log_tail"].endswith("1 == 2")  # below 99 %: why, to read
    assert "log_tail" not in summary(Ended(0, json.dumps({"tests": {"a": "passed"}, "log": "ok"}), ""))
    # distlib 2026: the failures' first lines, most frequent first, say why (the network, a service)
    reasons = {"b": ["URLError: name resolution", "x.py"], "d": ["URLError: name resolution", "y.py"]}
    with_reasons = summary(Ended(1, json.dumps({**report, "reasons": {**reasons, "e": ["KeyError: 1", "z.py"]}}), ""))
    assert with_reasons["failure_causes"] == [[2, "URLError: name resolution"], [1, "KeyError: 1"]]
    assert "cause" not in row and ran(row)
    broken = summary(Ended(1, json.dumps({**report, "env_error": "ModuleNotFoundError: No module named 'x'"}), ""))
    assert broken["built"] is False and broken["cause"] == "ModuleNotFoundError: No module named 'x'"
    assert not ran(broken)


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "protocol.file.allow=always", *args], cwd=cwd, check=True, capture_output=True)


def test_a_run_cut_by_its_limit_is_not_green_on_the_part_it_reported_networkx_head() -> None:
    reported = {"built": True, "collected": 3883, "passed": 3882, "failed": 0, "share": 0.9997}
    assert green({**reported, "exit": 0}) and green({**reported, "exit": 1})
    assert ran({**reported, "exit": 2}) and not green({**reported, "exit": 2})


def test_a_submodule_whose_repository_is_mirrored_is_checked_out_from_the_mirror_uvloop(tmp_path: Path) -> None:
    mirrors = tmp_path / "mirrors"
    lib = mirrors / "libuv+libuv" / "repo"  # as fetch leaves some: the .git inside
    lib.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=lib, check=True)
    pinned = _commit(lib, "uv.c", "2024-01-01T00:00:00Z")
    _commit(lib, "later.c", "2024-02-01T00:00:00Z")
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    _git(project, "submodule", "add", "-q", str(lib), "vendor/libuv")
    _git(project / "vendor" / "libuv", "checkout", "-q", pinned)
    (project / ".gitmodules").write_text(
        '[submodule "vendor/libuv"]\n\tpath = vendor/libuv\n\turl = https://github.com/libuv/libuv.git\n'
        '[submodule "vendor/llhttp"]\n\tpath = vendor/llhttp\n\turl = https://github.com/nodejs/llhttp.git\n'
    )
    _git(project, "update-index", "--add", "--cacheinfo", f"160000,{pinned},vendor/llhttp")  # not mirrored
    _git(project, "add", ".gitmodules", "vendor/libuv")
    _git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "vendor")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True).stdout.strip()
    assert mirror_of(mirrors, "libuv/libuv") == lib / ".git" and mirror_of(mirrors, "nodejs/llhttp") is None
    dest = tmp_path / "trees" / "uvloop"
    materialise(project, head, dest)
    assert submodules(dest, "MagicStack/uvloop", mirrors, tmp_path / "work") == ["vendor/llhttp"]
    assert sorted(p.name for p in (dest / "vendor" / "libuv").iterdir() if p.name != ".git") == ["uv.c"]
