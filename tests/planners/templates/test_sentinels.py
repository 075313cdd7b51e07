from tests.planners.templates.helpers import dedent, line_of, patched

XCLIENT = """
from cffi import FFI
ffi = FFI()

def main() -> None:
    display = XOpenDisplay(None)
    if display == ffi.NULL:
        raise XError("cannot open display")
"""


def test_none_passed_where_the_file_tests_for_its_sentinel_as_cffi_59baa256():
    fixed = dedent(XCLIENT).replace("XOpenDisplay(None)", "XOpenDisplay(ffi.NULL)")
    assert patched(XCLIENT, line_of(XCLIENT, "display ="), "none_as_sentinel") == [fixed]


def test_annotations_and_files_without_a_sentinel_are_left_alone():
    assert patched(XCLIENT, line_of(XCLIENT, "def main"), "none_as_sentinel") == []
    local = XCLIENT.replace("ffi.NULL", "limit")
    assert patched(local, line_of(local, "display ="), "none_as_sentinel") == []
