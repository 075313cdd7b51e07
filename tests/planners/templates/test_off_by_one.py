from tests.planners.templates.helpers import dedent, patched


def test_integer_constant():
    assert "n = 4\n" in patched("n = 3\n", 1, "integer_off_by_one")


def test_bounds_expression():
    src = "def f(xs, n):\n    return xs[:n]\n"
    assert dedent(src).replace("xs[:n]", "xs[:n + 1]") in patched(src, 2, "expression_off_by_one")


def test_call_argument_and_removal_of_offset():
    src = "def f(d, size):\n    g(d, days=size)\n    return range(size - 1)\n"
    assert dedent(src).replace("days=size", "days=size - 1") in patched(src, 2, "expression_off_by_one")
    assert dedent(src).replace("range(size - 1)", "range(size)") in patched(src, 3, "expression_off_by_one")


def test_number_in_string_literal():
    src = 'RE = r"^a{0,4}$"\n'
    assert 'RE = r"^a{0,3}$"\n' in patched(src, 1, "string_number_off_by_one")


def test_utf8_columns_are_converted_to_characters():
    src = 'x = ("héllo", 3)\n'
    assert 'x = ("héllo", 4)\n' in patched(src, 1, "integer_off_by_one")
