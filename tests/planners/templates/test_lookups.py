import ast

from tests.planners.templates.helpers import dedent, patched


def _asts(texts: list[str]) -> list[str]:
    return [ast.dump(ast.parse(t)) for t in texts]


def test_getattr_gets_a_default_as_click_5701c400_needs():
    src = """
    def binary(f):
        if hasattr(f, 'buffer'):
            f = getattr(f, 'buffer')
        return f
    """
    fixed = dedent(src).replace("getattr(f, 'buffer')", "getattr(f, 'buffer', None)")
    assert ast.dump(ast.parse(fixed)) in _asts(patched(src, 3, "lookup_default"))


def test_a_get_gets_an_empty_default_as_setuptools_051b825e_needs():
    src = """
    def tool(asdict):
        table = asdict.get("tool", {}).get("setuptools")
        return table.items()
    """
    out = patched(src, 2, "lookup_default")
    assert dedent(src).replace('.get("setuptools")', '.get("setuptools", {})') in out
    assert not any('.get("tool", {}, ' in o for o in out)  # a lookup that has its default keeps it


def test_a_string_keyed_item_is_read_with_get_and_a_default_as_click_8c5f7791_needs():
    src = """
    import os
    def on_appengine():
        return 'Development/' in os.environ['SERVER_SOFTWARE']
    """
    fixed = dedent(src).replace("os.environ['SERVER_SOFTWARE']", "os.environ.get('SERVER_SOFTWARE', '')")
    assert ast.dump(ast.parse(fixed)) in _asts(patched(src, 3, "lookup_default"))


def test_an_attribute_is_read_with_getattr_as_urllib3_62f3a6b4_needs():
    src = """
    import os
    def usable(conn):
        if not conn.sock:
            return os.sep
    """
    out = _asts(patched(src, 3, "lookup_default"))
    fixed = dedent(src).replace("not conn.sock", "not getattr(conn, 'sock', None)")
    assert ast.dump(ast.parse(fixed)) in out
    assert len(out) == 1


def test_no_default_for_a_method_called_a_module_attribute_or_an_integer_index():
    src = """
    import os
    def f(items, i):
        return os.path.join(items[i], items.strip())
    """
    assert patched(src, 3, "lookup_default") == []
