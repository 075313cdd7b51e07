"""A project whose dependency builds a C extension against a system library gets an environment:
psycopg2 2.9.9 from source stops on "pg_config executable not found" in the Python image, which
has no libpq; the build is done again with the Debian package that ships pg_config, and the
tests run against the extension it built."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest

from tests.cli.test_true_cause import make_repo
from tests.sandbox.test_syspkgs import seed_index

ROOT = Path(__file__).resolve().parents[2]


def _events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


@pytest.mark.docker
@pytest.mark.slow
def test_psycopg2_from_source_gets_libpq_dev_and_its_tests_run(tmp_path: Path) -> None:
    marker = uuid.uuid4().hex[:8]  # a recipe of its own: no cached image answers for it
    repo = make_repo(
        tmp_path,
        {
            "requirements.txt": f"psycopg2==2.9.9  # {marker}\n",
            "tests/test_driver.py": (
                "import psycopg2\n\n\ndef test_the_driver_is_built_against_libpq():\n"
                "    assert psycopg2.__libpq_version__ >= 150000\n"
            ),
        },
    )
    home = tmp_path / "home"
    seed_index(home, date.today())  # the real index's lines for these files: no fetch from Debian
    log = tmp_path / "events.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RFSN_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "rfsn", "test", str(repo), "--sandbox", "docker", "--log-file", str(log)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "1 passed" in proc.stdout, proc.stdout
    events = _events(log)
    found = [e for e in events if e.get("event") == "image.system_packages"]
    assert [list(e["added"]) for e in found] == [["libpq-dev"]], found
    notes = [n for e in events if e.get("event") == "sandbox.environment_built" for n in e["notes"]]
    assert any(
        n.startswith("Debian package libpq-dev added: the build lacked the executable pg_config") for n in notes
    ), notes
    remembered = list((home / "syspkgs").glob("*.json"))
    assert len(remembered) == 1 and json.loads(remembered[0].read_text())[0][0] == "libpq-dev"
