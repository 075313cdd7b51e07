"""The token templates for a missing call argument and a member of the same receiver."""

import importlib.util
import sys

import pytest

from rfsn.planners.code.candidates import apply_splices
from rfsn.planners.code.location import Location
from rfsn.planners.patch.templates.tokens.calls import add_missing_argument
from rfsn.planners.patch.templates.tokens.context import ProjectCalls, TokenContext
from rfsn.planners.patch.templates.tokens.driver import generate_token_candidates
from rfsn.planners.patch.templates.tokens.members import declared_members, owner_at, replace_member
from tests.paths import ROOT

_spec = importlib.util.spec_from_file_location("token_bugs", ROOT / "benchmarks" / "seeded" / "token_bugs.py")
assert _spec and _spec.loader
token_bugs = importlib.util.module_from_spec(_spec)
sys.modules["token_bugs"] = token_bugs  # NamedTuple classes look their module up
_spec.loader.exec_module(token_bugs)
SEEDED = token_bugs.SEEDED


def _context(files, path):
    language = "rust" if path.endswith(".rs") else "javascript"
    return TokenContext(path, files[path], language, project=ProjectCalls.of(files, language))


def _patched(tpl, files, path, line):
    ctx = _context(files, path)
    return [apply_splices(ctx.source, e.splices) for e in tpl.fn(ctx, line)]


def test_missing_optional_argument_of_a_builtin():
    src = "function drop(xs, i) {\n  xs.splice(i);\n}\n"
    out = _patched(add_missing_argument, {"a.js": src}, "a.js", 2)
    assert out[0] == src.replace("splice(i)", "splice(i, 1)")


def test_missing_comparator_of_sort():
    src = "const ranked = scores.sort();\n"
    out = _patched(add_missing_argument, {"a.js": src}, "a.js", 1)
    assert src.replace("sort()", "sort((a, b) => a - b)") in out


def test_missing_argument_by_consensus_of_the_other_call_sites():
    """Most calls of ``fmt`` elsewhere in the project pass a second argument: this one gets theirs."""
    files = {
        "src/a.js": "const u = require('./fmt');\nfunction show(x, unit) {\n  return fmt(x);\n}\n",
        "src/b.js": "function f(n, unit) { return fmt(n, unit) + fmt(n * 2, unit); }\n",
    }
    out = _patched(add_missing_argument, files, "src/a.js", 3)
    assert out == [files["src/a.js"].replace("fmt(x)", "fmt(x, unit)")]


def test_no_argument_without_evidence():
    """A call whose other call sites pass as many arguments, and no known built-in: nothing."""
    files = {"a.js": "log(a);\nlog(b);\nlog(c, d);\nlog(e);\n"}
    assert _patched(add_missing_argument, files, "a.js", 1) == []


def test_consensus_values_out_of_scope_fall_back_to_small_literals():
    files = {"a.js": "function g() { return step(x); }\n", "b.js": "step(y, limitOfB);\nstep(z, limitOfB);\n"}
    out = _patched(add_missing_argument, files, "a.js", 1)
    assert files["a.js"].replace("step(x)", "step(x, 1)") in out
    assert not any("limitOfB" in text for text in out)


RING = """\
struct Queue<T> {
    items: Vec<Option<T>>,
    start: usize,
    count: usize,
}

impl<T> Queue<T> {
    fn size(&self) -> usize {
        self.items.len()
    }

    fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn slot(&self, i: usize) -> usize {
        (self.start + i) % self.count
    }
}

struct Other {
    offset: usize,
}

impl Other {
    fn at(&self) -> usize {
        self.offset
    }
}
"""


def test_replace_member_with_a_getter_of_the_same_type():
    out = _patched(replace_member, {"q.rs": RING}, "q.rs", 17)
    assert RING.replace("% self.count", "% self.size()") in out
    assert RING.replace("% self.count", "% self.start") in out
    assert not any("self.items\n" in text or "% self.items" in text for text in out)  # a Vec, not usize
    bodies = [text.split("fn slot")[1].split("struct Other")[0] for text in out]
    assert not any("self.is_empty()" in body for body in bodies)  # a bool
    assert not any("self.offset" in body for body in bodies)  # a member of another type's self


def test_rust_declarations_by_owner():
    ctx = _context({"q.rs": RING}, "q.rs")
    declared = declared_members(ctx)["Queue"]
    assert declared["items"] == "Vec<Option<T>>" and declared["is_empty()"] == "bool"
    assert declared["count"] == declared["size()"] == "usize"
    assert "slot()" not in declared  # takes an argument
    assert owner_at(ctx, len(ctx.tokens) - 3) == "Other"


def test_replace_member_in_javascript_uses_members_of_this():
    src = (
        "class Box {\n  constructor(w, h) { this.w = w; this.h = h; this.name = 'b'; }\n"
        "  area() { return this.w * this.w; }\n  grow(k) { this.scale(k); }\n}\n"
    )
    out = _patched(replace_member, {"a.js": src}, "a.js", 3)
    assert src.replace("this.w * this.w", "this.w * this.h") in out
    assert not any("this.scale" in text.split("area()")[1].split("\n")[0] for text in out)


def test_replace_member_needs_the_same_receiver():
    src = "const n = a.size + b.length;\n"
    assert _patched(replace_member, {"a.js": src}, "a.js", 1) == []


@pytest.mark.parametrize("bug", SEEDED, ids=[b.name for b in SEEDED])
def test_seeded_token_bug_is_fixed_early(bug):
    """At the seeded line, the reference fix is among the first 15 candidates."""
    cands = generate_token_candidates(bug.buggy_files(), [Location(bug.path, bug.line(), 1.0)], limit=15)
    assert bug.files[bug.path] in [c.patched for c in cands]
