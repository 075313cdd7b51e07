"""Template priors learned from real fixes (issue 71, benchmarks/fixes/mined.py): the hand prior
moved toward each template's record on the design part of the fixes corpus."""

from rfsn.planners.patch.templates.python.catalogue import CATALOGUE
from tests.benchmarks.fixesmod import load

mined = load("mined")
FIXES = load("mined_counts").FIXES
HAND = {t.name: t.prior for t in CATALOGUE}


def test_a_template_that_wrote_more_fixes_per_candidate_comes_before_one_of_the_same_hand_prior():
    hand = {"few_wide": 0.5, "many_narrow": 0.5, "unmeasured": 0.5}
    table = {"few_wide": (1, 5000.0), "many_narrow": (10, 500.0)}
    priors = mined.priors(hand, table, 1.0)
    assert priors["many_narrow"] > priors["unmeasured"] > priors["few_wide"]
    assert max(priors.values()) == max(hand.values()) and min(priors.values()) > 0


def test_without_a_record_the_hand_priors_stay():
    hand = {"a": 0.9, "b": 0.3}
    assert mined.priors(hand, {}, 0.5) == hand


def test_the_design_fixes_record_lowers_the_prior_of_string_constants_the_most_prolific_template():
    """string_constant made the most candidates of any template at the design fixes' lines
    and wrote two of them: any weight on the record lowers its prior below its hand rank."""
    assert FIXES["string_constant"][1] == max(mass for _, mass in FIXES.values())
    for weight in (0.1, 1.0):
        mined_priors = mined.priors(HAND, FIXES, weight)
        assert mined_priors["string_constant"] / max(mined_priors.values()) < HAND["string_constant"] / max(
            HAND.values()
        )


def test_a_weight_of_zero_keeps_the_hand_priors():
    assert mined.priors(HAND, FIXES, 0.0) == HAND


def test_the_table_names_only_templates_of_the_catalogue():
    assert set(FIXES) <= set(HAND)
