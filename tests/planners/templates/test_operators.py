from tests.planners.templates.helpers import dedent, patched

SRC = """
def f(a, b, items, flag):
    if a > b and not flag:
        a += 1
    x = a - b
    return a is None or b in items
"""


def test_comparison_operator():
    assert dedent(SRC).replace("a > b", "a >= b") in patched(SRC, 2, "compare_operator")


def test_boolean_operator():
    assert dedent(SRC).replace("b and not", "b or not") in patched(SRC, 2, "boolean_operator")


def test_remove_not():
    assert dedent(SRC).replace("and not flag", "and flag") in patched(SRC, 2, "remove_not")


def test_augmented_assignment():
    assert dedent(SRC).replace("a += 1", "a -= 1") in patched(SRC, 3, "augmented_assignment")


def test_arithmetic_operator():
    assert dedent(SRC).replace("a - b", "a + b") in patched(SRC, 4, "arithmetic_operator")


def test_identity_and_membership():
    assert dedent(SRC).replace("a is None", "a == None") in patched(SRC, 5, "identity_equality")
    assert dedent(SRC).replace("b in items", "b not in items") in patched(SRC, 5, "membership")


def test_operator_inside_parentheses_and_comments_keeps_formatting():
    src = "x = (a  # left\n     <  b)\n"
    assert "x = (a  # left\n     <=  b)\n" in patched(src, 1, "compare_operator")


def test_comparison_operator_and_constant_together():
    out = patched("if n <= 0:\n    pass\n", 1, "compare_operator_constant")
    assert "if n < 2:\n    pass\n" in out
    assert "if n < 1:\n    pass\n" not in out  # the same test on integers
    assert "if n <= 0:\n    pass\n" not in out
    assert "if 2 > n:\n    pass\n" in patched("if 0 >= n:\n    pass\n", 1, "compare_operator_constant")


def test_a_comparison_negated_as_setuptools_60f74823_and_anyio_19e09e25():
    src = """
    def wait(process, version_info):
        if version_info < (2, 7):
            return
        if process.returncode is None:
            process.kill()
    """
    assert dedent(src).replace("< (2, 7)", ">= (2, 7)") in patched(src, 2, "compare_operator")
    assert dedent(src).replace("is None", "is not None") in patched(src, 4, "identity_equality")


def test_a_printf_template_concatenated_is_formatted_as_pillow_b47bcc24():
    src = """
    def check(flags, limit):
        raise ValueError("flags must be between 0 and %s" + limit)
    """
    assert dedent(src).replace('%s" + limit', '%s" % limit') in patched(src, 2, "arithmetic_operator")
    assert patched(src.replace("%s", "it"), 2, "arithmetic_operator") == []
