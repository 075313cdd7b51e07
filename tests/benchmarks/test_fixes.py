"""The fixes corpus (issue 71): the miner on a real repository, the committed corpus's invariants,
the edit shapes and the expressiveness measure."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
from collections import Counter
from pathlib import Path

from tests.benchmarks.fixesmod import FIXES, load
from tests.paths import COMMIT_DATES

mine, shapes, expressiveness = load("mine"), load("shapes"), load("expressiveness")
SOURCE = "def area(w, h):\n    return w + h\n\n\ndef name(x):\n    return x\n"


def _commit(repo: Path, files: dict[str, str], message: str) -> None:
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(repo), **COMMIT_DATES}
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message],
        check=True,
        env=env,
    )


def test_the_miner_keeps_a_one_hunk_fix_and_drops_formatting_chores_and_features(tmp_path: Path) -> None:
    repo = tmp_path / "owner__name"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    _commit(repo, {"pkg/geo.py": SOURCE, "tests/test_geo.py": "x = 1\n"}, "initial")
    fixed = SOURCE.replace("w + h", "w * h")
    _commit(repo, {"pkg/geo.py": fixed, "tests/test_geo.py": "x = 2\n"}, "Fix area of a rectangle")
    _commit(repo, {"pkg/geo.py": fixed.replace("w * h", "w  *  h")}, "fix spacing")
    _commit(repo, {"pkg/geo.py": fixed.replace("return x", "return x.strip()")}, "Add stripping")
    _commit(repo, {"pkg/geo.py": fixed.replace("return w * h", "return w * h  # area")}, "fix: typo in comment")
    project = {"repo": "owner/name", "split": "design", "language": "python"}
    rows = mine.mine_project((tmp_path, project))
    assert [(r["subject"], r["file"], r["tests"], r["changed_lines"]) for r in rows] == [
        ("Fix area of a rectangle", "pkg/geo.py", ["tests/test_geo.py"], 2)
    ]
    assert "-    return w + h\n+    return w * h" in rows[0]["hunk"]


def test_brace_languages_drop_comment_and_whitespace_only_hunks() -> None:
    assert not mine.changes_code(["-  x = a+b; // sum", "+  x = a + b;  // the sum"])
    assert mine.changes_code(["-  x = a+b;", "+  x = a-b;"])


def test_the_committed_corpus_keeps_its_rules() -> None:
    with open(FIXES / "projects.tsv", newline="") as fh:
        projects = {p["repo"]: p for p in csv.DictReader(fh, delimiter="\t") if p["status"] == "selected"}
    with gzip.open(FIXES / "fixes.jsonl.gz", "rt") as fh:
        rows = [json.loads(line) for line in fh]
    per_project = Counter(r["project"] for r in rows)
    assert len(rows) >= 2000 and len(per_project) >= 100
    assert max(per_project.values()) <= mine.CAP
    for row in rows:
        assert row["split"] == projects[row["project"]]["split"]
        assert row["language"] == projects[row["project"]]["language"]
        assert row["hunk"].count("\n@@ ") >= 1 and row["changed_lines"] <= mine.MAX_CHANGED
    assert len({(r["project"], r["commit"]) for r in rows}) == len(rows)


def test_edit_shapes_name_the_common_edits() -> None:
    before = "def f(a, b):\n    x = 1\n    return a - b\n"
    assert shapes.shape(before, before.replace("a - b", "a + b")) == "replaced operator"
    assert shapes.shape(before, before.replace("a - b", "abs(a - b)")) == "call wrapped"
    assert shapes.shape(before, before.replace("x = 1", "x = 2")) == "replaced constant"
    guarded = before.replace("    x = 1\n", "    x = 1\n    if a is None:\n        return 0\n")
    assert shapes.shape(before, guarded) == "guard inserted (early exit)"
    assert shapes.shape(before, before.replace("x = 1", "x = 'one'")) == "replaced constant"
    wrapped = before.replace("    x = 1\n", "    if a:\n        x = 1\n")
    assert shapes.shape(before, wrapped) == "statement wrapped in if"
    merged = "d = {**a, 'k': 1}\n"  # a dict's keys hold None for ``**a``
    assert shapes.shape(merged, merged.replace("1}", "1, 'j': 2}")).startswith("several edits: list of other nodes")


def test_expressiveness_finds_a_fix_a_template_writes_and_not_one_none_writes() -> None:
    before = "def f(a, b):\n    x = 1\n    return a - b\n\n\nclass C:\n    def g(self, n):\n        return n < 3\n"
    assert expressiveness.expressed("m.py", before, before.replace("a - b", "a + b"), "@@ -3 +3 @@")
    assert expressiveness.expressed("m.py", before, before.replace("n < 3", "n <= 3  # inclusive"), "@@ -8 +8 @@")
    assert not expressiveness.expressed("m.py", before, before.replace("n < 3", "n.bit_length() > 77"), "@@ -8 +8 @@")
    guarded = before.replace("    x = 1\n", "    x = 1\n    if a is None:\n        return None\n")
    assert expressiveness.expressed("m.py", before, guarded, "@@ -2,0 +3,2 @@ def f(a, b):")  # an insertion
    assert expressiveness.locations("@@ -5,0 +6,2 @@") == [5, 6]
    assert expressiveness.locations("@@ -5,2 +5 @@ def f():") == [5, 6]


def test_expressiveness_ignores_a_comment_line_that_holds_a_quote() -> None:
    before = "def f(a, b):\n    x = 1\n    return a - b\n"
    commented = before.replace("a - b", "a + b").replace(
        "    return", "    # the 'sum', not the difference\n    return"
    )
    assert expressiveness.expressed("m.py", before, commented, "@@ -3 +3,2 @@")


def test_patterns_name_where_a_fix_draws_its_new_names_from() -> None:
    origins = load("origins")
    nested = "def f(items, factor):\n    def one(n):\n        return n * scale\n    return one\n"
    fixed = nested.replace("n * scale", "n * factor")
    assert origins.pattern(nested, fixed, 3) == "replaced name <- enclosing function"
    call = "def f(p):\n    a = open(p, encoding='utf-8')\n    b = open(p)\n"
    fixed = call.replace("open(p)\n", "open(p, encoding='utf-8')\n")
    expected = "keyword argument added <- file literal + keyword of the callee's other calls"
    assert origins.pattern(call, fixed, 3) == expected
    assert origins.pattern(call, call.replace("b = open(p)", "b = 1"), 3) == "replaced Call by Constant <- new literal"


def test_priors_count_the_fixes_a_template_writes_and_rank_its_candidate() -> None:
    priors = load("priors")
    before = "def f(a, b):\n    x = 1\n    return a - b\n"
    row = {"project": "o/p", "file": "m.py", "hunk_header": "@@ -3 +3 @@"}
    fix = priors.collect(row, before, before.replace("a - b", "a + b"))
    assert {c[0] for c in fix.cands if c[5]} == {"arithmetic_operator"}
    table = priors.counts([fix])
    assert table["arithmetic_operator"][0] == 1 and all(
        hits == 0 for name, (hits, _) in table.items() if name != "arithmetic_operator"
    )
    hand = priors.rank(fix, priors.HAND_PRIORS)
    favoured = priors.rank(fix, {**priors.HAND_PRIORS, "arithmetic_operator": 10.0})
    assert favoured == 1 and hand >= favoured
    assert (
        priors.rank(priors.collect(row, before, before.replace("a - b", "a.bit_length()")), priors.HAND_PRIORS) is None
    )


def test_the_tests_given_setting_reads_the_test_functions_the_fixing_commit_changes(tmp_path: Path) -> None:
    """Tests given, a fix's material is the touched test file's changed functions at the fixing
    commit; the measure then expresses a fix whose new literal only the tests hold."""
    givens = load("givens")
    repo = tmp_path / "owner__name"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    source = 'def label(x):\n    return "key_name"\n'
    tests = 'def test_label():\n    assert label(1)\n\n\ndef test_other():\n    assert "untouched"\n'
    _commit(repo, {"pkg/m.py": source, "tests/test_m.py": tests}, "initial")
    fixed = source.replace("key_name", "key-name")
    _commit(repo, {"pkg/m.py": fixed, "tests/test_m.py": tests.replace("label(1)", 'label(1) == "key-name"')}, "fix")
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD", "HEAD^"], capture_output=True, text=True)
    commit, parent = head.stdout.split()
    row = {"project": "owner/name", "commit": commit, "parent": parent, "tests": ["tests/test_m.py"]}
    material = givens.material_of(tmp_path, row)
    assert material.strings == ("key-name",)
    assert expressiveness.expressed("pkg/m.py", source, fixed, "@@ -2 +2 @@", material)
    assert not expressiveness.expressed("pkg/m.py", source, fixed, "@@ -2 +2 @@")
