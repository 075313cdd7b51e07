"""The bugs layer of the fixes corpus (issue 71): the validation driver's table and its counts."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from tests.paths import ROOT


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bugs = _load("bugs_validate", ROOT / "benchmarks" / "fixes" / "bugs" / "validate.py")


def _row(iid: str, label: str, env_ok: bool, valid: bool) -> dict[str, object]:
    return {
        "instance_id": iid,
        "created": "2020-01-01",
        "single_hunk": True,
        "label": label,
        "env_ok": env_ok,
        "valid": valid,
        "cause": "" if valid else f"{label}: why | more",
    }


def test_the_table_counts_valid_environment_failures_and_unreproduced_bugs_by_label():
    rows = [
        _row("a", "valid", True, True),
        _row("b", "image_build", False, False),
        _row("c", "image_build", False, False),
        _row("d", "env", True, False),
        _row("e", "flaky", True, False),
    ]
    text = bugs.table(rows)
    assert "| 2 | b | 2020-01-01 | 1 | image_build | no | no | image_build: why \\| more |" in text
    assert text.splitlines()[-1] == (
        "validated: 5; valid: 1 (1 single-hunk); environment failures: 2 "
        "(image_build 2); not reproducible: 2 (env 1, flaky 1)"
    )


def test_the_mined_candidates_are_swebench_instances_of_test_part_projects_only():
    projects = [
        line.split("\t")
        for line in (ROOT / "benchmarks" / "fixes" / "projects.tsv").read_text(encoding="utf-8").splitlines()[1:]
    ]
    test_part = {p[3] for p in projects if p[6] == "test" and p[7] == "selected"}
    rows = [json.loads(line) for line in bugs.CANDIDATES.read_text(encoding="utf-8").splitlines()]
    assert rows and {r["repo"] for r in rows} <= test_part
    assert len({r["instance_id"] for r in rows}) == len(rows)
    assert all(r["patch"] and r["test_patch"] and r["base_commit"] for r in rows)


def test_a_candidate_is_validated_with_the_tests_that_flip_when_a_named_one_passes_at_base_pygments_63ae2ee():
    """pygments 2016 named two tests of its test patch, one of which passes at the buggy commit:
    "not valid" while the other fails before and passes after. As the history corpus's rule
    (``mine.refined``), the row validated names the tests that flip; a row whose runs flip none is
    validated as mined, with why."""
    instance = {"instance_id": "x", "FAIL_TO_PASS": ["t.py::T::test_randomly", "t.py::T::test_prefix"]}
    before = {"t.py::T::test_randomly": "passed", "t.py::T::test_prefix": "failed"}
    after = {"t.py::T::test_randomly": "passed", "t.py::T::test_prefix": "passed"}
    ran, note = bugs.to_validate(instance, bugs.mine.refined(instance, (before, after)))
    assert (ran["FAIL_TO_PASS"], ran["PASS_TO_PASS"], ran["mined_FAIL_TO_PASS"], note) == (
        ["t.py::T::test_prefix"],
        ["t.py::T::test_randomly"],
        instance["FAIL_TO_PASS"],
        "ok",
    )
    ran, note = bugs.to_validate(instance, bugs.mine.refined(instance, (after, after)))
    assert (ran, note) == (instance, "no test fails at the buggy commit and passes with the fix")
    ran, note = bugs.to_validate(instance, bugs.mine.refined(instance, "base run: timed out"))
    assert (ran, note) == (instance, "base run: timed out")


def test_the_repair_names_the_fail_to_pass_its_bug_was_validated_with(tmp_path):
    """A refined row's test lists (in ``results.jsonl``) are what the repair and its judges name;
    a row validated before the refine keeps the candidate's."""
    candidates, results = tmp_path / "candidates.jsonl", tmp_path / "results.jsonl"
    rows = [{"instance_id": i, "FAIL_TO_PASS": [f"t.py::test_{i}"], "PASS_TO_PASS": [], "patch": "p"} for i in "abc"]
    candidates.write_text("".join(json.dumps(r) + "\n" for r in rows))
    results.write_text(
        json.dumps({**_row("a", "valid", True, True), "FAIL_TO_PASS": ["t.py::test_a[1]"], "PASS_TO_PASS": ["t.py::u"]})
        + "\n"
        + json.dumps(_row("b", "valid", True, True))
        + "\n"
    )
    assert bugs.instances(candidates, results) == [
        {"instance_id": "a", "FAIL_TO_PASS": ["t.py::test_a[1]"], "PASS_TO_PASS": ["t.py::u"], "patch": "p"},
        {"instance_id": "b", "FAIL_TO_PASS": ["t.py::test_b"], "PASS_TO_PASS": [], "patch": "p"},
        {"instance_id": "c", "FAIL_TO_PASS": ["t.py::test_c"], "PASS_TO_PASS": [], "patch": "p"},
    ]


def _report(tmp: Path, run: str, iid: str, f2p: dict[str, list[str]], p2p: dict[str, list[str]]) -> None:
    log = tmp / "logs" / "run_evaluation" / run / "gold" / iid
    log.mkdir(parents=True)
    status = {"FAIL_TO_PASS": f2p, "PASS_TO_PASS": p2p}
    (log / "report.json").write_text(json.dumps({iid: {"resolved": not p2p.get("failure"), "tests_status": status}}))


def test_a_pass_to_pass_test_that_fails_in_one_gold_evaluation_is_dropped_and_named_s3transfer_602df6f(tmp_path):
    """s3transfer 2016: the gold resolved the bug in one of its two evaluations; what changed was a
    PASS_TO_PASS test that times its tasks (it failed under load), the FAIL_TO_PASS tests passed
    both times. The bug is validated again without that test, the row naming it; when a
    FAIL_TO_PASS test is what changed, the bug itself is flaky and nothing is dropped."""
    ran = {
        "instance_id": "b",
        "FAIL_TO_PASS": ["t.py::T::test_bug"],
        "PASS_TO_PASS": ["t.py::T::test_ok", "t.py::T::test_timed"],
    }
    fixed = {"success": ["t.py::T::test_bug"], "failure": []}
    _report(tmp_path, "bugs", "b", fixed, {"success": ["t.py::T::test_ok"], "failure": ["t.py::T::test_timed"]})
    _report(tmp_path, "bugs.again", "b", fixed, {"success": ran["PASS_TO_PASS"], "failure": []})
    stable = bugs._without_unstable(ran, tmp_path)
    assert (stable["PASS_TO_PASS"], stable["unstable"]) == (["t.py::T::test_ok"], ["t.py::T::test_timed"])
    runs = tmp_path / "logs" / "run_evaluation"
    assert not (runs / "bugs" / "gold" / "b").exists() and not (runs / "bugs.again" / "gold" / "b").exists()
    assert (runs / "bugs.unstable" / "gold" / "b" / "report.json").is_file()
    assert (runs / "bugs.again.unstable" / "gold" / "b" / "report.json").is_file()
    flaky_bug = {"success": [], "failure": ["t.py::T::test_bug"]}
    reports = [{"tests_status": {"FAIL_TO_PASS": flaky_bug, "PASS_TO_PASS": {"success": ["t.py::T::test_ok"]}}}]
    reports.append({"tests_status": {"FAIL_TO_PASS": fixed, "PASS_TO_PASS": {"success": ran["PASS_TO_PASS"]}}})
    assert bugs.unstable(reports, ran) == []
