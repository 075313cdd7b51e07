from tests.planners.templates.helpers import patched


def test_swap_call_arguments():
    assert "g.add(b, a, w)\n" in patched("g.add(a, b, w)\n", 1, "swap_call_arguments")


def test_swap_operands():
    assert "x = b - a\n" in patched("x = a - b\n", 1, "swap_operands")
    assert "y = b < a\n" in patched("y = a < b\n", 1, "swap_operands")
    assert patched("z = a + b\n", 1, "swap_operands") == []


def test_swap_indices_of_nested_and_tuple_subscripts():
    assert "y = m[j][i]\n" in patched("y = m[i][j]\n", 1, "swap_indices")
    assert "y = m[j, i]\n" in patched("y = m[i, j]\n", 1, "swap_indices")
    assert patched("y = m[i][i] + xs[1:2][0]\n", 1, "swap_indices") == []
