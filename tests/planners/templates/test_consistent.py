from tests.planners.templates.helpers import dedent, line_of, patched

PARAMS = """
def invoke(self, callback, kwargs):
    for param in self.params:
        if param.name in self.params and \\
           param.name not in kwargs:
            kwargs[param.name] = self.params[param.name]
    return callback(**kwargs)
"""


def test_an_attribute_narrowed_in_a_condition_and_its_body_as_click_7ebd3b94():
    fixed = dedent(PARAMS).replace("param.name", "param")
    assert fixed in patched(PARAMS, line_of(PARAMS, "if param.name"), "consistent_edit")


def test_a_variable_replaced_on_the_statements_after_it_as_jsonschema_faabedcf():
    src = """
    def unique(container):
        sort = sorted(container)
        sliced = itertools.islice(container, 1, None)
        for i, j in zip(container, sliced):
            if i == j:
                return False
        return True
    """
    text = dedent(src)
    fixed = text.replace("islice(container", "islice(sort").replace("zip(container", "zip(sort")
    assert fixed in patched(src, line_of(src, "sliced ="), "consistent_edit")


def test_an_attribute_replaced_twice_on_one_line_as_aiohttp_800c7929():
    src = """
    class Worker:
        def run(self, cnt):
            if self.cfg.max_requests and cnt > self.cfg.max_requests:
                self.alive = False
    """
    fixed = dedent(src).replace("self.cfg.max_requests", "self.max_requests")
    out = patched(src, line_of(src, "if self.cfg"), "consistent_edit")
    assert fixed in out


def test_the_uses_stop_where_the_name_read_is_bound_again_and_a_single_use_is_left_alone():
    src = """
    def f(a, b):
        total = a + 1
        a = b
        return a
    """
    out = patched(src, line_of(src, "total ="), "consistent_edit")
    assert out == []  # `a` has one use before it is bound again: the one-place templates write that


def test_a_variable_is_repeated_only_towards_a_local_never_read_and_attributes_are_not_repeated():
    src = """
    class Box:
        def move(self, dx, dy):
            self.y = dy
            self.x = self.x + dx
            return self.x + dy + dy
    """
    out = patched(src, line_of(src, "return self.x"), "consistent_edit")
    assert (
        out == []
    )  # `dy` -> `dx` twice (both read) and `self.x` -> `self.y` twice are left to the one-place templates
