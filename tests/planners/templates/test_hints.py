"""A candidate that uses an import nothing else uses is ranked up."""

from rfsn.planners.candidates import Candidate
from rfsn.planners.templates.hints import boost, unused_imports

SOURCE = "from decimal import ROUND_HALF_UP, Decimal\n\n\ndef r(x):\n    return Decimal(x).quantize(Decimal(1))\n"


def _candidate(patched: str, score: float) -> Candidate:
    return Candidate(path="m.py", line=5, template="t", description="d", score=score,
                     original=SOURCE, patched=patched)


def test_unused_imports_are_found() -> None:
    assert unused_imports(SOURCE) == {"ROUND_HALF_UP"}
    assert unused_imports("import os\nos.getcwd()\n") == set()


def test_a_candidate_using_an_unused_import_outranks_a_better_scored_one() -> None:
    uses = _candidate(SOURCE.replace("Decimal(1))", "Decimal(1), rounding=ROUND_HALF_UP)"), 0.2)
    other = _candidate(SOURCE.replace("Decimal(1)", "Decimal(2)"), 0.5)
    assert boost([other, uses])[0] is not uses  # a re-scored copy
    assert boost([other, uses])[0].patched == uses.patched
