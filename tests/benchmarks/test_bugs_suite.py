"""The bugs layer's stronger judge (issue 71, precision): a patch not AST-equal to the developers'
fix is correct when the fixing commit's whole suite fails nothing the fix passes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from tests.paths import COMMIT_DATES, ROOT

BUGS = ROOT / "benchmarks" / "fixes" / "bugs"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


suite = _load("bugs_suite", BUGS / "suite.py")
repair = _load("bugs_repair", BUGS / "repair.py")


def _log(failed: int) -> str:
    return f"[  12.00s] tests ran in 8.02s, exit 1, {{'passed': 15, 'failed': {failed}, 'error': 0, 'skipped': 0}}\n"


def test_the_whole_suite_is_every_test_module_of_the_fixing_commit(tmp_path: Path) -> None:
    repo = tmp_path / "owner__name"
    for path in ("pkg/geo.py", "tests/test_geo.py", "tests/conftest.py", "tests/helpers.py", "pkg/area_test.py"):
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text("x = 1\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **COMMIT_DATES}
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "fix"],
        check=True,
        env=env,
    )
    modules = suite.test_modules(repo, "HEAD")
    assert modules == ["pkg/area_test.py", "tests/test_geo.py"]
    instance = {"FAIL_TO_PASS": ["tests/test_geo.py::test_area"], "PASS_TO_PASS": []}
    assert suite.whole_suite(instance, modules)["PASS_TO_PASS"] == modules
    assert suite.whole_suite({**instance, "FAIL_TO_PASS": ["tests/test_geo.py"]}, modules)["PASS_TO_PASS"] == [
        "pkg/area_test.py"
    ]


def test_the_whole_suite_holds_the_modules_the_project_s_runner_collects_tqdm_2018(tmp_path: Path) -> None:
    """tqdm (2018) names its tests ``tests_*.py`` and runs them with nose: the whole suite of its
    fixed session held no module, only the fixing commit's own test file ran."""
    repo = tmp_path / "owner__name"
    files = {"tqdm/_tqdm.py": "x = 1\n", "tqdm/tests/tests_tqdm.py": "x = 1\n", "tqdm/tests/tests_sync.py": "x = 1\n"}
    files["tox.ini"] = "[testenv]\ndeps = nose\ncommands = nosetests -d -v tqdm/\n"
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **COMMIT_DATES}
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "fix"],
        check=True,
        env=env,
    )
    assert suite.test_modules(repo, "HEAD") == ["tqdm/tests/tests_sync.py", "tqdm/tests/tests_tqdm.py"]


def test_a_patch_that_fails_a_test_the_fix_passes_on_the_whole_suite_is_not_correct() -> None:
    gold_out = "FAILED tests/test_a.py::test_net - OSError\n"
    same = suite.verdict(_log(1), gold_out, _log(1), gold_out)
    assert same == (True, "whole suite: 1 failing, as with the fix")
    other = suite.verdict(_log(1), "FAILED tests/test_b.py::test_len\n", _log(1), gold_out)
    assert other == (False, "whole suite: 1 failing where the fix has 1 (first: tests/test_b.py::test_len)")
    assert suite.verdict(_log(2), gold_out, _log(1), gold_out)[0] is False
    assert suite.verdict("[ 1.00s] result: error\n", "", _log(0), "")[0] is None


def test_precision_by_the_issue_s_judge_counts_ast_equal_and_whole_suite_verdicts() -> None:
    def row(iid: str, correct: bool | None, judged_by: str = "the touched test files") -> dict[str, object]:
        return {
            "instance_id": iid,
            "status": "fixed",
            "why": "why",
            "template": "t",
            "concerns": [],
            "seconds": 1.0,
            "correct": correct,
            "judged_by": judged_by,
        }

    rows = [row("a", True, "AST-equal to the fix"), row("b", True), row("c", True), row("d", False), row("e", True)]
    verdicts = {
        "b": {"instance_id": "b", "correct_by_suite": True, "suite_why": "whole suite: 0 failing, as with the fix"},
        "c": {"instance_id": "c", "correct_by_suite": False, "suite_why": "whole suite: 2 failing where the fix has 1"},
        "d": {"instance_id": "d", "correct_by_suite": True, "suite_why": "whole suite: 0 failing, as with the fix"},
    }
    assert [repair.strong(r, verdicts) for r in rows] == [True, True, False, False, None]
    text = repair.table(rows, verdicts)
    assert "precision (correct of fixed): 4/5 (80 %)" in text
    assert (
        "precision by the issue's judge (AST-equal, or the fixing commit's whole suite and the next year's tests): "
        in text
    )
    assert "2/5 (40 %); not judged so: 1" in text
    assert "not judged so: 1" in text
    assert "| no (whole suite: 2 failing where the fix has 1) |" in text


def _commit(repo: Path, files: dict[str, str], date: str) -> str:
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(repo.parent), "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", date],
        check=True,
        env=env,
    )
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_next_year_s_tests_are_the_test_modules_changed_that_year_that_name_the_fixed_module(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "owner__name"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    _commit(repo, {"pkg/geo.py": "def area(w, h):\n    return w + h\n"}, "2020-01-01T00:00:00+00:00")
    fix = _commit(repo, {"pkg/geo.py": "def area(w, h):\n    return w * h\n"}, "2020-02-01T00:00:00+00:00")
    _commit(
        repo,
        {
            "tests/test_geo.py": "from pkg.geo import area\n",
            "tests/test_other.py": "import os\n",
            "tests/conftest.py": "import pytest\n",
        },
        "2020-06-01T00:00:00+00:00",
    )
    later = _commit(repo, {"tests/test_geometry.py": "from pkg import geo\n"}, "2020-12-01T00:00:00+00:00")
    _commit(repo, {"tests/test_geo2.py": "from pkg.geo import area\n"}, "2021-06-01T00:00:00+00:00")
    patch = "--- a/pkg/geo.py\n+++ b/pkg/geo.py\n@@ -2 +2 @@\n-    return w + h\n+    return w * h\n"
    instance = {"fix_commit": fix, "patch": patch}
    assert suite.later_tests(repo, instance) == (
        later,
        ["tests/conftest.py", "tests/test_geo.py", "tests/test_geometry.py"],
    )
    assert suite.later_tests(repo, instance, days=10) == (fix, [])


def test_a_patch_that_fails_the_next_year_s_tests_where_the_fix_passes_is_not_correct() -> None:
    row = {"instance_id": "a", "status": "fixed", "correct": True, "judged_by": "the touched test files"}
    whole = {"instance_id": "a", "correct_by_suite": True}
    assert repair.strong(row, {"a": {**whole, "correct_by_later": None}}) is True
    assert repair.strong(row, {"a": {**whole, "correct_by_later": True}}) is True
    assert repair.strong(row, {"a": {**whole, "correct_by_later": False}}) is False


def test_beside_the_verdict_the_table_says_what_rfsn_said_of_the_patch(tmp_path: Path) -> None:
    """A patch the judge calls correct that changes what an expression is (issue 71's bound method
    where a number or None was) shows with the concern rfsn raised, or with none."""
    early, late = tmp_path / "s1" / "batch", tmp_path / "s2" / "batch"
    concern = "`self.refresh` at m.py:9 is the method Buffer.refresh, uncalled, where `self.size` ... is a value"
    for batch, iid, said in ((early, "a", []), (early, "b", ["old"]), (late, "b", [concern])):
        (batch / iid / iid).mkdir(parents=True)
        (batch / iid / iid / "result.json").write_text(json.dumps({"status": "plausible", "concerns": said}))
    assert suite.session([early, late], "b") == {"session_status": "plausible", "concerns": [concern]}
    assert suite.session([early, late], "a")["concerns"] == []
    assert suite.session([early, late], "c") == {"session_status": "", "concerns": None}
    verdict = {"correct_by_suite": True, "suite_why": "whole suite: 0 failing, as with the fix", "later_modules": []}
    judged = [{"instance_id": iid, **verdict, **suite.session([early, late], iid)} for iid in ("a", "b", "c")]
    repairs = {
        iid: {"instance_id": iid, "status": "fixed", "correct": True, "judged_by": "the touched test files"}
        for iid in ("a", "b", "c")
    }
    text = suite.table(judged, repairs)
    assert "| a | plausible | yes | yes (whole suite: 0 failing, as with the fix) | no tests | none raised |" in text
    assert f"| b | plausible | yes | yes (whole suite: 0 failing, as with the fix) | no tests | {concern} |" in text
    assert "| c | - | yes |" in text and text.rstrip().endswith(
        "correct by the issue's judge: 2 with no concern raised by rfsn, 1 with one; not correct: 0 with none, "
        "0 with one; not judged: 0"
    )
