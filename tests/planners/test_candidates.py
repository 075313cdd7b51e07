import subprocess

import pytest

from rfsn.patches import unified_diff
from rfsn.planners.code.candidates import Candidate, Splice, apply_splices, combine


def make(path, original, splices, template="t"):
    return Candidate(
        path=path, line=1, template=template, description="d", score=1.0,
        original=original, patched=apply_splices(original, splices), splices=tuple(splices),
    )  # fmt: skip


def test_apply_splices_rejects_overlaps():
    assert apply_splices("abcdef", [Splice(4, 5, "E"), Splice(0, 1, "A")]) == "AbcdEf"
    with pytest.raises(ValueError):
        apply_splices("abcdef", [Splice(0, 3, "x"), Splice(2, 4, "y")])


def test_diff_headers_and_missing_trailing_newline():
    diff = unified_diff("p/m.py", "a = 1\nb = 2", "a = 1\nb = 3")
    assert diff.startswith("diff --git a/p/m.py b/p/m.py\n--- a/p/m.py\n+++ b/p/m.py\n")
    assert diff.endswith("+b = 3\n\\ No newline at end of file\n")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("x = 1\ny = 2\n", "x = 1\ny = 3\n"),
        ("x = 1\ny = 2", "x = 1\ny = 2\n"),
        ("a\fb\n", "a\fc\n"),
    ],
)
def test_diff_applies_with_git(tmp_path, before, after):
    (tmp_path / "m.py").write_text(before)
    cand = make("m.py", before, [Splice(0, len(before), after)])
    (tmp_path / "fix.diff").write_text(cand.diff())
    subprocess.run(["git", "apply", "fix.diff"], cwd=tmp_path, check=True, capture_output=True)
    assert (tmp_path / "m.py").read_text() == after


def test_combine_same_file_and_different_files():
    src = "a = 1\nb = 2\n"
    first = make("m.py", src, [Splice(4, 5, "9")], "x")
    second = make("m.py", src, [Splice(10, 11, "8")], "y")
    both = combine(first, second)
    assert both is not None and both.patched == "a = 9\nb = 8\n" and both.template == "x+y"
    assert combine(first, make("m.py", src, [Splice(4, 5, "7")])) is None
    other = make("n.py", "c = 3\n", [Splice(4, 5, "4")])
    multi = combine(first, other)
    assert multi is not None
    assert "diff --git a/m.py b/m.py" in multi.diff() and "diff --git a/n.py b/n.py" in multi.diff()
