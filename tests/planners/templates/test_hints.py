"""A candidate that uses an import nothing else uses is ranked up."""

import pytest

from rfsn.planners.code.candidates import Candidate
from rfsn.planners.patch.templates.hints import boost, unused_imports

SOURCE = "from decimal import ROUND_HALF_UP, Decimal\n\n\ndef r(x):\n    return Decimal(x).quantize(Decimal(1))\n"


def _candidate(patched: str, score: float) -> Candidate:
    return Candidate(path="m.py", line=5, template="t", description="d", score=score, original=SOURCE, patched=patched)


def test_unused_imports_are_found() -> None:
    assert unused_imports(SOURCE) == {"ROUND_HALF_UP"}
    assert unused_imports("import os\nos.getcwd()\n") == set()


def test_a_candidate_using_an_unused_import_outranks_a_better_scored_one() -> None:
    uses = _candidate(SOURCE.replace("Decimal(1))", "Decimal(1), rounding=ROUND_HALF_UP)"), 0.2)
    other = _candidate(SOURCE.replace("Decimal(1)", "Decimal(2)"), 0.5)
    assert boost([other, uses])[0] is not uses  # a re-scored copy
    assert boost([other, uses])[0].patched == uses.patched


def test_the_words_a_candidate_adds_are_read_without_a_diff_of_the_file_dateutil_0b773a5(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """dateutil 0b773a5 (history corpus s6): a difflib pass over the 1,400-line module per
    candidate, 1,000 of them, took 5 to 11 s before the first screening."""
    monkeypatch.setattr(Candidate, "diff", lambda self: pytest.fail("a diff of the whole file"))
    uses = _candidate(SOURCE.replace("Decimal(1))", "Decimal(1), rounding=ROUND_HALF_UP)"), 0.2)
    other = _candidate(SOURCE.replace("Decimal(1)", "Decimal(2)"), 0.5)
    inserted = _candidate(SOURCE.replace("    return", "    x = ROUND_HALF_UP\n    return"), 0.1)
    deleted = _candidate(SOURCE.replace("\n\ndef r", "\ndef r"), 0.3)
    assert [c.patched for c in boost([other, uses, inserted, deleted])] == [
        uses.patched,
        other.patched,
        inserted.patched,
        deleted.patched,
    ]


def test_a_deletion_next_to_an_unused_import_is_not_ranked_up() -> None:
    """The lines around a deleted docstring hold ``from __future__ import annotations``, an
    import no name uses: deleting the docstring puts nothing to use (the devset's candidates
    changed rank when the words around a change were read as added)."""
    source = '"""Doc."""\nfrom __future__ import annotations\nfrom decimal import ROUND_HALF_UP\n'
    deleted = Candidate(
        path="m.py",
        line=1,
        template="t",
        description="d",
        score=0.1,
        original=source,
        patched=source.replace('"""Doc."""\n', ""),
    )
    assert boost([deleted])[0].score == 0.1
    within = _candidate(SOURCE.replace("(Decimal(1))", "(1)"), 0.1)  # a shorter line: nothing added
    assert boost([within])[0].score == 0.1
