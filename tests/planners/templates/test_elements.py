from tests.planners.templates.helpers import dedent, patched


def test_an_element_of_a_list_is_dropped_with_its_comma():
    src = "def runtimes():\n    return {1900: ['ucrt', 'vcruntime140']}\n"
    out = patched(src, 2, "drop_element")
    assert "    return {1900: ['vcruntime140']}\n" in [o.splitlines(keepends=True)[1] for o in out]
    assert "    return {1900: ['ucrt']}\n" in [o.splitlines(keepends=True)[1] for o in out]
    assert len(out) == 2


def test_a_positional_argument_passed_twice_is_dropped():
    src = """
    class Adapter(Base):
        def __init__(self, *args, **kwargs):
            super(Adapter, self).__init__(self, *args, **kwargs)
    """
    fixed = dedent(src).replace("__init__(self, *args, **kwargs)\n", "__init__(*args, **kwargs)\n")
    assert fixed in patched(src, 3, "drop_element")


def test_only_the_elements_on_the_line_of_a_display_spanning_lines():
    src = """
    def flags():
        return ['/DLL', '/nologo',
                '/DEBUG', '/pdb:None']
    """
    out = patched(src, 3, "drop_element")
    assert dedent(src).replace(", '/pdb:None'", "") in out
    assert len(out) == 2  # '/DEBUG' and '/pdb:None', not the first line's


def test_an_unpacked_target_is_dropped_and_no_display_is_left_empty():
    src = "def connect(loop):\n    transport, proto, wrp = loop.run()\n    x = [y]\n"
    assert "def connect(loop):\n    transport, proto = loop.run()\n    x = [y]\n" in patched(src, 2, "drop_element")
    assert patched(src, 3, "drop_element") == []


def test_a_missing_comma_between_two_lines_strings_as_click_2dbc14ea():
    src = """
    __all__ = [
        'UUID', 'UNPROCESSED', 'FloatRange'
        'Tuple', 'Path',
    ]
    """
    fixed = dedent(src).replace("'FloatRange'\n", "'FloatRange',\n")
    assert patched(src, 2, "split_concatenation") == [fixed]
    assert patched(src, 3, "split_concatenation") == []


def test_a_deliberate_concatenation_on_one_line_or_outside_a_display_is_kept():
    src = """
    message = ("a long message "
               "on two lines")
    names = ['a' 'b', 'c']
    """
    assert patched(src, 1, "split_concatenation") == []
    assert patched(src, 3, "split_concatenation") == []
