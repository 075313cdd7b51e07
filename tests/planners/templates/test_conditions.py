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


def test_a_name_read_by_item_or_attribute_is_tested_first_as_urllib3_f38d56e4_needs():
    src = """
    def split_host(url):
        if url[0] == '[':
            return url[1:]
    """
    out = patched(src, 2, "guard_operand")
    assert dedent(src).replace("if url[0]", "if url and url[0]") in out
    assert len(out) == 1


def test_an_or_is_grouped_and_an_and_is_extended_flat():
    src = "def f(part, done):\n    if not part.left() or done:\n        pass\n    if part.a and done:\n        pass\n"
    assert "    if part and (not part.left() or done):\n" in patched(src, 2, "guard_operand")[0]
    assert "    if part and part.a and done:\n" in patched(src, 4, "guard_operand")[0]


def test_a_key_found_must_hold_a_value_as_pillow_5588f572_needs():
    src = """
    def show(options):
        if "title" in options:
            return options["title"]
        if "title" not in options:
            return None
    """
    assert dedent(src).replace('if "title" in options:', 'if "title" in options and options["title"] is not None:') in (
        patched(src, 2, "guard_operand")
    )
    absent = dedent(src).replace('"title" not in options:', '"title" not in options or options["title"] is None:')
    assert absent in patched(src, 4, "guard_operand")


def test_add_clause_offers_first_the_clauses_that_share_the_lines_names_as_pip_a97abb16_needs():
    unrelated = "".join(f"    if mode == {i} or level > {i}:\n        pass\n" for i in range(6))
    src = (
        "def other(mode, level):\n"
        f"{unrelated}"
        "def run(self, mode, level):\n"
        "    if self.upgrade:\n"
        "        return 1\n"
        "    if self.ignore_installed and self.upgrade:\n"
        "        return 2\n"
    )
    line = src.splitlines().index("    if self.upgrade:") + 1
    out = patched(src, line, "add_clause")
    assert src.replace("if self.upgrade:\n", "if self.upgrade or self.ignore_installed:\n", 1) in out
