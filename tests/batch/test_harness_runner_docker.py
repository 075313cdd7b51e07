"""A SWE-bench spec whose runner is not pytest: Django's ``tests/runtests.py`` (spec 5.0, the real
table from the ``swebench`` package), on a small repository built here in Django's layout.
``rfsn evaluate`` runs the spec's test_cmd on the test_patch's directives and reads the statuses
with the harness's own Django log parser: gold resolves, the empty patch and a wrong one do not."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rfsn.cli import main
from tests.paths import COMMIT_DATES

pytest.importorskip("swebench")
pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.usefixtures("docker_client", "no_leaked_sandboxes")]

RUNTESTS = '''#!/usr/bin/env python
"""Django's runner, as far as its command line and output go."""
import argparse
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser()
parser.add_argument("labels", nargs="*")
parser.add_argument("--verbosity", type=int, default=1)
parser.add_argument("--settings")
parser.add_argument("--parallel")
args = parser.parse_args()
suite = unittest.defaultTestLoader.loadTestsFromNames(args.labels or ["calc_tests"])
result = unittest.TextTestRunner(verbosity=args.verbosity).run(suite)
sys.exit(not result.wasSuccessful())
'''
TESTS = """import unittest

from calc.core import add


class CoreTests(unittest.TestCase):
    def test_zero(self):
        self.assertEqual(add(0, 0), 0)
"""
NEW_TEST = """
    def test_add(self):
        self.assertEqual(add(2, 3), 5)
"""
F2P = "test_add (calc_tests.test_core.CoreTests.test_add)"
P2P = "test_zero (calc_tests.test_core.CoreTests.test_zero)"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **COMMIT_DATES},
    ).stdout


def _instance(repos: Path) -> dict[str, Any]:
    repo = repos / "django__django"
    (repo / "calc").mkdir(parents=True)
    (repo / "tests" / "calc_tests").mkdir(parents=True)
    (repo / "tests" / "requirements").mkdir()
    _git(repos, "init", "-q", str(repo))
    (repo / "setup.py").write_text("from setuptools import setup\nsetup(name='calc', packages=['calc'])\n")
    (repo / "calc" / "__init__.py").write_text("")
    (repo / "calc" / "core.py").write_text("def add(a, b):\n    return a - b\n")
    (repo / "tests" / "requirements" / "py3.txt").write_text("six==1.16.0\n")
    (repo / "tests" / "runtests.py").write_text(RUNTESTS)
    (repo / "tests" / "runtests.py").chmod(0o755)
    (repo / "tests" / "calc_tests" / "__init__.py").write_text("")
    (repo / "tests" / "calc_tests" / "test_core.py").write_text(TESTS)
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    base = _git(repo, "rev-parse", "HEAD").strip()
    (repo / "tests" / "calc_tests" / "test_core.py").write_text(TESTS + NEW_TEST)
    test_patch = _git(repo, "diff")
    _git(repo, "checkout", "-q", ".")
    (repo / "calc" / "core.py").write_text("def add(a, b):\n    return a + b\n")
    patch = _git(repo, "diff")
    _git(repo, "checkout", "-q", ".")
    return {
        "instance_id": "django__django-1",
        "repo": "django/django",
        "version": "5.0",
        "base_commit": base,
        "environment_setup_commit": base,
        "patch": patch,
        "test_patch": test_patch,
        "problem_statement": "add() subtracts",
        "FAIL_TO_PASS": json.dumps([F2P]),
        "PASS_TO_PASS": json.dumps([P2P]),
    }


def test_a_django_spec_is_graded_by_the_harness_log_parser(tmp_path: Path) -> None:
    repos = tmp_path / "repos"
    instance = _instance(repos)
    instances = tmp_path / "instances.jsonl"
    instances.write_text(json.dumps(instance) + "\n")
    wrong = instance["patch"].replace("+    return a + b", "+    return a * b")
    runs = [("gold", "gold")]
    for model, patch in (("empty", ""), ("wrong", wrong)):
        path = tmp_path / f"{model}.jsonl"
        path.write_text(
            json.dumps({"instance_id": "django__django-1", "model_name_or_path": model, "model_patch": patch}) + "\n"
        )
        runs.append((str(path), model))
    out = tmp_path / "out"
    for preds, run_id in runs:
        result = CliRunner().invoke(
            main,
            [
                "evaluate",
                preds,
                "--instances",
                str(instances),
                "--run-id",
                run_id,
                "--report-dir",
                str(out),
                "--repos-dir",
                str(repos),
            ],
        )
        assert result.exit_code == 0, result.output
    gold_dir = out / "logs" / "run_evaluation" / "gold" / "gold" / "django__django-1"
    report = json.loads((gold_dir / "report.json").read_text())["django__django-1"]
    assert report["resolved"] and report["tests_status"]["FAIL_TO_PASS"]["success"] == [F2P]
    output = (gold_dir / "test_output.txt").read_text()
    assert "./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 calc_tests.test_core" in output
    outcome = json.loads((gold_dir.parent / "results.jsonl").read_text().splitlines()[0])
    assert outcome["graded_by"] == "the SWE-bench log parser parse_log_django"
    for run_id in ("empty", "wrong"):
        summary = json.loads(next(out.glob(f"*.{run_id}.json")).read_text())
        assert summary["resolved_instances"] == 0 and summary["error_ids"] == [], summary
    wrong_report = out / "logs" / "run_evaluation" / "wrong" / "wrong" / "django__django-1" / "report.json"
    assert json.loads(wrong_report.read_text())["django__django-1"]["tests_status"]["PASS_TO_PASS"] == {
        "success": [P2P],
        "failure": [],
    }
