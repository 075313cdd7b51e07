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
