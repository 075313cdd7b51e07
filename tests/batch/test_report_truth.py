"""Reports tell the truth: self-checked until graded, evidence linked, bars that add up, one file mode."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from click.testing import CliRunner

from rfsn.batch.outcome import Outcome, Status
from rfsn.batch.predictions import RunStore
from rfsn.cli import main
from rfsn.controller.trajectory import Trajectory
from rfsn.models.swebench import Prediction
from rfsn.observability.logging import events_to


def _batch_run(root: Path) -> None:
    store = RunStore(root)
    (root / "a" / "s1").mkdir(parents=True)
    for name in ("patch.diff", "result.json", "trajectory.jsonl"):
        (root / "a" / "s1" / name).write_text("x\n")
    store.record(
        Outcome(
            instance_id="a",
            status=Status.FIXED,
            duration=10.0,
            patch_lines=1,
            phases={"localize": 2.0, "patch": 5.0},
            link="a/s1/trajectory.jsonl",
        ),
        Prediction(instance_id="a", model_patch="p"),
    )


def test_batch_report_says_self_checked_not_resolved(tmp_path: Path) -> None:
    """A batch run's own verdict is not a graded result: the report never calls it resolved."""
    _batch_run(tmp_path)
    assert CliRunner().invoke(main, ["report", str(tmp_path)]).exit_code == 0
    page = (tmp_path / "report.html").read_text()
    assert "1/1 fixed (self-checked)" in page and "resolved" not in page.replace("rfsn evaluate", "")
    assert "fixed (self-checked)" in (tmp_path / "report.md").read_text()


def test_batch_report_links_each_instance_patch_and_report(tmp_path: Path) -> None:
    """Each instance row links the patch and the report next to its trajectory."""
    _batch_run(tmp_path)
    CliRunner().invoke(main, ["report", str(tmp_path)])
    page = (tmp_path / "report.html").read_text()
    assert 'href="a/s1/patch.diff"' in page and 'href="a/s1/result.json"' in page
    markdown = (tmp_path / "report.md").read_text()
    assert "[patch](a/s1/patch.diff)" in markdown and "[report](a/s1/result.json)" in markdown


def test_batch_report_links_an_instances_failed_environment_build_log(tmp_path: Path) -> None:
    """An instance whose environment build failed links the build's whole output (env-build.log)."""
    _batch_run(tmp_path)
    (tmp_path / "a" / "s1" / "env-build.log").write_text("Step 1/5 : FROM x\n")
    CliRunner().invoke(main, ["report", str(tmp_path)])
    assert 'href="a/s1/env-build.log"' in (tmp_path / "report.html").read_text()
    assert "[build log](a/s1/env-build.log)" in (tmp_path / "report.md").read_text()


def test_time_bars_add_up_to_their_label(tmp_path: Path) -> None:
    """The segments of an instance's bar add up to the seconds it is labelled with."""
    _batch_run(tmp_path)
    CliRunner().invoke(main, ["report", str(tmp_path)])
    page = (tmp_path / "report.html").read_text()
    row = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    seconds = [float(s) for s in re.findall(r"<title>[^:<]+: ([0-9.]+)s</title>", row)]
    labels = [float(s) for s in re.findall(r">([0-9.]+)s</text>", row)]
    assert labels == [10.0] and abs(sum(seconds) - 10.0) < 0.01, (seconds, labels)
    assert "other: 3.00s" in row


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_output_files_have_one_mode_whatever_the_umask(tmp_path: Path) -> None:
    """Trajectory and events are 0644, results, predictions and reports 0600, under any umask."""
    old = os.umask(0o077)
    try:
        _batch_run(tmp_path)
        CliRunner().invoke(main, ["report", str(tmp_path)])
        with Trajectory(tmp_path / "t" / "trajectory.jsonl"), events_to(tmp_path / "t" / "events.jsonl"):
            pass
    finally:
        os.umask(old)
    assert _mode(tmp_path / "t" / "trajectory.jsonl") == 0o644
    assert _mode(tmp_path / "t" / "events.jsonl") == 0o644
    for name in ("results.jsonl", "predictions.jsonl", "report.html", "report.md"):
        assert _mode(tmp_path / name) == 0o600, name
