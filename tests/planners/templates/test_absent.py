"""Templates for a value that may be absent or out of range, a type test or a try too narrow;
each names the history-corpus bug whose fix it is, and the driver ranks that fix at the faulty
line."""

from tests.planners.templates.helpers import dedent, fixed_by_driver, patched


def test_a_subscript_reads_with_get_as_prettytable_f7c1f43_needs():
    src = (
        "class T:\n    def f(self, field, line):\n"
        "        if line == 'None' and self.none_format[field] is not None:\n            return 1\n"
    )
    out = patched(src, 3, "subscript_get")
    assert out == [src.replace("self.none_format[field]", "self.none_format.get(field)")]
    # a store, a slice and a literal are not lookups that may miss
    assert patched("def f(a, k):\n    a[k] = 1\n    return a[1:], [1, 2][k]\n", 2, "subscript_get") == []
    assert patched("def f(a, k):\n    return a[1:], [1, 2][k]\n", 2, "subscript_get") == []


def test_a_difference_is_clamped_at_zero_as_humanize_e5a3976_needs():
    buggy = """
        def metric(value, precision, exponent):
            return format(value, ".%if" % (precision - (exponent % 3) - 1))
        """
    fixed = buggy.replace("% (precision - (exponent % 3) - 1)", "% max(0, precision - (exponent % 3) - 1)")
    assert fixed_by_driver(buggy, fixed, "format(") is not None
    # the whole sum once, never its parts; a sum without a subtraction is left alone
    assert len(patched("def f(a, b, c):\n    return a - b + c, a + b\n", 2, "clamp_at_zero")) == 1


def test_the_last_parameters_get_a_default_as_semver_7fdf7b2_needs():
    src = (
        "class VersionInfo:\n    def __init__(self, major, minor, patch, prerelease, build):\n"
        "        self.major = major\n"
    )
    out = patched(src, 2, "default_none")
    assert src.replace("prerelease, build", "prerelease=None, build=None") in out
    assert len(out) == 4  # build; prerelease, build; ... at most four, never self
    assert patched(src, 3, "default_none") == []  # the body is no signature
    assert patched("def f(a, *, b, c=1):\n    return a\n", 1, "default_none") == [
        "def f(a=None, *, b, c=1):\n    return a\n",
        "def f(a, *, b=None, c=1):\n    return a\n",
    ]


def test_a_truth_test_becomes_a_none_test_as_toolz_dd87e4f_needs():
    src = "def topk(k, seq, key=None):\n    if key and not callable(key):\n        key = len\n    return key\n"
    assert src.replace("if key and", "if key is not None and") in patched(src, 2, "truth_as_none_test")
    src = "def f(x):\n    if not x:\n        return 0\n    return x\n"
    assert patched(src, 2, "truth_as_none_test") == [src.replace("not x", "x is None")]


def test_none_guard_guards_an_attribute_as_markdown_f5b151a_needs():
    src = dedent("""
        def run(self, blocks):
            for block in blocks:
                code = self.highlight(
                    self.unescape(block[0].text),
                    tab=4)
                code.go()
        """)
    out = patched(src, 4, "none_guard")
    guarded = src.replace(
        "        code = self", "        if block[0].text is None:\n            continue\n        code = self"
    )
    assert guarded in out
    assert not any("self.unescape is None" in text or "self.highlight is None" in text for text in out)


def test_a_builtin_type_test_widens_to_the_abstract_base_the_module_binds_as_toolz_c696ac6_needs():
    src = (
        "try:\n    from collections.abc import Mapping\nexcept ImportError:\n"
        "    from collections import Mapping\n\n"
        "def merge_with(func, *dicts):\n    if len(dicts) == 1 and not isinstance(dicts[0], dict):\n"
        "        dicts = dicts[0]\n    return dicts\n"
    )
    fixed = src.replace("isinstance(dicts[0], dict)", "isinstance(dicts[0], Mapping)")
    assert patched(src, 7, "abstract_type") == [fixed]
    # a base the module does not bind is never written
    assert patched("def f(x):\n    return isinstance(x, dict)\n", 2, "abstract_type") == []


def test_one_character_of_a_membership_string_is_left_out_as_tomlkit_be59ade_needs():
    src = 'def f(c):\n    if c in " \\t\\r,":\n        return 1\n'
    out = patched(src, 2, "character_set")
    assert src.replace('" \\t\\r,"', '" \\t\\r"') in out and len(out) == 4
    assert patched("def f(c):\n    return c in 'abcdefghijklmnopq'\n", 2, "character_set") == []


def test_the_statement_before_a_try_moves_into_it_as_humanize_2d891b8_needs():
    buggy = dedent("""
        def get_default_locale_path():
            if __file__ is None:
                return
            try:
                return os.path.join(os.path.dirname(__file__), "locale")
            except NameError:
                return
        """)
    fixed = buggy.replace(
        "    if __file__ is None:\n        return\n    try:\n",
        "    try:\n        if __file__ is None:\n            return\n",
    )
    assert fixed_by_driver(buggy, fixed, "if __file__") is not None
    assert patched(buggy, 3, "widen_try") == [fixed]  # from the statement's inner line too
    # no handler to widen, or the next statement is no try: nothing
    assert patched("def f():\n    a = 1\n    try:\n        b = 2\n    finally:\n        c = 3\n", 2, "widen_try") == []
    assert patched("def f():\n    a = 1\n    b = 2\n", 2, "widen_try") == []


def test_an_expression_is_guarded_on_a_name_it_reads_as_humanize_b1ee687_needs():
    buggy = """
        def metric(value, unit=""):
            exponent = int(math.floor(math.log10(abs(value))))
            return exponent
        """
    fixed = buggy.replace("abs(value))))\n", "abs(value)))) if value else 0\n")
    assert fixed_by_driver(buggy, fixed, "exponent =") is not None
    assert sorted(patched("def f(a, b):\n    return a + b\n", 2, "guard_expression")) == [
        "def f(a, b):\n    return a + b if a else 0\n",
        "def f(a, b):\n    return a + b if b else 0\n",
    ]
    assert patched("def f(a):\n    return f'{a}!'\n", 2, "guard_expression") == [
        "def f(a):\n    return f'{a}!' if a else \"\"\n"
    ]
    assert patched("def f(a):\n    x = a\n    return g(a) if a else 1\n", 2, "guard_expression") == []
    assert patched("def f(a):\n    return g(a) if a else 1\n", 2, "guard_expression") == []


def test_a_class_tested_elsewhere_joins_a_type_test_as_sqlparse_c63737f_needs():
    buggy = """
        def group(token):
            if isinstance(token, sql.Function):
                return 1
            return (token.ttype in T.Name
                    or isinstance(token, (sql.Identifier, sql.Parenthesis)))
        """
    fixed = buggy.replace("(sql.Identifier, sql.Parenthesis)", "(sql.Identifier, sql.Parenthesis, sql.Function)")
    assert fixed_by_driver(buggy, fixed, "or isinstance") is not None
    # only classes of the same namespace, never one already there
    src = "def f(t):\n    return isinstance(t, A) or isinstance(t, (m.B, A)) or isinstance(t, m.C)\n"
    assert sorted(patched(src, 2, "add_tested_type")) == sorted(
        [
            src.replace("isinstance(t, m.C)", "isinstance(t, (m.C, m.B))"),
            src.replace("isinstance(t, (m.B, A))", "isinstance(t, (m.B, A, m.C))"),
        ]
    )
