from tests.planners.templates.helpers import dedent, patched


def test_statement_guarded_by_the_name_it_updates():
    src = "def scaled(n, scale):\n    n *= scale\n    return n\n"
    expected = "def scaled(n, scale):\n    if n:\n        n *= scale\n    return n\n"
    assert expected in patched(src, 2, "wrap_in_condition")


def test_statement_guarded_against_none_keeps_its_continuation_lines():
    src = """
    def connect(self, proxy, headers):
        proxy = URL(proxy,
                    strict=True)
        return proxy
    """
    expected = dedent(src).replace(
        "    proxy = URL(proxy,\n                strict=True)\n",
        "    if proxy is not None:\n        proxy = URL(proxy,\n                    strict=True)\n",
    )
    assert expected in patched(src, 2, "wrap_in_condition")


def test_statement_guarded_by_the_key_it_needs():
    src = "def drop(levels, table):\n    levels.remove('global')\n    table['k'] = 1\n"
    assert any(
        "    if 'global' in levels:\n        levels.remove('global')\n" in out
        for out in patched(src, 2, "wrap_in_condition")
    )
    assert any(
        "    if 'k' not in table:\n        table['k'] = 1\n" in out for out in patched(src, 3, "wrap_in_condition")
    )


def test_statement_guarded_by_an_attribute_of_self():
    src = "class R:\n    def read(self):\n        return self._chunk(self._buffer)\n"
    assert any(
        "        if self._buffer:\n            return self._chunk(self._buffer)\n" in out
        for out in patched(src, 3, "wrap_in_condition")
    )


def test_no_wrap_at_module_level_nor_of_a_multiline_string():
    assert patched("x = f(y)\n", 1, "wrap_in_condition") == []
    src = 'def f(doc):\n    doc = """a\nb""" + doc\n    return doc\n'
    assert patched(src, 2, "wrap_in_condition") == []


def test_key_guard_skips_the_case_the_statement_cannot_take():
    src = "def drop(rows, seen):\n    for r in rows:\n        seen.remove(r)\n    return True\n"
    out = patched(src, 3, "key_guard")
    for exit in ("continue", "return False"):
        guarded = f"        if r not in seen:\n            {exit}\n        seen.remove"
        assert dedent(src).replace("        seen.remove", guarded) in out
