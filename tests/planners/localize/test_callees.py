"""Failing assertions point into tests; the functions those tests call are ranked instead."""

from rfsn.planners.localize.callees import callee_locations, function_spans

SOURCE = """'use strict';

function buyXGetYFree(sku, buy, free = 1) {
  return {
    discount(cart) {
      return Math.floor(cart.quantity / buy) * free;
    },
  };
}

function percentOff(percent, { minSubtotal = 0 } = {}) {
  return { discount(cart, running) { return running * percent; } };
}
"""
TEST = """const { buyXGetYFree } = require('../src/promotions');

test('buy two get one free', () => {
  const promo = buyXGetYFree('tea', 2);
  assert.strictEqual(promo.discount(cart), 300);
});
"""
OUTPUT = "AssertionError: 200 !== 300\n    at TestContext.<anonymous> (/testbed/test/promo.test.js:5:10)\n"


def test_function_spans_skip_destructured_parameters() -> None:
    spans = {name: (first, last) for name, first, last in function_spans(SOURCE, "javascript")}
    assert spans["buyXGetYFree"] == (3, 9)
    assert spans["percentOff"] == (11, 13)


def test_lines_of_the_called_function_are_ranked_first() -> None:
    ranked = callee_locations(OUTPUT, {"src/promotions.js": SOURCE}, {"test/promo.test.js": TEST})
    top = {loc.line for loc in ranked if loc.score == 1.0}
    assert 6 in top  # the faulty line, inside buyXGetYFree
    assert all(loc.line < 11 for loc in ranked if loc.score == 1.0)


def test_no_test_frames_means_no_callee_evidence() -> None:
    assert callee_locations("boom", {"src/promotions.js": SOURCE}, {"test/promo.test.js": TEST}) == []
