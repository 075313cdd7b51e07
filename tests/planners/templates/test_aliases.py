from tests.planners.templates.helpers import dedent, line_of, patched

CHUNKS = """
from . import _binary

i8 = _binary.i8


def chunk_mode(s):
    return i8(s[8]), i8(s[9])


def chunk_is_ancillary(cid):
    return ord(cid[0]) >> 5 & 1 and len(cid) == 4
"""

CONVERT = """
from ._compat import text_type


def is_text(ty):
    return ty is text_type or ty is str


def convert(value):
    return unicode(value)
"""


def test_a_builtin_call_becomes_the_stand_in_the_file_calls_as_pillow_885297d2():
    fixed = dedent(CHUNKS).replace("ord(cid[0])", "i8(cid[0])")
    assert patched(CHUNKS, line_of(CHUNKS, "ord(cid"), "builtin_as_alias") == [fixed]


def test_a_python_2_builtin_becomes_the_stand_in_the_file_tests_types_with_as_click_8ff7d53f():
    fixed = dedent(CONVERT).replace("unicode(value)", "text_type(value)")
    assert patched(CONVERT, line_of(CONVERT, "unicode(value)"), "builtin_as_alias") == [fixed]


def test_other_builtins_and_files_without_a_stand_in_are_left_alone():
    assert patched(CHUNKS, line_of(CHUNKS, "return i8(s[8])"), "builtin_as_alias") == []
    plain = CONVERT.replace("from ._compat import text_type\n", "")
    assert patched(plain, line_of(plain, "unicode(value)"), "builtin_as_alias") == []
