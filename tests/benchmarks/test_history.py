"""The history corpus (issue #45): the committed file, the miner that wrote it, and the bench's table."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from rfsn.buildpacks.testfiles import is_test_file
from rfsn.models.swebench import Instance
from rfsn.patches import touched_files
from tests.paths import ROOT

CORPUS = ROOT / "benchmarks" / "history" / "corpus.jsonl"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # NamedTuple classes look their module up
    spec.loader.exec_module(module)
    return module


mine = _load("history_mine", ROOT / "benchmarks" / "history" / "mine.py")
bench = _load("bench_history", ROOT / "benchmarks" / "bench_history.py")


def test_the_corpus_holds_what_the_issue_asks_in_swebench_format():
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    instances = [Instance.model_validate(row) for row in rows]
    assert len(instances) >= 60
    assert sum(row["single_hunk"] for row in rows) >= 30
    assert len({i.repo for i in instances}) >= 15
    assert len({i.instance_id for i in instances}) == len(instances)
    years = {i.created_at[:4] for i in instances}
    assert {"2015", "2024"} <= years
    for row, instance in zip(rows, instances, strict=True):
        assert instance.instance_id == f"{instance.repo.replace('/', '__')}-{row['fix_commit'][:7]}"
        assert instance.FAIL_TO_PASS and not instance.environment_setup_commit
        assert not any(is_test_file(f) for f in touched_files(instance.patch))
        assert all(is_test_file(f) for f in touched_files(instance.test_patch))
        assert row["single_hunk"] == (instance.patch.count("\n@@ ") + instance.patch.startswith("@@") == 1)
        assert all(t.split("::", 1)[0] in touched_files(instance.test_patch) for t in instance.FAIL_TO_PASS)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@localhost", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _commit(repo: Path, files: dict[str, str], message: str, date: str) -> None:
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    _git(repo, "add", "-A")
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", message],
        check=True,
        env={"GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date, "PATH": "/usr/bin:/bin"},
    )


TEST_V1 = "import pytest\n\n\ndef test_one():\n    assert last([1]) == 1\n"
TEST_V2 = TEST_V1 + (
    "\n\nclass TestLast:\n    @pytest.mark.parametrize('n', [2, 3])\n"
    "    def test_many(self, n):\n        assert last(list(range(n))) == n - 1\n"
)


def test_the_miner_takes_a_fix_with_its_new_tests_and_leaves_chores_and_source_only_commits(tmp_path):
    repo = tmp_path / "owner__proj"
    repo.mkdir()
    _git(repo, "init", "-q")
    _commit(
        repo,
        {"setup.py": "", "proj/core.py": "def last(xs):\n    return xs[0]\n", "tests/test_core.py": TEST_V1},
        "start",
        "2016-01-01T00:00:00",
    )
    _commit(repo, {"proj/core.py": "def last(xs):\n    return xs[0]\n# note\n"}, "Fix a comment", "2016-01-02T00:00:00")
    _commit(
        repo,
        {"proj/core.py": "def last(xs):\n    return xs[-1]\n", "tests/test_core.py": TEST_V2},
        "Fix last() for lists of many (#3)",
        "2016-01-03T00:00:00",
    )
    _commit(
        repo,
        {"proj/core.py": "def last(xs):\n    return xs[-1]  # typo\n", "tests/test_core.py": TEST_V2 + "\n"},
        "Fix typo",
        "2016-01-04T00:00:00",
    )
    fix, parent = _git(repo, "rev-parse", "HEAD~1", "HEAD~2").split()

    rows = mine.mine(repo, "owner__proj", "2015-01-01", "2025-01-01")

    assert [r["instance_id"] for r in rows] == [f"owner__proj-{fix[:7]}"]
    row = rows[0]
    assert (row["repo"], row["base_commit"], row["created_at"][:10]) == ("owner/proj", parent, "2016-01-03")
    assert row["FAIL_TO_PASS"] == ["tests/test_core.py::TestLast::test_many"]
    assert touched_files(row["patch"]) == ["proj/core.py"] and row["single_hunk"]
    assert touched_files(row["test_patch"]) == ["tests/test_core.py"]
    assert row["layout"] == {"metadata": ["setup.py"], "runner": [], "tests": "pytest", "requirements": []}


def test_a_fix_touching_a_blob_the_clone_lacks_is_skipped_not_fatal_fsspec_11074d8(tmp_path):
    repo = tmp_path / "owner__proj"
    repo.mkdir()
    _git(repo, "init", "-q")
    _commit(
        repo,
        {"setup.py": "", "proj/core.py": "def last(xs):\n    return xs[0]\n", "tests/test_core.py": TEST_V1},
        "start",
        "2016-01-01T00:00:00",
    )
    _commit(
        repo,
        {
            "proj/core.py": "def last(xs):\n    return xs[-1]\n",
            "tests/test_core.py": TEST_V2,
            "tests/big.yaml": "large\n",
        },
        "Fix last() for lists of many",
        "2016-01-03T00:00:00",
    )
    _commit(
        repo,
        {
            "proj/core.py": "def last(xs):\n    return xs[-1] if xs else None\n",
            "tests/test_core.py": TEST_V2 + "\n\ndef test_empty():\n    assert last([]) is None\n",
        },
        "Fix last() of nothing",
        "2016-01-04T00:00:00",
    )
    blob = _git(repo, "rev-parse", "HEAD~1:tests/big.yaml").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()

    rows = mine.mine(repo, "owner__proj", "2015-01-01", "2025-01-01")

    assert [r["problem_statement"] for r in rows] == ["Fix last() of nothing"]


def test_a_changed_decorator_names_its_test_and_a_helper_names_none():
    source = (
        "import unittest\n\n\ndef helper():\n    return 1\n\n\nclass Checks(unittest.TestCase):\n"
        "    def test_a(self):\n        pass\n\n    @unittest.skipIf(False, 'case')\n"
        "    def test_b(self):\n        pass\n"
    )
    assert mine.tests_touched(source, "t/test_x.py", {5}) == []
    assert mine.tests_touched(source, "t/test_x.py", {10}) == ["t/test_x.py::Checks::test_a"]
    assert mine.tests_touched(source, "t/test_x.py", {12}) == ["t/test_x.py::Checks::test_b"]
    assert mine.new_lines("@@ -3,0 +4,2 @@\n+a\n+b\n@@ -9 +10,0 @@\n-c\n") == {4, 5, 10}


def test_a_subject_says_fix_unless_it_is_a_chore_or_a_feature_with_its_number():
    assert mine.says_fix("correctly unparse booleans (#180)")
    assert mine.says_fix("Fix #46: Improve key functions.")
    assert not mine.says_fix("Add a steps argument (#869)")
    assert not mine.says_fix("fix flake8 warnings")


def _one_fix(root, before, subject):
    """(repo, fix, parent): a project whose second commit, ``subject``, turns ``before`` into
    ``last`` returning the last item and adds a test."""
    repo = root / "owner__proj"
    repo.mkdir()
    _git(repo, "init", "-q")
    _commit(
        repo, {"setup.py": "", "proj/core.py": before, "tests/test_core.py": TEST_V1}, "start", "2016-01-01T00:00:00"
    )
    _commit(
        repo,
        {"proj/core.py": "def last(xs):\n    return xs[-1]\n", "tests/test_core.py": TEST_V2},
        subject,
        "2016-01-02T00:00:00",
    )
    fix, parent = _git(repo, "rev-parse", "HEAD", "HEAD~1").split()
    return repo, fix, parent


def test_a_fix_whose_source_change_changes_no_code_is_no_bug_fix_more_itertools_5ad28b4(tmp_path):
    """A commit whose source hunks change only whitespace, comments, docstrings or module
    metadata cannot make a test fail before it: more-itertools 5ad28b4 ("Fix missing newlines")
    only ended a file with a newline, pyparsing 421e0fc only moved `__version_time__`; the
    rule rejects it at mining time, and `--check` names the rows of a corpus it rejects."""
    assert not mine.changes_code("def f():\n    return 1", "def f():\n    return 1\n\n")
    assert not mine.changes_code(
        '"""Doc."""\n__version__ = "1"\ndef f():\n    """a"""\n    return 1  # x\n',
        '"""Other."""\n__version__ = "2"\n__credits__ = ["b"]\n\ndef f():\n    """b"""\n    return 1\n',
    )
    assert mine.changes_code("def f():\n    return 1\n", "def f():\n    return 2\n")
    assert mine.changes_code("VERSION = '1'\n", "VERSION = '2'\n")  # not a dunder: may be read
    assert mine.changes_code("__all__ = ['a']\n", "__all__ = ['a', 'b']\n")  # what the package exports (review)
    assert mine.changes_code("print 'py2'\n", "print 'py2'\n")  # does not parse: cannot tell
    repo, fix, parent = _one_fix(tmp_path, "def last(xs):\n    return xs[-1]", "Fix missing newlines")
    assert mine.mine(repo, "owner__proj", "2015-01-01", "2025-01-01") == []
    patch = _git(repo, "diff", parent, fix, "--", "proj/core.py")
    row = {
        "instance_id": "owner__proj-1",
        "repo": "owner/proj",
        "problem_statement": "Fix missing\nnewlines",
        "base_commit": parent,
        "fix_commit": fix,
        "patch": patch,
    }
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps(row) + "\n")
    assert mine.check(corpus, tmp_path) == [
        ("owner__proj-1", "its source change changes no code (only whitespace, comments, docstrings, metadata)")
    ]
    # a project not cloned would read as empty files, "no code change": one line and exit 2 instead
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "history" / "mine.py"),
            "--repos-dir",
            str(tmp_path / "none"),
            "--check",
            str(corpus),
            "--out",
            str(tmp_path / "out.tsv"),
        ],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2 and done.stderr.splitlines()[-1] == (
        f"mine.py: error: not cloned in {tmp_path / 'none'}: owner__proj"
    )


def test_an_autosquash_commit_or_a_linters_suggestions_are_no_bug_fix_marshmallow_c36cd2f():
    """`fixup! :bug: Fix pass_original ...` (marshmallow c36cd2f) reworks a fix git folds into
    another; `Appply some bugbear suggestions (#761)` (packaging 57a6a7f) is a linter's chore."""
    assert not mine.says_fix("fixup! :bug: Fix pass_original for validate_schema on nested many")
    assert not mine.says_fix("squash! Fix the parser")
    assert not mine.says_fix("Appply some bugbear suggestions (#761)")
    assert not mine.says_fix("Apply pyflakes suggestions (#12)")
    assert mine.says_fix("Fix #46: Improve key functions.")


def test_a_fix_for_a_platform_or_python_the_environments_are_not_is_no_candidate_natsort_7f08e4b(tmp_path):
    """natsort 7f08e4b ("Fix path splitter issue on Windows") cannot fail on Linux, where
    `os.sep` is the `/` it had before; boltons d69c177's "2.6 format fix" (`'{}'` as `'{0}'`)
    only on Python 2.6: the environments are Linux, Python 2.7 or later."""
    repo, fix, parent = _one_fix(tmp_path, "def last(xs):\n    return xs[0]\n", "Fix path splitter issue on Windows")
    assert mine.mine(repo, "owner__proj", "2015-01-01", "2025-01-01") == []
    for subject in ("commutivity tests and 2.6 format fix", "Fix OSX-related bugs", "Add FreeBSD fix (#3)"):
        assert mine.rejected(repo, subject, parent, fix, ["proj/core.py"]) is not None, subject
    assert mine.rejected(repo, "Fix last() on lists of 2.7 million", parent, fix, ["proj/core.py"]) is None
    for subject in ("Fix the bsd checksum", "Fix a bug in version 1.2.5", "Fix rolling windows"):  # review
        assert mine.rejected(repo, subject, parent, fix, ["proj/core.py"]) is None, subject


def test_the_pick_spreads_over_the_history_single_hunk_first():
    rows = [{"created_at": f"20{10 + i}", "single_hunk": i % 3 != 0} for i in range(12)]
    picked = mine.pick(rows, 4)
    assert [r["single_hunk"] for r in picked].count(False) == 1
    assert picked[0]["created_at"] < "2014" and picked[-1]["created_at"] > "2018"


def _mine_cli(repos: Path, out: Path, *extra: str) -> list[str]:
    options = ["--repos-dir", str(repos), "--projects", "owner__proj", "--per-project", "1", "--out", str(out)]
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "history" / "mine.py"), *options, *extra],
        check=True,
        capture_output=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    return [json.loads(line)["instance_id"] for line in out.read_text().splitlines()]


def test_a_corpus_grown_with_exclude_picks_the_projects_other_fixes_bugs_layer_71_short_of_80(tmp_path):
    """The bugs layer's 171 candidates (6 a project) gave too few valid bugs: a second pick with
    ``--exclude`` of the corpus takes the project's other fixes, none of the rows already there."""
    repo, first, _ = _one_fix(tmp_path, "def last(xs):\n    return xs[0]\n", "Fix last")
    _commit(
        repo,
        {"proj/core.py": "def last(xs):\n    return xs[-1] if xs else None\n", "tests/test_core.py": TEST_V1},
        "Fix last on an empty list",
        "2016-01-03T00:00:00",
    )
    second = _git(repo, "rev-parse", "HEAD").strip()
    mined = _mine_cli(tmp_path, tmp_path / "a.jsonl")
    assert len(mined) == 1
    again = _mine_cli(tmp_path, tmp_path / "b.jsonl", "--exclude", str(tmp_path / "a.jsonl"))
    assert len(again) == 1 and again != mined
    assert {mined[0], again[0]} == {f"owner__proj-{first[:7]}", f"owner__proj-{second[:7]}"}
    assert mine.not_taken([{"instance_id": "a"}, {"instance_id": "b"}], {"a"}) == [{"instance_id": "b"}]


def test_interleaved_rows_take_each_projects_next_row_in_turn_single_hunk_first():
    a = [{"id": "a1", "single_hunk": False}, {"id": "a2", "single_hunk": True}, {"id": "a3", "single_hunk": True}]
    b = [{"id": "b1", "single_hunk": True}]
    assert [r["id"] for r in mine.interleave([a, [], b])] == ["a2", "b1", "a3", "a1"]
    assert mine.interleave([]) == []


INSTANCE = {
    "instance_id": "o__p-1",
    "created_at": "2019-05-01T00:00:00Z",
    "single_hunk": True,
    "layout": {"tests": "nose"},
}


def test_named_tests_that_already_pass_ran_in_a_sound_environment():
    row = bench.bug_row(
        INSTANCE,
        {"label": "env", "valid": False, "message": "1 FAIL_TO_PASS test(s) already pass at base (first: t)"},
        None,
        None,
    )
    assert (row["env_ok"], row["valid"], row["resolved"]) == (True, False, None)
    assert row["cause"].startswith("not valid (env): 1 FAIL_TO_PASS")


def test_an_environment_that_cannot_collect_the_tests_is_the_cause_and_repair_is_not_blamed():
    message = "1 test(s) not collected at base (first: t): ModuleNotFoundError: No module named 'pkg_resources'"
    row = bench.bug_row(INSTANCE, {"label": "env", "valid": False, "message": message}, None, None)
    assert row["env_ok"] is False and row["cause"] == f"environment (env): {message}"


def test_a_valid_bug_the_planner_missed_says_why_and_the_figures_count_it():
    valid = {"label": "valid", "valid": True, "message": ""}
    missed = bench.bug_row(
        INSTANCE,
        valid,
        {"status": "not_fixed", "message": "not_fixed: no plausible candidate among 40\nmore"},
        {"status": "empty_patch"},
    )
    fixed = bench.bug_row({**INSTANCE, "instance_id": "o__p-2"}, valid, {"status": "fixed"}, {"status": "resolved"})
    assert missed["cause"] == "repair: not_fixed: no plausible candidate among 40"
    assert fixed["cause"] == "" and fixed["resolved"] is True
    figures = bench.figures([missed, fixed, bench.bug_row(INSTANCE, None, None, None)])
    assert figures == {
        "bugs": 2,
        "environment_ok": "2/2 (100%)",
        "valid": "2/2 (100%)",
        "single_hunk_resolved": "1/2 (50%), 2 of them repaired",
    }
    table = bench.markdown([missed, fixed])
    assert "| o__p-2 | 2019-05-01 | 1 | nose | yes | yes | yes |  |" in table
    assert table.rstrip().endswith("single-hunk resolved: 1/2 (50%), 2 of them repaired")


def test_a_broken_environment_whose_message_names_no_exception_gets_the_first_of_its_log():
    message = "the environment is broken: no tests were collected: Traceback (most recent call last):"
    log = (
        'exit 1; last lines of its output:\n  File "x.py", line 3\n'
        'TypeError: required field "lineno" missing from alias\n'
        "rfsn.errors.InfraFailure: the environment is broken\n"
    )
    row = bench.bug_row(INSTANCE, {"label": "env", "valid": False, "message": message}, None, None, log)
    assert row["cause"] == (
        "environment (env): the environment is broken: no tests were collected: Traceback "
        '(most recent call last): [TypeError: required field "lineno" missing from alias]'
    )


def test_a_failed_build_gets_pips_own_reason_not_rfsns_wrapper_or_pips_closing_hint():
    log = (
        "[ 7.90s] error (image_build): building failed: ╰─> See above for output.\n"
        "rfsn.errors.ImageError: building rfsn/env-python:68f9 failed: See above for output.\n"
        "  Preparing metadata (setup.py): finished with status 'error'\n"
        "      error in nose-cover3 setup command: use_2to3 is invalid.\n"
    )
    assert bench.raised(log) == "error in nose-cover3 setup command: use_2to3 is invalid."
    assert bench.first_line("\x1b[31mImportError while importing\x1b[0m x") == "ImportError while importing x"
    assert bench.first_line("(first: t): [1m[31mE   ValueError[0m") == "(first: t): E   ValueError"


def test_gold_that_does_not_resolve_says_what_the_gold_run_raised():
    output = (
        "    raise ValueError('Unknown string format')\n"
        "E   AttributeError: module 'collections' has no attribute 'Callable'\n"
    )
    row = bench.bug_row(
        INSTANCE,
        {"label": "gold_unresolved", "valid": False, "message": "the gold patch does not resolve the instance"},
        None,
        None,
        "",
        output,
    )
    assert row["env_ok"] is True
    assert row["cause"] == (
        "not valid (gold_unresolved): the gold patch does not resolve the instance "
        "[AttributeError: module 'collections' has no attribute 'Callable']"
    )


def test_refined_fail_to_pass_is_what_fails_before_and_passes_after_cases_included():
    """FAIL_TO_PASS as SWE-bench builds it from two runs: a parametrized function the miner
    named bare (humanize's ``test_metric``) becomes its cases that flip; a named test that
    already passes before (arrow 2021's ``test_gt_than_10_years``) is left out; a test whose
    module could not import at the buggy commit (absent from that run) flips. PASS_TO_PASS
    is what passes in both runs (skipped is not passed)."""
    before = {
        "t.py::test_metric[1-1]": "passed",
        "t.py::test_metric[2-2]": "failed",
        "t.py::T::test_old": "passed",
        "t.py::test_new": "error",
        "t.py::test_skip": "skipped",
    }
    after = {
        "t.py::test_metric[1-1]": "passed",
        "t.py::test_metric[2-2]": "passed",
        "t.py::T::test_old": "passed",
        "t.py::test_new": "passed",
        "t.py::test_skip": "skipped",
        "u.py::test_import": "passed",
    }
    assert mine.fail_to_pass(before, after) == ["t.py::test_metric[2-2]", "t.py::test_new", "u.py::test_import"]
    row = {"instance_id": "x", "FAIL_TO_PASS": ["t.py::test_metric", "t.py::T::test_old"]}
    assert mine.refined(row, (before, after)) == {
        "instance_id": "x",
        "FAIL_TO_PASS": ["t.py::test_metric[2-2]", "t.py::test_new", "u.py::test_import"],
        "PASS_TO_PASS": ["t.py::T::test_old", "t.py::test_metric[1-1]"],
        "mined_FAIL_TO_PASS": ["t.py::test_metric", "t.py::T::test_old"],
        "refined": "ok",
    }
    assert mine.refined(row, (after, after)) == {
        **row,
        "refined": "no test fails at the buggy commit and passes with the fix",
    }
    assert mine.refined(row, "fix run: no tests were collected") == {
        **row,
        "refined": "fix run: no tests were collected",
    }


def test_a_suite_run_as_a_whole_names_no_fail_to_pass_wrap_ansi_02ad690():
    """wrap-ansi 2017 (ava, read by no report on Node 6): its test script's exit code flipped, and
    ``<suite>`` became FAIL_TO_PASS, which the grading never trusts (no structured report): the
    gold patch was "unresolved". The row says instead that the runner names no test."""
    row = {"instance_id": "x", "FAIL_TO_PASS": ["test.js"]}
    assert mine.refined(row, ({"<suite>": "failed"}, {"<suite>": "passed"}))["refined"].startswith(
        "the runner names no test"
    )
    assert mine.refined(row, ({}, {}))["refined"].endswith("(the runs read no test: the runner's report is empty)")
    assert mine.pass_to_pass({"<suite>": "passed", "t": "passed"}, {"<suite>": "passed", "t": "passed"}) == ["t"]


def test_refine_keeps_the_mined_corpus_and_resumes(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus.jsonl"
    rows = [{"instance_id": f"p-{n}", "FAIL_TO_PASS": [f"t.py::test_{n}"]} for n in range(3)]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ran: list[str] = []

    def run_both(row, repos_dir, timeout):
        ran.append(row["instance_id"])
        return {}, {f"t.py::test_{row['instance_id'][-1]}[a]": "passed"}

    monkeypatch.setattr(mine, "run_both", run_both)
    out = tmp_path / "refined.jsonl"
    mine.refine(corpus, out, tmp_path, {"p-0", "p-2"}, 60)
    mine.refine(corpus, out, tmp_path, set(), 60)
    assert ran == ["p-0", "p-2", "p-1"]  # the second run refines only what the first left
    assert [json.loads(line)["FAIL_TO_PASS"] for line in out.read_text().splitlines()] == [
        ["t.py::test_0[a]"],
        ["t.py::test_1[a]"],
        ["t.py::test_2[a]"],
    ]
    assert corpus.read_text() == "".join(json.dumps(r) + "\n" for r in rows)


def test_a_bug_repaired_and_never_validated_shows_its_repair_not_not_run():
    """``--stages repair --repair-all`` on a fresh OUT (s5's offline repair of the bugs s4 found
    valid) has no validation rows: each bug still shows whether it was resolved and why not."""
    missed = bench.bug_row(
        INSTANCE,
        None,
        {"status": "not_fixed", "message": "budget_exhausted: time budget spent (150s)"},
        {"status": "empty_patch"},
    )
    fixed = bench.bug_row({**INSTANCE, "instance_id": "o__p-2"}, None, {"status": "fixed"}, {"status": "resolved"})
    assert (missed["env_ok"], missed["valid"], missed["resolved"]) == (None, None, False)
    assert missed["cause"] == "repair: budget_exhausted: time budget spent (150s)"
    assert (fixed["resolved"], fixed["cause"]) == (True, "")
    assert (
        bench.figures([missed, fixed, bench.bug_row(INSTANCE, None, None, None)])["single_hunk_resolved"]
        == "1/2 (50%), 2 of them repaired"
    )


def test_the_repair_stage_without_a_validation_says_so_instead_of_repairing_nothing(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_history.py"),
            "--repos-dir",
            str(tmp_path),
            "--out",
            str(tmp_path / "out"),
            "--stages",
            "repair",
            "--instance-ids",
            "pytoolz__toolz-c696ac6",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"bench_history: error: not validated in {tmp_path / 'out'}: pytoolz__toolz-c696ac6"
        " (run the validate stage first, or --repair-all)\n"
    )


def test_validating_some_bugs_keeps_the_rows_of_the_others(tmp_path):
    """``rfsn validate --instance-ids`` writes only the bugs it ran; a later table of the whole
    corpus lost every other row (tomlkit fefb29f validated alone after a run of all 92)."""
    path = tmp_path / "validation.history.json"
    path.write_text(json.dumps([{"instance_id": "o__p-1", "label": "valid", "valid": True}]))
    before = bench.validations(path)
    path.write_text(json.dumps([{"instance_id": "o__p-2", "label": "env", "valid": False}]))
    rows = {
        "o__p-1": {"instance_id": "o__p-1", "label": "valid", "valid": True},
        "o__p-2": {"instance_id": "o__p-2", "label": "env", "valid": False},
    }
    assert bench.kept_validations(path, before) == rows
    assert bench.validations(path) == rows
    path.write_text(json.dumps([{"instance_id": "o__p-1", "label": "flaky", "valid": False}]))
    assert bench.kept_validations(path, rows)["o__p-1"]["label"] == "flaky"  # the newer row wins
    assert bench.validations(tmp_path / "none.json") == {}


def test_the_javascript_miner_takes_a_fix_with_its_test_file_and_leaves_comments_builds_and_browsers(tmp_path):
    """The JavaScript bugs of issue 70 (the environment corpus's histories): the subject rule and
    row shape of the Python miner; JS source outside builds and configuration; the fix's test
    files as FAIL_TO_PASS until ``--refine`` runs them."""
    repo = tmp_path / "owner__proj"
    repo.mkdir()
    _git(repo, "init", "-q")
    pkg = '{"scripts": {"test": "mocha"}}'
    _commit(
        repo,
        {"package.json": pkg, "index.js": "exports.last = (xs) => xs[0];\n", "test/index.js": "it('one', () => {});\n"},
        "start",
        "2016-01-01T00:00:00",
    )
    _commit(
        repo,
        {"index.js": "exports.last = (xs) => xs[0]; // note\n", "test/index.js": "it('a', () => {});\n"},
        "Fix a comment",
        "2016-01-02T00:00:00",
    )
    _commit(
        repo,
        {
            "index.js": "exports.last = (xs) => xs[xs.length - 1];\n",
            "test/index.js": "it('many', () => {});\n",
            "test/fixtures/a.js": "1;\n",
        },
        "Fix last() for arrays of many (#3)",
        "2016-01-03T00:00:00",
    )
    _commit(
        repo,
        {"index.js": "exports.last = (xs) => xs.at(-1);\n", "test/index.js": "it('ie', () => {});\n"},
        "Fix last() in IE 11",
        "2016-01-04T00:00:00",
    )
    _commit(
        repo,
        {"dist/proj.js": "x;\n", "webpack.config.js": "y;\n", "test/index.js": "it('b', () => {});\n"},
        "Fix the bundle",
        "2016-01-05T00:00:00",
    )
    fix = _git(repo, "rev-parse", "HEAD~2").strip()

    rows = mine.mine(repo, "owner__proj", "2015-01-01", "2025-01-01", "javascript")

    assert [r["instance_id"] for r in rows] == [f"owner__proj-{fix[:7]}"]
    assert rows[0]["FAIL_TO_PASS"] == ["test/index.js"]
    assert touched_files(rows[0]["patch"]) == ["index.js"]
    assert rows[0]["layout"] == {"metadata": ["package.json"], "tests": "mocha"}
    assert mine.mine(repo, "owner__proj", "2015-01-01", "2025-01-01") == []  # no Python there
