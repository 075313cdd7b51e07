"""An edit's validity is read from the tokens around it, and says what a lexing of the whole
edited file says (pflag's ``flag.go``: a whole-file lexing per candidate edit took 160 of the
170 s its candidates took to make under load)."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from rfsn.planners.patch.templates.tokens.context import TokenContext
from rfsn.planners.patch.templates.tokens.driver import TokenReader, balanced, brackets

GO = """package p

// Count is a counter (a comment with ( and " in it)
func (i *Count) Set(s string) error {
	if s == "+1" { *i = *i + 1; return nil }
	v, err := strconv.ParseInt(s, 0, 0) /* (block */
	raw := `a "raw" {string`
	c := '('
	*i = Count(v)
	return err
}
"""
JS = """function f (a, b) {
  const re = /[^'"(]+/g; const t = `x${a}(`; const d = a / b / 2
  if (!list.includes(x)) { return re.test('a(b') }
  return [a, { b }]
}
"""


def whole_file_valid(patched: str, source: str, language: str) -> bool:
    """What ``TokenReader.valid`` said when it lexed the whole edited file."""
    return balanced(patched, language) or (
        not balanced(source, language) and brackets(patched, language) == brackets(source, language)
    )


@settings(max_examples=400, deadline=None)
@given(
    source=st.sampled_from([(GO, "go"), (JS, "javascript"), (GO[:-3], "go"), (JS.replace("/g;", "/g"), "javascript")]),
    at=st.floats(0, 1),
    width=st.integers(0, 6),
    text=st.text(alphabet="ab1 (){}[]\"'`/*+-=!\n\\", max_size=4),
)
def test_an_edit_is_valid_as_the_whole_edited_file_says(
    source: tuple[str, str], at: float, width: int, text: str
) -> None:
    original, language = source
    lo = int(at * len(original))
    hi = min(len(original), lo + width)
    patched = original[:lo] + text + original[hi:]
    context = TokenContext("f.go" if language == "go" else "f.js", original, language)
    assert TokenReader().valid(patched, context, (lo, hi)) == whole_file_valid(patched, original, language)


def test_the_edits_of_a_large_file_are_judged_without_lexing_it_each_time() -> None:
    source = GO * 300  # ~3,300 lines
    context = TokenContext("f.go", source, "go")
    reader, at = TokenReader(), source.index("s == ")
    start = time.perf_counter()
    for n in range(300):
        lo = at + len(GO) * n
        assert reader.valid(source[:lo] + "s != " + source[lo + 5 :], context, (lo, lo + 5))
    assert not reader.valid(source[:at] + "(" + source[at:], context, (at, at))
    assert time.perf_counter() - start < 5  # a whole-file lexing each: about a minute
