from tests.planners.templates.helpers import dedent, patched

SRC = """
def f(a, b):
    if a and b > 0:
        return 1
    return 0
"""


def test_negate_condition():
    assert dedent(SRC).replace("if a and b > 0", "if not (a and b > 0)") in patched(SRC, 2, "negate_condition")


def test_widen_condition_with_none():
    assert dedent(SRC).replace("if a and b > 0", "if (a and b > 0) or a is None") in patched(SRC, 2, "widen_condition")


def test_drop_conjunct():
    assert dedent(SRC).replace("if a and b > 0", "if b > 0") in patched(SRC, 2, "drop_conjunct")


def test_negate_one_clause_of_a_conjunction():
    texts = patched(SRC, 2, "negate_clause")
    assert dedent(SRC).replace("if a and b > 0", "if a and not b > 0") in texts
    assert dedent(SRC).replace("if a and b > 0", "if not a and b > 0") in texts


def test_negate_clause_removes_an_existing_not():
    src = SRC.replace("if a and b > 0", "if not a or b")
    assert dedent(src).replace("if not a or b", "if a or b") in patched(src, 2, "negate_clause")


def test_add_clause_from_another_condition_of_the_file():
    src = dedent("""
        def ok(ch, text):
            if not ch.isalnum():
                return False
            if ch.isdigit() and text:
                return True
        """)
    out = patched(src, 2, "add_clause")
    assert src.replace("if not ch.isalnum()", "if not (ch.isalnum() or ch.isdigit())") in out
    assert src.replace("if not ch.isalnum()", "if not (ch.isalnum() and text)") in out
    assert not any("isdigit() and ch.isdigit()" in text for text in patched(src, 4, "add_clause"))
