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


def test_a_warnings_location_is_no_frame():
    # pytest's warnings summary (sphinx-8282: three such lines outranked the code at fault); a
    # failure's own "path:line: Error" line of a long traceback stays a frame
    files = {"sphinx/util/docutils.py": "", "sphinx/registry.py": "", "sphinx/ext/autodoc/__init__.py": ""}
    output = "\n".join([
        "sphinx/ext/autodoc/__init__.py:1243: AssertionError",
        "=============================== warnings summary ===============================",
        "tests/test_ext_autodoc_configs.py::test_autodoc_typehints_none_for_overload",
        "  /testbed/sphinx/util/docutils.py:45: DeprecationWarning: distutils Version classes are deprecated.",
        "    __version_info__ = tuple(LooseVersion(docutils.__version__).version)",
        "  /testbed/sphinx/registry.py:22: PendingDeprecationWarning: the imp module is deprecated",
        "  /testbed/sphinx/registry.py:24: pkg_resources.PkgResourcesDeprecationWarning: 0.1 is an invalid version",
    ])  # fmt: skip
    assert stack_frames(output, "/testbed", files) == [("sphinx/ext/autodoc/__init__.py", 1243)]
    # a warning raised as an error: the traceback's last line names the category, no message
    raised = "E   UserWarning: deprecated\n\nsphinx/registry.py:22: UserWarning\n"
    assert stack_frames(raised, "/testbed", files) == [("sphinx/registry.py", 22)]


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
    ranked = localize_from_output(output, files, ["test/parse.test.js > parseDuration accepts fractions"])
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
    assert rank_frames([("src/lib.rs", 11), ("src/lib.rs", 2)], files={"src/lib.rs": RUST})[0][:2] == ("src/lib.rs", 2)


PYTEST_LOG = """\
=================================== FAILURES ===================================
_________________________ TestOld.test_unrelated[1] ___________________________

    def test_unrelated(x):
>       helper()

tests/test_old.py:5:
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _
src/pkg/plugins.py:40: in helper
    raise OSError("no network")
E   OSError: no network
_______________________________ test_the_problem _______________________________

    def test_the_problem():
>       assert total([1, 2]) == 3

tests/test_new.py:3:
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _
src/pkg/maths.py:12: in total
    return sum(xs) - 1
E   AssertionError
=========================== short test summary info ============================
FAILED tests/test_old.py::TestOld::test_unrelated[1] - OSError: no network
FAILED tests/test_new.py::test_the_problem - AssertionError
"""


def test_a_targets_frames_come_from_its_own_section_not_the_first_failure_printed():
    """A baseline with other failures: their tracebacks print first as often as not. The
    target's section alone is read (pytest-6116 and -7490 showed monkeypatch.py and python.py,
    the frames of every failing pytest test, and not the file to fix)."""
    from rfsn.planners.localize.tracebacks import failure_sections, output_of

    assert set(failure_sections(PYTEST_LOG)) == {"TestOld.test_unrelated[1]", "test_the_problem"}
    mine = output_of(PYTEST_LOG, ["tests/test_new.py::test_the_problem"])
    assert "maths.py" in mine and "plugins.py" not in mine
    files = {"src/pkg/maths.py": "x\n" * 20, "src/pkg/plugins.py": "y\n" * 50}
    ranked = localize_from_output(mine, files, ["tests/test_new.py::test_the_problem"], root=None)
    assert [(loc.file, loc.line) for loc in ranked] == [("src/pkg/maths.py", 12)]
    assert output_of(PYTEST_LOG, ["tests/test_x.py::test_gone"]) == PYTEST_LOG  # no section: all of it
    assert output_of("panicked at src/lib.rs:3:5", ["t"]) == "panicked at src/lib.rs:3:5"


def test_an_inlined_go_frame_without_an_offset_is_a_frame() -> None:
    """A Go panic's stack names the faulty line as an inlined call (``Args(...)``), its file
    line without ``+0x..``: it was missed and the test's own frame ranked first."""
    stack = (
        "panic: runtime error: slice bounds out of range [2:1] [recovered]\n"
        "goroutine 19 [running]:\n"
        "testing.tRunner.func1.2({0x519b00, 0xc0000d2000})\n"
        "\t/usr/lib/go-1.19/src/testing/testing.go:1396 +0x24e\n"
        "example.com/m/pkg.Foo(...)\n"
        "\t/testbed/pkg/foo.go:12\n"
        "example.com/m/pkg.TestFoo(0xc000096b60)\n"
        "\t/testbed/pkg/foo_test.go:12 +0xc8\n"
    )
    assert stack_frames(stack, "/testbed", FILES) == [("pkg/foo.go", 12), ("pkg/foo_test.go", 12)]
    assert [(loc.file, loc.line) for loc in localize_from_output(stack, FILES)][:1] == [("pkg/foo.go", 12)]
