from rfsn.planners.localize.stacktrace import (
    identifiers,
    localize_from_output,
    rank_frames,
    stack_frames,
)

FILES = {
    "src/promotions.js": "function discount(cart) {\n  return 1;\n}\n",
    "src/cart.js": "",
    "test/cart.test.js": "",
    "src/counter.rs": "",
    "src/lib.rs": "",
    "pkg/foo_test.go": "",
    "pkg/foo.go": "",
    "src/main/java/com/x/Cart.java": "",
}


def test_frames_of_every_language():
    output = "\n".join([
        "    at Object.discount (/testbed/src/promotions.js:12:27)",
        "    at /testbed/src/cart.js:3:9",
        "    at TestContext.<anonymous> (file:///testbed/test/cart.test.js:20:5)",
        "    at node:internal/test_runner/test:1:1",
        "thread 'counter::tests::top' panicked at src/counter.rs:70:9:",
        "thread 'x' panicked at 'boom', src/lib.rs:12:5",
        "    foo_test.go:12: expected 3 got 4",
        "        /testbed/pkg/foo.go:33 +0x1d",
        "\tat com.x.Cart.total(Cart.java:44)",
    ])  # fmt: skip
    assert stack_frames(output, "/testbed", FILES) == [
        ("src/promotions.js", 12),
        ("src/cart.js", 3),
        ("test/cart.test.js", 20),
        ("src/counter.rs", 70),
        ("src/lib.rs", 12),
        ("pkg/foo_test.go", 12),
        ("pkg/foo.go", 33),
        ("src/main/java/com/x/Cart.java", 44),
    ]


def test_test_frames_rank_below_source_frames():
    ranked = rank_frames([("test/a.test.js", 3), ("src/a.js", 9)])
    assert [loc.file for loc in ranked] == ["src/a.js", "test/a.test.js"]
    assert rank_frames([("test/a.test.js", 3)], exclude_tests=True) == []


def test_identifier_fallback_without_source_frames():
    files = {
        "lib/parse.js": "const x = 1;\nfunction parseDuration(t) {\n  return parseInt(t);\n}\n",
        "test/parse.test.js": "parseDuration('1.5s')",
    }
    output = "not ok 1 - parseDuration accepts fractions\n  at test/parse.test.js:4:3"
    ranked = localize_from_output(
        output, files, ["test/parse.test.js > parseDuration accepts fractions"]
    )
    assert ranked[0][:2] == ("lib/parse.js", 2)
    assert ranked[-1].file == "test/parse.test.js"


def test_identifiers_skip_common_words():
    assert identifiers(["test parseDuration should return expected"]) == ["parseDuration"]


RUST = """pub fn fetch(v: &[u8], i: usize) -> u8 {
    v[i - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_first() {
        assert_eq!(fetch(&[7], 0), 7);
    }
}
"""


def test_frames_in_a_rust_test_region_rank_as_test_frames():
    """A panic inside `#[cfg(test)]` points at code the gate protects: never a place for a fix."""
    output = "thread 'tests::fetch' panicked at 'attempt to subtract with overflow', src/lib.rs:11:20"
    ranked = localize_from_output(output, {"src/lib.rs": RUST}, ["tests::fetch"], root=None)
    assert ranked[0][:2] == ("src/lib.rs", 1)  # the identifier fallback: `fetch` is defined there
    assert all(loc.line < 5 for loc in ranked if loc.score >= 0.1)
    assert rank_frames([("src/lib.rs", 11), ("src/lib.rs", 2)], files={"src/lib.rs": RUST})[0][:2] == (
        "src/lib.rs", 2)
