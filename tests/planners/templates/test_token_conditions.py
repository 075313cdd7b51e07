"""The token languages' negation template, and the lexer's Go raw strings it was found with."""

from rfsn.planners.code.candidates import apply_splices
from rfsn.planners.code.lexer import code_tokens, tokenize
from rfsn.planners.code.location import Location
from rfsn.planners.patch.templates.tokens.conditions import negate_condition
from rfsn.planners.patch.templates.tokens.context import TokenContext
from rfsn.planners.patch.templates.tokens.driver import generate_token_candidates

QUOTE = (
    "package pq\n\nfunc QuoteLiteral(literal string) string {\n"
    "\tliteral = strings.Replace(literal, `'`, `''`, -1)\n"
    "\tif !strings.Contains(literal, `\\`) {\n"
    "\t\tliteral = strings.Replace(literal, `\\`, `\\\\`, -1)\n"
    "\t\tliteral = ` E'` + literal + `'`\n"
    "\t} else {\n\t\tliteral = `'` + literal + `'`\n\t}\n\treturn literal\n}\n"
)


def _outputs(source: str, language: str, line: int) -> list[str]:
    ctx = TokenContext("a", source, language)
    return [apply_splices(source, e.splices) for e in negate_condition.fn(ctx, line)]


def test_a_go_raw_string_ends_at_its_back_quote_whatever_backslash_it_holds():
    texts = [t.text for t in code_tokens(tokenize(QUOTE, "go"))]
    assert "`\\`" in texts and texts.count("{") == 3  # the function's, the if's, the else's
    # a JavaScript template literal still escapes its back quote
    assert [t.text for t in code_tokens(tokenize("x = `a\\`b` + y", "javascript"))] == ["x", "=", "`a\\`b`", "+", "y"]


def test_a_negation_seeded_on_a_go_condition_is_dropped_lib_pq_seed_33():
    fixed = QUOTE.replace("if !strings.Contains", "if strings.Contains")
    buggy = fixed.replace("if strings.Contains", "if !strings.Contains")
    cands = generate_token_candidates({"conn.go": buggy}, [Location("conn.go", 5, 1.0)], limit=1000)
    assert [c.description for c in cands if c.patched == fixed] == [
        "drop the negation of `strings.Contains(literal, `\\`)` at conn.go:5"
    ]


def test_a_negation_is_added_to_a_call_or_member_operand_of_a_condition():
    src = "if (list.includes(x) && y.ok || n > 2) { go(); }\n"
    assert _outputs(src, "javascript", 1) == [
        "if (!list.includes(x) && y.ok || n > 2) { go(); }\n",
        "if (list.includes(x) && !y.ok || n > 2) { go(); }\n",
    ]  # `n > 2` is the comparison templates'
    rust = "while !queue.is_empty() {\n}\n"
    assert _outputs(rust, "rust", 1) == ["while queue.is_empty() {\n}\n"]


def test_a_macros_bang_a_non_null_assertion_and_an_inequality_are_not_negations():
    assert _outputs('println!("a");\n', "rust", 1) == []
    assert _outputs("const y = x!.foo; z = a != b;\n", "typescript", 1) == []
    assert _outputs("if x := f(); x > 0 {\n}\n", "go", 1) == []
