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


BAR = """
class Bar:
    def __enter__(self):
        self.entered = True
        return self

    def update(self, n):
        self.pos += n
        self.render()

    def finish(self):
        self.pos = self.length
        self.render()
        self.close_file()
"""


def test_insert_similar_statement_reuses_a_step_on_self_the_class_makes_habitually():
    out = patched(BAR, 3, "insert_similar_statement")
    assert (
        dedent(BAR).replace("        self.entered = True\n", "        self.entered = True\n        self.render()\n")
        in out
    )
    assert not any("self.close_file()" in text.split("def update")[0] for text in out)  # made once: not a habit


BRANCHES = """
def get_url(self):
    if "://" not in self.url:
        url = self.url.replace("git+", "git+ssh://")
        url = url.replace("ssh://", "")
    else:
        url = self.url
    return url
"""


def test_insert_nearby_statement_repeats_a_step_of_the_other_branch():
    out = patched(BRANCHES, 6, "insert_nearby_statement")
    fixed = dedent(BRANCHES).replace(
        "        url = self.url\n", '        url = self.url\n        url = url.replace("ssh://", "")\n'
    )
    assert fixed in out
    own_block = patched(BRANCHES, 3, "insert_nearby_statement")
    assert not any(text.count('url.replace("ssh://", "")') > 1 for text in own_block)  # its neighbours are no donors


DUMP = """
def dump(body, out):
    if isinstance(body, bytes):
        out.extend(body)
    else:
        out.extend(b"<not bytes>")
    out.extend(b"\\r\\n")
"""


def test_insert_nearby_statement_after_the_blocks_that_end_at_the_line():
    out = patched(DUMP, 5, "insert_nearby_statement")
    fixed = dedent(DUMP).replace('    out.extend(b"\\r\\n")\n', '    out.extend(b"\\r\\n")\n' * 2)
    assert fixed in out  # after the whole if/else, where the block at line 5 closes


def test_insert_nearby_statement_reuses_nothing_further_than_near():
    far = "def f(x):\n    x.open()\n" + "    x.step()\n" * 9 + "    if x:\n        x.close()\n"
    out = patched(far, 13, "insert_nearby_statement")
    assert any(text.count("x.step()") == 10 for text in out)
    assert not any(text.count("x.open()") > 1 for text in out)


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
