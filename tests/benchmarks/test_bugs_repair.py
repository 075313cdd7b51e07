"""The bugs layer's repair driver (issue 71): how it judges a patch against the developers' fix on
a real repository, reads the harness's runs, and counts resolved and precision."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from tests.paths import COMMIT_DATES, ROOT

BUGS = ROOT / "benchmarks" / "fixes" / "bugs"
SOURCE = '"""Geometry."""\n\n\ndef area(w, h):\n    return w + h\n\n\ndef name(x):\n    return x\n'


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bugs_repair", BUGS / "repair.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bugs_repair"] = module
    spec.loader.exec_module(module)
    return module


repair = _load()


def _diff(repo: Path, text: str) -> str:
    (repo / "pkg" / "geo.py").write_text(text)
    diff = subprocess.run(["git", "-C", str(repo), "diff"], capture_output=True, text=True, check=True).stdout
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "--", "."], check=True)
    return diff


def test_a_patch_is_correct_when_its_syntax_tree_is_the_fix_s_and_not_when_it_is_another_edit(tmp_path: Path) -> None:
    repo = tmp_path / "owner__name"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "geo.py").write_text(SOURCE)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **COMMIT_DATES}
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"],
        check=True,
        env=env,
    )
    base = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    instance = {"base_commit": base, "patch": _diff(repo, SOURCE.replace("w + h", "w * h"))}
    assert repair.ast_equal(repo, instance, _diff(repo, SOURCE.replace("w + h", "(w)  *  h  # area"))) is True
    assert repair.ast_equal(repo, instance, _diff(repo, SOURCE.replace("w + h", "h * w"))) is False
    assert repair.ast_equal(repo, instance, _diff(repo, SOURCE.replace("return x", "return x * 1"))) is False
    assert repair.ast_equal(repo, instance, "not a patch\n") is None


def test_the_harness_runs_name_their_failing_tests_and_count_them() -> None:
    output = (
        "tests/test_a.py ..F\nFAILED tests/test_a.py::test_one - AssertionError: x\n"
        "ERROR tests/test_a.py::test_two\n========= 1 failed, 2 passed =========\n"
    )
    assert repair.failing(output) == {"tests/test_a.py::test_one", "tests/test_a.py::test_two"}
    log = "[  265.43s] tests ran in 8.02s, exit 1, {'passed': 15, 'failed': 2, 'error': 1, 'skipped': 0}\n"
    assert repair.bad_count(log) == 3
    assert repair.bad_count("[ 1.00s] result: error\n") is None


def test_precision_counts_the_correct_patches_of_the_fixed_sessions_only() -> None:
    def row(status: str, correct: bool | None) -> dict[str, object]:
        return {
            "instance_id": f"o__n-{status}",
            "status": status,
            "why": "why",
            "template": "t",
            "concerns": [],
            "seconds": 1.0,
            "correct": correct,
            "judged_by": "",
        }

    text = repair.table([row("fixed", True), row("fixed", False), row("plausible", True), row("not_fixed", None)])
    assert "fixed (resolved): 2/4 (50 %); precision (correct of fixed): 1/2 (50 %); plausible: 1 (1 correct)" in text
    assert "| 4 | o__n-not_fixed | not_fixed: why | t | - | - | - | 1 (0) |" in text
