from tests.planners.templates.helpers import dedent, patched

LEDGER = """
class Ledger:
    def add(self, item):
        self._items.append(item)

    def restore(self, raw):
        item = parse(raw)
        return item
"""


def test_insert_similar_statement_from_sibling_method():
    out = patched(LEDGER, 7, "insert_similar_statement")
    assert dedent(LEDGER).replace("        return item", "        self._items.append(item)\n        return item") in out


def test_return_unused_value():
    src = "def f(x):\n    y = x * 2\n"
    assert "def f(x):\n    y = x * 2\n    return y\n" in patched(src, 2, "return_unused_value")


def test_insert_self_assignment_for_unused_parameter():
    src = (
        "class A:\n    def __init__(self, size):\n        self.items = []\n\n"
        "    def grow(self):\n        self._size += 1\n"
    )
    out = patched(src, 3, "insert_self_assignment")
    assert src.replace("        self.items = []\n", "        self._size = size\n        self.items = []\n") in out


def test_delete_statement_keeps_block_valid():
    src = "def f(x):\n    x.clear()\n"
    assert "def f(x):\n    pass\n" in patched(src, 2, "delete_statement")


COLLAPSE = """
def collapse(items, limit):
    out = []
    last = None
    for item in items:
        if item != last:
            out.append(item)
    return out
"""


def test_insert_name_statement_assigns_a_name_of_the_same_role_at_the_end_of_the_loop():
    out = patched(COLLAPSE, 5, "insert_name_statement")
    assert (
        dedent(COLLAPSE).replace(
            "            out.append(item)\n", "            out.append(item)\n        last = item\n"
        )
        in out
    )
    assert not any("item = last" in text for text in out)  # never the loop variable


def test_insert_name_statement_appends_the_loop_variable_before_the_return():
    src = dedent(COLLAPSE).replace("            out.append(item)\n", "            pass\n")
    out = patched(src, 5, "insert_name_statement")
    assert src.replace("            pass\n", "            pass\n        out.append(item)\n") in out
    assert not any("out.append(limit)" in text for text in out)  # only what the loop binds


def test_insert_name_statement_never_assigns_an_element_to_its_collection():
    src = "def f(xs):\n    seen = []\n    for x in xs:\n        if x not in seen:\n            pass\n    return seen\n"
    assert not any("seen = x" in text for text in patched(src, 4, "insert_name_statement"))
