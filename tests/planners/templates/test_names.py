from tests.planners.templates.helpers import dedent, patched

CLS = """
DEFAULT = "DEFAULT"


class C:
    def __init__(self, lo, hi):
        self.lo = lo
        self.hi = hi

    def span(self, other):
        return other.hi - self.hi
"""


def test_replace_variable():
    src = "def f(a, b):\n    c = a\n    return c * a\n"
    assert dedent(src).replace("c * a", "c * b") in patched(src, 3, "replace_variable")


def test_replace_attribute_from_class():
    assert dedent(CLS).replace("- self.hi", "- self.lo") in patched(CLS, 10, "replace_attribute")


def test_replace_attribute_with_sibling_on_other_objects():
    assert dedent(CLS).replace("other.hi", "other.lo") in patched(CLS, 10, "replace_attribute")


def test_literal_to_named_constant():
    src = 'DEFAULT = "DEFAULT"\nx = d.get("default")\n'
    assert 'DEFAULT = "DEFAULT"\nx = d.get(DEFAULT)\n' in patched(
        src, 2, "constant_to_named_constant"
    )


def test_string_constant_from_file():
    src = 'a = d["name"]\nb = d["label"]\n'
    assert "a = d[\"name\"]\nb = d['name']\n" in patched(src, 2, "string_constant")


def test_boolean_literal():
    assert "    return True\n" in patched("def f():\n    return False\n", 2, "boolean_literal")[0]


def test_replace_variable_skips_names_of_another_kind():
    src = "def f(words, n):\n    total = 0\n    for w in words:\n        total += 1\n    return total\n"
    out = patched(src, 5, "replace_variable")
    assert src.replace("return total", "return n") in out  # n: nothing known
    assert src.replace("return total", "return words") not in out  # a collection for a number
