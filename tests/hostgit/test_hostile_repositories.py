"""No byte of a target repository's git configuration decides what runs on the host.

The audit of issue 68 made ``rfsn test DIR`` create a marker file through a
``filter.<driver>.clean`` in DIR's ``.git/config``, and wrote rfsn's snapshot commit through a
``.git`` symlink into another repository. Each hostile repository of ``tests.hostgit.hostile``
is given to real ``rfsn test`` and ``rfsn buildpacks detect`` processes, and to ``prepare`` at
its HEAD and at a tag followed by an edit, a diff, a commit and a reset: no marker appears, the
source (and every repository it links to) keeps every byte and mtime, and rfsn gives the right
result or exits 2 with one line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.errors import WorkspaceError
from rfsn.workspace import prepare
from tests.hostgit.hostile import CASES, Hostile


def state(directory: Path) -> dict[str, object]:
    """Every entry under ``directory`` (not following links): bytes and mtime of files, link targets,
    directories' mtimes."""
    found: dict[str, object] = {}
    for current, dirs, files in os.walk(directory):
        for name in [*dirs, *files]:
            path = Path(current) / name
            rel = str(path.relative_to(directory))
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                found[rel] = ("dir", path.stat().st_mtime_ns)
            else:
                found[rel] = ("file", path.read_bytes(), path.stat().st_mtime_ns, path.stat().st_mode)
    return found


def rfsn(hostile: Hostile, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", **hostile.env}
    return subprocess.run(
        [sys.executable, "-m", "rfsn", *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def one_line_error(proc: subprocess.CompletedProcess[str], fragment: str) -> None:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("rfsn: error: "), proc.stderr
    assert fragment in lines[0]


def exercise(hostile: Hostile, dest: Path, ref: str | None) -> None:
    """What a repair session does in its copy: edit, diff, commit, reset."""
    ws = prepare(str(hostile.target), dest, ref=ref)
    (ws.path / "app.py").write_text("VALUE = 3\n")
    (ws.path / "added.py").write_text("ADDED = 1\n")
    assert "+VALUE = 3" in ws.diff() and "added.py" in ws.added()
    ws.commit("rfsn: edit")
    (ws.path / "app.py").write_text("VALUE = 4\n")
    ws.reset()
    assert (ws.path / "app.py").read_text() == "VALUE = 3\n"


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_repository_starts_nothing_and_is_left_as_it_was(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "marker"
    hostile = CASES[case](tmp_path / "case", marker)
    before = {str(d): state(d) for d in hostile.watched}
    tested = rfsn(hostile, "test", str(hostile.target), "--sandbox", "local", "--test-cmd", "true")
    detected = rfsn(hostile, "buildpacks", "detect", str(hostile.target))
    for name, value in hostile.env.items():
        monkeypatch.setenv(name, value)
    if hostile.error:
        one_line_error(tested, hostile.error)
        one_line_error(detected, hostile.error)
        with pytest.raises(WorkspaceError, match=hostile.error):
            prepare(str(hostile.target), tmp_path / "ws")
    else:
        assert tested.returncode == 0, tested.stderr
        assert detected.returncode == 0 and "python" in detected.stdout, detected.stderr
        exercise(hostile, tmp_path / "ws", None)
        exercise(hostile, tmp_path / "at-tag", "v1")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("marker")) == []
    assert {str(d): state(d) for d in hostile.watched} == before
