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


RUST = """pub fn top(counts: &[u32]) -> Vec<u32> {
    let mut v = counts.to_vec();
    v.sort_by(|a, b| a.cmp(b));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_sorts_descending() {
        assert_eq!(top(&[1, 3]), vec![3, 1]);
    }
}
"""
OLD_RUSTC = (
    "thread 'tests::top_sorts_descending' panicked at 'assertion failed: `(left == right)`\n"
    "  left: `[1, 3]`,\n right: `[3, 1]`', src/lib.rs:13:9\n"
)


def test_rust_tests_inside_the_source_file_name_the_function_under_test() -> None:
    """An in-module #[cfg(test)] test is test code; old rustc puts the location last."""
    ranked = callee_locations(OLD_RUSTC, {"src/lib.rs": RUST}, {})
    assert {loc.line for loc in ranked} == {1, 2, 3, 4, 5}


BUFFER = """pub struct Buf { v: Vec<i32> }

impl Buf {
    pub fn push(&mut self, x: i32) {
        self.v.push(x);
    }

    pub fn get(&self, i: usize) -> Option<&i32> {
        self.v.get(i + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_returns_what_was_pushed() {
        let mut b = Buf { v: vec![] };
        b.push(1);
        assert_eq!(b.get(0), Some(&1));
    }
}
"""
PANIC = "thread 'tests::get_returns_what_was_pushed' panicked at src/lib.rs:21:9:\nassertion `left == right` failed\n"


def test_the_call_on_the_failing_line_outranks_the_set_up() -> None:
    """The frame's own line calls ``get``; ``push`` only sets up: ``get``'s body ranks first."""
    ranked = callee_locations(PANIC, {"src/lib.rs": BUFFER}, {})
    top = {loc.line for loc in ranked if loc.score == 1.0}
    assert top == {8, 9, 10}
    assert {loc.line for loc in ranked if loc.score < 1.0} == {4, 5, 6}
