"""``format_conversion``: a formatted string shows one value by ``repr`` instead of ``str``, or
the other way round."""

from __future__ import annotations

from tests.planners.templates.helpers import dedent, fixed_by_driver, line_of, patched


def test_a_printf_key_is_shown_by_repr_as_schema_5d420ab_needs() -> None:
    buggy = dedent("""
        def check(nkey, x):
            k = "Key %s error:" % nkey
            return [k] + x
        """)
    assert patched(buggy, 2, "format_conversion") == [buggy.replace("%s", "%r")]
    assert fixed_by_driver(buggy, buggy.replace("%s", "%r"), "Key %s") is not None


def test_each_field_of_format_and_of_an_f_string_turns_one_at_a_time() -> None:
    src = 'def f(a, b):\n    return "{} and {0!r:>4}".format(a, b)\n'
    assert patched(src, 2, "format_conversion") == [src.replace("{}", "{!r}"), src.replace("{0!r:>4}", "{0:>4}")]
    src = 'def f(a, d):\n    return f"{a:>3} {d[:2]} {d!s} {{a}}"\n'
    assert patched(src, 2, "format_conversion") == [src.replace("{a:>3}", "{a!r:>3}"), src.replace("{d!s}", "{d}")]


def test_no_field_no_edit_a_literal_percent_is_kept() -> None:
    assert patched('def f(a):\n    return "100%% of %d" % a\n', 2, "format_conversion") == []
    assert patched('def f(a):\n    return "%s" + a\n', 2, "format_conversion") == []
    assert patched('def f(a):\n    return b"%s" % a\n', 2, "format_conversion") == []


def test_automatic_fields_are_numbered_as_pyjwt_9f39f38a_and_boto3_b712ba6f_need():
    src = """
    def check(jwt):
        raise DecodeError('It should be a {} not {!r}'.format(str, type(jwt)))
    """
    assert dedent(src).replace("{} not {!r}", "{0} not {1!r}") in patched(src, 2, "numbered_fields")
    split = """
    def debug(self, name):
        logger.debug('Discovered reverse reference from {}'
                     ' to {}'.format(self.name, name))
    """
    fixed = dedent(split).replace("from {}'", "from {0}'").replace("' to {}'", "' to {1}'")
    assert patched(split, 2, "numbered_fields") == [fixed]
    assert patched("x = '{0} {1}'.format(a, b)\n", 1, "numbered_fields") == []


def test_a_plain_string_reading_names_in_scope_made_an_fstring_as_openai_c85ebd93():
    src = """
    def to_files(files):
        if isinstance(files, list):
            return files
        raise TypeError("Unexpected file type input {type(files)}, expected mapping")
    """
    fixed = dedent(src).replace('TypeError("', 'TypeError(f"')
    assert fixed in patched(src, line_of(src, "raise TypeError"), "fstring_prefix")


def test_the_plain_part_of_a_concatenation_made_an_fstring_as_aiohttp_0215cdd4():
    src = """
    def check(match):
        raise ValueError(
            f"bad header {match!r} "
            "(found at least {match.group()!r})"
        )
    """
    fixed = dedent(src).replace('"(found', 'f"(found')
    assert patched(src, line_of(src, "(found"), "fstring_prefix") == [fixed]


def test_a_format_template_or_unknown_names_stay_plain():
    src = """
    def show(a):
        x = "{a}".format(a=a)
        y = "{other} and {}".upper()
        return "{missing}"
    """
    for needle in ("x =", "y =", "return"):
        assert patched(src, line_of(src, needle), "fstring_prefix") == []
