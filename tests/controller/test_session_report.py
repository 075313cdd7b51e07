"""A repair session writes report.html as a batch run does, and ``rfsn report`` takes a session's
folder (``rfsn repair`` wrote no HTML report, and ``rfsn report DIR`` refused its folder: "holds
no results.jsonl")."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT

QUICKSTART = ROOT / "examples" / "quickstart"


def _rfsn(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rfsn", *args], capture_output=True, text=True, timeout=600)


def test_a_repair_session_writes_report_html_and_rfsn_report_takes_its_folder(tmp_path: Path) -> None:
    repo = shutil.copytree(QUICKSTART, tmp_path / "q")
    done = _rfsn("repair", str(repo), "--sandbox", "local", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    (session,) = list((tmp_path / "out").iterdir())
    page = (session / "report.html").read_text()
    assert "<h1>rfsn repair: fixed</h1>" in page and f"<code>{repo}</code>" in page
    for name in ("trajectory.jsonl", "patch.diff", "result.json", "report.md"):
        assert f'<a href="{name}">' in page and (session / name).is_file()

    result = json.loads((session / "result.json").read_text())
    (session / "result.json").write_text(json.dumps({**result, "message": "<script>alert(1)</script>"}))
    (session / "report.html").unlink()
    again = _rfsn("report", str(session))
    assert again.returncode == 0, again.stderr
    assert again.stdout.split() == [str(session / "report.html"), str(session / "report.md")]
    page = (session / "report.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert f"<code>{repo}</code>" in page  # the target, as report.md names it
