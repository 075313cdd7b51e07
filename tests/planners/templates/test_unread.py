from tests.planners.templates.helpers import dedent, line_of, patched

IGNORED = """
class Resolver:
    def __init__(self, loop=None, *args):
        if args:
            raise RuntimeError("no")
        self._loop = get_running_loop()
        self._count = len(args)
"""


def test_an_ignored_parameter_wins_over_the_computed_value_as_aiohttp_12ff66d5():
    fixed = dedent(IGNORED).replace("= get_running_loop()", "= loop or get_running_loop()")
    assert patched(IGNORED, line_of(IGNORED, "self._loop ="), "unread_parameter") == [fixed]


def test_a_parameter_that_is_read_or_named_otherwise_is_left_alone():
    assert patched(IGNORED, line_of(IGNORED, "self._count ="), "unread_parameter") == []
    read = IGNORED.replace("if args:", "if args or loop:")
    assert patched(read, line_of(read, "self._loop ="), "unread_parameter") == []


def test_a_looser_value_is_parenthesized():
    src = "def f(size=None):\n    _size = a if b else c\n"
    assert patched(src, 2, "unread_parameter") == ["def f(size=None):\n    _size = size or (a if b else c)\n"]


DEAD = """
def configure(self):
    if isinstance(self.level, str):
        level = LEVELS[self.level]
    else:
        text = self.level
    logger.setLevel(level)
    return text_of(self)
"""


def test_a_store_never_read_goes_to_the_local_the_next_line_reads_as_uvicorn_f846a351():
    fixed = dedent(DEAD).replace("text = self.level", "level = self.level")
    assert patched(DEAD, line_of(DEAD, "text = self.level"), "rename_dead_store") == [fixed]


def test_a_store_that_is_read_is_not_renamed():
    assert patched(DEAD, line_of(DEAD, "level = LEVELS"), "rename_dead_store") == []
    read = DEAD.replace("return text_of(self)", "return text")
    assert patched(read, line_of(read, "text = self.level"), "rename_dead_store") == []


ERROR = """
class APIError(Exception):
    body: object

    def __init__(self, message, *, body):
        self.message = message
        if is_dict(body):
            self.code = body.get("code")
"""


def test_a_declared_attribute_never_assigned_takes_its_parameter_as_openai_d468f301():
    fixed = dedent(ERROR).replace("self.message = message\n", "self.message = message\n        self.body = body\n")
    assert fixed in patched(ERROR, line_of(ERROR, "self.message ="), "store_parameter")


def test_a_method_of_the_parameter_s_name_or_an_assigned_attribute_is_not_stored():
    src = """
    class Config:
        code = None

        def get(self, section, code):
            values = self._section(section)
            return values[code] or self.code

        def _section(self, section):
            return {}
    """
    assert patched(src, line_of(src, "values ="), "store_parameter") == []


def test_an_ignored_parameter_is_passed_in_its_place_among_the_others_as_pyasn1_4e46f521():
    src = """
    class Enumerated(Integer):
        def subtype(self, value=None, tag=None, spec=None, named=None):
            return Integer.subtype(self, value, tag, named)
    """
    fixed = dedent(src).replace("(self, value, tag, named)", "(self, value, tag, spec, named)")
    assert patched(src, line_of(src, "return"), "pass_parameter") == [fixed]


def test_a_parameter_only_defaulted_is_passed_by_keyword_as_google_auth_1c51e93e():
    src = """
    def request(url, timeout=None, **kwargs):
        if timeout is None:
            timeout = DEFAULT_TIMEOUT
        connection = HTTPConnection(url.netloc)
        return connection.request(**kwargs)
    """
    fixed = dedent(src).replace("HTTPConnection(url.netloc)", "HTTPConnection(url.netloc, timeout=timeout)")
    assert fixed in patched(src, line_of(src, "connection ="), "pass_parameter")
    used = src.replace("connection.request(**kwargs)", "connection.request(timeout, **kwargs)")
    assert patched(used, line_of(used, "connection ="), "pass_parameter") == []
