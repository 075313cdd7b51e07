from tests.planners.templates.helpers import dedent, line_of, patched

CHANNEL = """
class Protocol:
    def on_body(self):
        self.channels["body"] = BodyChannel(self.transport)
"""


def test_an_attribute_narrowed_to_its_object_as_uvicorn_a559299c():
    fixed = dedent(CHANNEL).replace("BodyChannel(self.transport)", "BodyChannel(self)")
    assert fixed in patched(CHANNEL, line_of(CHANNEL, "BodyChannel"), "narrow_expression")


def test_a_subscript_and_an_operand_narrowed_as_pillow_92507e5d_and_8b440811():
    src = """
    def size(self, text, module):
        __import__("PIL." + module)
        w, h = self.font.getsize(text)[0]
        return w, h
    """
    assert dedent(src).replace("[0]\n", "\n") in patched(src, line_of(src, "getsize"), "narrow_expression")
    assert dedent(src).replace('"PIL." + module', "module") in patched(
        src, line_of(src, "__import__"), "narrow_expression"
    )


def test_an_optional_annotation_narrowed_as_jsonschema_6d04fd70():
    src = """
    def __init__(self, formats: typing.Iterable[str] | None = None):
        self.formats = formats
    """
    fixed = dedent(src).replace(" | None", "")
    assert fixed in patched(src, line_of(src, "def __init__"), "narrow_expression")


def test_a_method_receiver_a_module_attribute_and_a_target_are_not_narrowed():
    src = """
    import os
    def f(self):
        self.x = os.sep.join(self.parts)
    """
    texts = patched(src, line_of(src, "self.x"), "narrow_expression")
    assert texts == [dedent(src).replace("join(self.parts)", "join(self)")]
