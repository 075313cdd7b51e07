"""Template priors learned from real fixes (issue 71): the hand prior moved toward each
template's record on the design part of the fixes corpus."""

from rfsn.planners.patch.templates.python import mined
from rfsn.planners.patch.templates.python.catalogue import BY_NAME, HAND
from rfsn.planners.patch.templates.python.mined_counts import FIXES


def test_a_template_that_wrote_more_fixes_per_candidate_comes_before_one_of_the_same_hand_prior():
    hand = {"few_wide": 0.5, "many_narrow": 0.5, "unmeasured": 0.5}
    table = {"few_wide": (1, 5000.0), "many_narrow": (10, 500.0)}
    priors = mined.priors(hand, table, 1.0)
    assert priors["many_narrow"] > priors["unmeasured"] > priors["few_wide"]
    assert max(priors.values()) == max(hand.values()) and min(priors.values()) > 0


def test_without_a_record_the_hand_priors_stay():
    hand = {"a": 0.9, "b": 0.3}
    assert mined.priors(hand, {}) == hand


def test_the_design_fixes_record_lowers_the_prior_of_string_constants_the_most_prolific_template():
    """string_constant made the most candidates of any template at the design fixes' lines
    and wrote two of them: any weight on the record lowers its prior below its hand rank."""
    hand = {t.name: t.prior for t in HAND}
    assert FIXES["string_constant"][1] == max(mass for _, mass in FIXES.values())
    for weight in (0.1, 1.0):
        mined_priors = mined.priors(hand, FIXES, weight)
        assert mined_priors["string_constant"] / max(mined_priors.values()) < hand["string_constant"] / max(
            hand.values()
        )


def test_a_weight_of_zero_keeps_the_hand_priors():
    hand = {t.name: t.prior for t in HAND}
    assert mined.priors(hand, FIXES, 0.0) == hand
    assert {t.name: t.prior for t in BY_NAME.values()} == mined.priors(hand, FIXES)
