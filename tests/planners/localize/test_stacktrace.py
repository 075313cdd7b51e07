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
