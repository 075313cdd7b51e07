"""A plausible patch's edits, and the patch less one of them (``planners.verify.minimal``)."""

from __future__ import annotations

from rfsn.planners.code.candidates import Candidate, Splice, apply_splices, combine
from rfsn.planners.verify.minimal import pieces, without

SOURCE = "def f(x):\n    return x.split(';')\n\n\ndef g(n):\n    return n + 1\n"


def candidate(old: str, new: str, name: str, path: str = "m.py", source: str = SOURCE) -> Candidate:
    start = source.index(old)
    splice = Splice(start, start + len(old), new)
    return Candidate(
        path=path,
        line=source[:start].count("\n") + 1,
        template=name,
        description=f"{name} here",
        score=1.0,
        original=source,
        patched=apply_splices(source, (splice,)),
        splices=(splice,),
    )


RSPLIT = candidate("x.split", "x.rsplit", "method")
FIX = candidate("n + 1", "n - 1", "operator")


def test_a_pair_has_its_two_edits_each_named_by_file_line_and_text() -> None:
    pair = combine(RSPLIT, FIX)
    assert pair is not None
    assert [str(p) for p in pieces(pair)] == ["m.py:2 `x.split` -> `x.rsplit`", "m.py:6 `n + 1` -> `n - 1`"]


def test_a_pair_less_one_edit_is_the_other_with_its_own_template_and_description() -> None:
    pair = combine(RSPLIT, FIX)
    assert pair is not None
    first, second = pieces(pair)
    left = without(pair, first)
    assert left is not None
    assert (left.template, left.description, left.line) == ("operator", "operator here", 6)
    assert left.diff() == FIX.diff()
    assert without(left, second) is None  # nothing would be left


def test_a_pair_across_two_files_less_the_first_files_edit_is_the_second_files_patch() -> None:
    other = candidate("return 1", "return 2", "literal", path="n.py", source="def h():\n    return 1\n")
    pair = combine(RSPLIT, other)
    assert pair is not None
    left = without(pair, pieces(pair)[0])
    assert left is not None and left.path == "n.py" and left.diff() == other.diff() and left.others == ()


def test_a_patch_whose_splices_do_not_make_its_file_has_no_edits_to_drop() -> None:
    whole = RSPLIT.model_copy(update={"splices": ()})
    assert pieces(whole) == []


def test_one_templates_splices_are_one_edit_never_split() -> None:
    """A swap of two arguments is two splices of one template: one edit, nothing to drop."""
    source = "def f(a, b):\n    return g(a, b)\n"
    at = source.index("g(a, b)")
    splices = (Splice(at + 2, at + 3, "b"), Splice(at + 5, at + 6, "a"))
    swap = Candidate(
        path="m.py",
        line=2,
        template="swap",
        description="swap g's arguments",
        score=1.0,
        original=source,
        patched=apply_splices(source, splices),
        splices=splices,
    )
    assert [str(p) for p in pieces(swap)] == ["m.py:2 `a` -> `b` (and 1 more splice)"]
    pair = combine(swap, candidate("return 1", "return 2", "literal", path="n.py", source="def h():\n    return 1\n"))
    assert pair is not None and [p.source for p in pieces(pair)] == [
        ("swap", "swap g's arguments"),
        ("literal", "literal here"),
    ]
    left = without(pair, pieces(pair)[1])
    assert left is not None and left.diff() == swap.diff() and left.template == "swap"
