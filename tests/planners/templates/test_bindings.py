from tests.planners.templates.helpers import dedent, patched

FONT = """
class Font:
    def getmask(self, text, mode="", direction=None, features=None):
        return self.getmask2(text, mode, direction, features)[0]

    def getmask2(self, text, mode="", fill=None, direction=None, features=None):
        return text, mode, fill, direction, features
"""


def test_positional_as_keyword_passes_the_arguments_named_after_later_parameters_by_name():
    out = patched(FONT, 3, "positional_as_keyword")
    assert out == [
        dedent(FONT).replace(
            "(text, mode, direction, features)", "(text, mode, direction=direction, features=features)"
        )
    ]


def test_positional_as_keyword_leaves_arguments_that_bind_their_own_parameter():
    source = FONT.replace("(text, mode, direction, features)[0]", "(text, mode)[0]")
    assert patched(source, 3, "positional_as_keyword") == []


def test_positional_as_keyword_needs_one_definition_and_the_same_kind_of_call():
    twice = FONT + "\n    def getmask2(self, text, direction=None, features=None):\n        return text\n"
    assert patched(twice, 3, "positional_as_keyword") == []  # which callee is meant is not known
    plain = "def scale(x, factor=1, offset=0):\n    return x * factor + offset\n\n\n"
    plain += "def f(x, offset):\n    return scale(x, offset)\n"
    assert patched(plain, 6, "positional_as_keyword") == [plain.replace("scale(x, offset)", "scale(x, offset=offset)")]
