import pytest

from rfsn.planners.code.lexer import language_of, tokenize
from rfsn.planners.code.location import Location
from rfsn.planners.patch.templates.tokens.driver import balanced, generate_token_candidates


def kinds(source, language="javascript"):
    return [(t.kind, t.text) for t in tokenize(source, language)]


def test_strings_and_comments_are_single_tokens():
    toks = kinds("const s = 'a < b' + `x${y}`; // c < d\n/* e < f */ g <= 1")
    assert ("string", "'a < b'") in toks
    assert ("comment", "// c < d") in toks
    assert ("comment", "/* e < f */") in toks
    assert [t for t in toks if t == ("op", "<")] == []


def test_rust_lifetimes_chars_and_raw_strings():
    toks = kinds("fn f<'a>(x: &'a str) -> char { let r = r#\"a\"b\"#; 'x' }", "rust")
    assert ("lifetime", "'a") in toks
    assert ("string", "'x'") in toks
    assert ("string", 'r#"a"b"#') in toks


def test_language_detection_and_balance():
    assert language_of("src/a.ts") == "typescript"
    assert language_of("a.py") is None
    assert balanced("f(a, [b])", "javascript")
    assert not balanced("f(a, [b)", "javascript")


def _fixes(buggy, fixed, line, path="src/a.js"):
    cands = generate_token_candidates({path: buggy}, [Location(path, line, 1.0)], limit=1000)
    return any(c.patched == fixed for c in cands)


SEEDED = [
    ("for (let i = 0; i <= xs.length; i++) {}\n", "<=", "<", "src/a.js"),
    ("const m = Math.max(a, b);\n", "max", "min", "src/a.js"),
    ("items.unshift(x);\n", "unshift", "push", "src/a.js"),
    ("if (a && b) { go(); }\n", "&&", "||", "src/a.js"),
    ("let n = xs.len() - 2;\n", "2", "1", "src/lib.rs"),
    ("v.sort_by(|a, b| a.cmp(&b));\n", "a.cmp(&b)", "b.cmp(&a)", "src/lib.rs"),
    ("\tif total > limit {\n\t}\n", ">", ">=", "pkg/x.go"),
    ("return copy(dst, src);\n", "copy(dst, src)", "copy(src, dst)", "src/Main.java"),
    ('const s = "a < b"; const t = a < b;\n', "t = a < b", "t = b < a", "src/a.js"),
]


@pytest.mark.parametrize(("buggy", "old", "new", "path"), SEEDED)
def test_seeded_token_bugs(buggy, old, new, path):
    fixed = buggy[::-1].replace(old[::-1], new[::-1], 1)[::-1]  # replace the last occurrence
    assert _fixes(buggy, fixed, 1, path)


def test_never_edits_inside_strings():
    src = 'const msg = "x < 1";\n'
    cands = generate_token_candidates({"a.js": src}, [Location("a.js", 1, 1.0)])
    assert all('"x < 1"' in c.patched for c in cands)


def test_words_another_language_reserves_are_variables_here():
    """``type`` and ``match`` are Go and Rust keywords and plain JavaScript variables: a
    JavaScript variable of that name is swapped in; a Go ``type`` never is."""
    js = (
        "function parse (header, type) {\n  const match = re.exec(header)\n"
        "  return { type: header.toLowerCase(), match }\n}\n"
    )
    assert _fixes(js, js.replace("type: header.toLowerCase()", "type: type.toLowerCase()"), 3)
    go = "package p\n\ntype T int\n\nfunc f(header string, kind string) string {\n\treturn header\n}\n"
    cands = generate_token_candidates({"p.go": go}, [Location("p.go", 6, 1.0)], limit=1000)
    assert any("return kind" in c.patched for c in cands)
    assert not any("return type" in c.patched for c in cands)
