"""Opt-in: ``rfsn validate`` and the ceiling check on real SWE-bench Lite instances (marker
``swebench_real``).

Runs only with ``-m swebench_real`` or ``RFSN_SWEBENCH_REAL=1`` (CI does neither). The data
stays outside the repository: ``RFSN_SWEBENCH_DATASET`` is the Lite dataset file (JSON or
JSON lines), ``RFSN_SWEBENCH_REPOS`` the directory of fetched repositories (``owner__name``),
``RFSN_SWEBENCH_IDS`` optionally the comma-separated instances to check (default: two pylint
instances of one repo and version, so they share one env image).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rfsn.cli import main

DEFAULT_IDS = "pylint-dev__pylint-7228,pylint-dev__pylint-7993"

pytestmark = [pytest.mark.swebench_real, pytest.mark.docker, pytest.mark.slow]


def _inputs() -> tuple[Path, Path, list[str]]:
    """The dataset, the repos dir and the ids, or a skip saying what is missing."""
    dataset = os.environ.get("RFSN_SWEBENCH_DATASET", "")
    repos = os.environ.get("RFSN_SWEBENCH_REPOS", "")
    if not dataset or not Path(dataset).is_file():
        pytest.skip(f"RFSN_SWEBENCH_DATASET must name the SWE-bench Lite dataset file (got {dataset!r})")
    if not repos or not Path(repos).is_dir():
        pytest.skip(f"RFSN_SWEBENCH_REPOS must name the directory of fetched repositories (got {repos!r})")
    ids = [i.strip() for i in os.environ.get("RFSN_SWEBENCH_IDS", DEFAULT_IDS).split(",") if i.strip()]
    text = Path(dataset).read_text(encoding="utf-8")
    rows = (
        json.loads(text)
        if text.lstrip().startswith("[")
        else [json.loads(line) for line in text.splitlines() if line.strip()]
    )
    by_id = {r["instance_id"]: r for r in rows}
    absent = [i for i in ids if i not in by_id]
    if absent:
        pytest.skip(f"not in {dataset}: {', '.join(absent)}")
    unfetched = sorted(
        {by_id[i]["repo"] for i in ids if not (Path(repos) / by_id[i]["repo"].replace("/", "__")).is_dir()}
    )
    if unfetched:
        pytest.skip(f"repositories not fetched into {repos}: {', '.join(unfetched)}")
    return Path(dataset), Path(repos), ids


def test_gold_resolves_and_empty_does_not_on_real_lite_instances(tmp_path: Path, docker_client: Any) -> None:
    dataset, repos, ids = _inputs()
    result = CliRunner().invoke(
        main,
        [
            "validate",
            str(dataset),
            "--run-id",
            "real",
            "--report-dir",
            str(tmp_path),
            "--repos-dir",
            str(repos),
            "--instance-ids",
            " ".join(ids),
        ],
    )
    rows = {r["instance_id"]: r for r in json.loads((tmp_path / "validation.real.json").read_text())}
    assert set(rows) == set(ids), result.output
    for instance_id, row in rows.items():
        assert row["valid"] and row["gold_resolves"] and row["empty_resolves"] is False, (instance_id, row)
    assert result.exit_code == 0, result.output
    assert f"{len(ids)}/{len(ids)} instances valid" in result.output


CEILING_IDS = "marshmallow-code__marshmallow-1343,marshmallow-code__marshmallow-1359"


@pytest.mark.timeout(7200)  # two batches and two evaluations of real instances
def test_a_model_that_knows_the_answer_resolves_real_lite_instances(tmp_path: Path, docker_client: Any) -> None:
    """The ceiling check (benchmarks/ceiling_swebench.py) on real instances: issue-only and with
    the tests given, every session's patch resolves its instance (``RFSN_SWEBENCH_CEILING_IDS``
    picks them; default two marshmallow instances, of Lite's dev split)."""
    import subprocess
    import sys

    dataset, repos, _ = _inputs()
    ids = os.environ.get("RFSN_SWEBENCH_CEILING_IDS", CEILING_IDS).replace(",", " ")
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "ceiling_swebench.py"
    proc = subprocess.run(
        [
            sys.executable,
            str(script),
            str(dataset),
            "--repos-dir",
            str(repos),
            "--out",
            str(tmp_path),
            "--instance-ids",
            ids,
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=7200,
    )
    wanted = len(ids.split())
    for setting in ("issue_only", "tests_given"):
        assert f"| {setting} | all | | {wanted}/{wanted} | | | |" in proc.stdout, (
            proc.stdout[-3000:] + proc.stderr[-2000:]
        )
