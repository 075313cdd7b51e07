"""Choosing among plausible patches: signs of overfitting, then suspiciousness, then size."""

from __future__ import annotations

from rfsn.planners.code.candidates import Candidate, Splice, apply_splices
from rfsn.planners.code.location import Location
from rfsn.planners.verify.choice import Evidence, concerns, rank_plausible

SOURCE = """def is_adult(age):
    if age is None:
        return False
    return age > 18


def total(prices):
    result = 0
    for price in prices:
        result += price
    record(result)
    return result
"""
TEST = "from people import is_adult\n\ndef test_adult():\n    assert is_adult(18)\n    assert is_adult(42)\n"


def cand(old: str, new: str, template: str = "op") -> Candidate:
    start = SOURCE.index(old)
    splice = Splice(start, start + len(old), new)
    return Candidate(
        path="people.py",
        line=SOURCE[:start].count("\n") + 1,
        template=template,
        description=f"{old.strip()} -> {new.strip()}",
        score=1.0,
        original=SOURCE,
        patched=apply_splices(SOURCE, (splice,)),
        splices=(splice,),
    )


RIGHT = cand("age > 18", "age >= 18")
COLLECTION = cand("return False", "return []")  # plausible if the test only checks truthiness
SPECIAL = cand("age > 18", "age > 18 or age == 42")
DELETING = cand("    record(result)\n", "", template="delete_statement")


def test_a_boolean_function_returning_a_collection_is_a_concern() -> None:
    assert concerns(COLLECTION, Evidence()) == ["is_adult() now returns a collection where it returned a boolean"]
    assert concerns(RIGHT, Evidence()) == []
    # a function whose results are not all known from the syntax is not judged
    assert concerns(cand("return result", "return [result]"), Evidence()) == []


def test_a_literal_taken_from_the_failing_tests_is_a_concern() -> None:
    evidence = Evidence(test_sources={"test_people.py": TEST})
    assert concerns(SPECIAL, evidence) == ["brings in 42 from the failing tests"]
    # 18 is in the file already: changing the operator next to it is no special case
    assert concerns(RIGHT, evidence) == []


def test_deleting_code_that_passing_tests_run_is_a_concern() -> None:
    line = SOURCE.splitlines().index("    record(result)") + 1
    ran = Evidence(coverage={"t::test_total": {"people.py": [line]}}, passing=["t::test_total"])
    assert concerns(DELETING, ran) == ["deletes 1 line(s) of people.py that passing tests run"]
    unrun = Evidence(coverage={"t::test_total": {"people.py": [line + 1]}}, passing=["t::test_total"])
    assert concerns(DELETING, unrun) == []
    assert concerns(DELETING, Evidence()) == ["deletes 1 line(s) of people.py"]  # no coverage known


def test_the_patch_with_fewer_concerns_wins_then_the_more_suspicious_line_then_size() -> None:
    evidence = Evidence(
        test_sources={"test_people.py": TEST}, locations=[Location("people.py", 4, 0.9), Location("people.py", 3, 0.5)]
    )
    ranked = rank_plausible([COLLECTION, SPECIAL, RIGHT], evidence)
    assert ranked[0].candidate is RIGHT and ranked[0].concerns == []
    # both others have one concern each; the tie goes to the more suspicious line (4 over 3)
    assert [r.candidate for r in ranked][1:] == [SPECIAL, COLLECTION]
    bigger = cand("age > 18", "(age > 18) or (age > 17 and age >= 18)")
    assert rank_plausible([bigger, RIGHT], evidence)[0].candidate is RIGHT  # same line: smaller
