"""A full ``--out`` leaves whole lines and whole sets of outputs: a trajectory line is written
whole or not at all, and patch.diff, result.json, report.md, report.html and metrics.prom appear together or
not at all (a full tmpfs left a trajectory line cut short and a 0-byte patch.diff beside no
result.json)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import ROOT

QUICKSTART = ROOT / "examples" / "quickstart"


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (root only): too small for a whole session's outputs."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _whole_lines(path: Path) -> None:
    data = path.read_bytes()
    assert data.endswith(b"\n"), data[-200:]
    for line in data.splitlines():
        json.loads(line)


def test_a_full_out_directory_leaves_whole_lines_and_no_partial_outputs(small_tmpfs: Path, tmp_path: Path) -> None:
    repo = tmp_path / "q"
    shutil.copytree(QUICKSTART, repo)
    proc = subprocess.run(
        [sys.executable, "-m", "rfsn", "repair", str(repo), "--sandbox", "local", "--out", str(small_tmpfs)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("rfsn: error: cannot ")
    (session,) = list(small_tmpfs.iterdir())
    for name in ("trajectory.jsonl", "events.jsonl"):
        _whole_lines(session / name)
    every = {"patch.diff", "result.json", "report.md", "report.html", "metrics.prom"}
    outputs = {p.name for p in session.iterdir()} & every
    assert outputs in (set(), every), outputs
    assert not [p for p in session.iterdir() if p.name.endswith(".tmp")]


#: a child whose files may grow to 1,000 bytes (RLIMIT_FSIZE: a short write, then EFBIG)
_LIMITED = textwrap.dedent("""
    import os, resource, signal, sys
    from pathlib import Path
    from rfsn.errors import OutputError
    from rfsn.fsutil import append_line, write_all_atomic
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
    where = Path(sys.argv[1])
    fd = os.open(where / "t.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        for n in range(100):
            append_line(fd, where / "t.jsonl", '{"step": %d, "pad": "%s"}' % (n, "x" * 60))
    except OutputError as exc:
        print(exc)
    try:
        write_all_atomic({where / "patch.diff": "", where / "result.json": "y" * 5000})
    except OutputError as exc:
        print(exc)
""")


def test_a_line_or_a_set_of_files_cut_short_by_a_full_disk_is_taken_back(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _LIMITED, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.splitlines()
    assert first.startswith(f"cannot append to {tmp_path / 't.jsonl'}: ") and "short write" in first
    assert second.startswith(f"cannot write {tmp_path / 'result.json'}: ")
    _whole_lines(tmp_path / "t.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.jsonl"]
