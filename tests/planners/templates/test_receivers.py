from tests.planners.templates.helpers import dedent, line_of, patched


def test_a_python2_next_method_made_the_builtin_as_pip_7adacc8b():
    src = """
    def requirement(fp):
        return parse_requirements(fp.read()).next()
    """
    fixed = dedent(src).replace("parse_requirements(fp.read()).next()", "next(parse_requirements(fp.read()))")
    assert fixed in patched(src, line_of(src, "return"), "method_as_function")


def test_a_builtin_called_as_a_method_takes_the_receiver_first_as_tenacity_ff817d98():
    src = """
    class Retrying:
        def __init__(self, wait):
            self.wait = self.getattr(wait)
    """
    fixed = dedent(src).replace("self.getattr(wait)", "getattr(self, wait)")
    assert fixed in patched(src, line_of(src, "self.wait ="), "method_as_function")


def test_a_module_function_the_file_calls_elsewhere_takes_the_receiver():
    src = """
    import six

    def pairs(kwargs, defaults):
        for k, v in six.iteritems(defaults):
            kwargs.setdefault(k, v)
        for k, v in kwargs.iteritems():
            yield k, v
    """
    fixed = dedent(src).replace("kwargs.iteritems()", "six.iteritems(kwargs)")
    out = patched(src, line_of(src, "kwargs.iteritems"), "method_as_function")
    assert fixed in out
    assert len(out) == 1  # `iteritems` is neither a builtin nor any other imported module's


def test_methods_of_common_types_and_calls_of_objects_not_imported_are_left_alone():
    src = """
    def render(items, out):
        out.append(items)
        return "{}".format(items.sort())
    """
    assert patched(src, line_of(src, "out.append"), "method_as_function") == []
    assert patched(src, line_of(src, "return"), "method_as_function") == []


SCHEME = """
import sys

def scheme(dist, prefix=None):
    i = command(dist)
    i.prefix = prefix or i.prefix
    headers = join(sys.prefix, 'include')
    return join(sys.base, headers, i.home)
"""


def test_an_attribute_read_on_the_other_object_that_has_it_as_pip_b85d5026():
    fixed = dedent(SCHEME).replace("join(sys.prefix,", "join(i.prefix,")
    assert patched(SCHEME, line_of(SCHEME, "headers ="), "other_receiver") == [fixed]
    assert patched(SCHEME, line_of(SCHEME, "return join"), "other_receiver") == []


def test_self_attribute_on_a_parameter_of_the_same_class_as_anyio_3e6a22cf():
    src = """
    class Scope:
        def deliver(self, origin: "Scope", task):
            self.calls += 1
            task.cancel()
    """
    fixed = dedent(src).replace("self.calls += 1", "origin.calls += 1")
    assert patched(src, line_of(src, "self.calls"), "other_receiver") == [fixed]
    assert patched(src, line_of(src, "task.cancel"), "other_receiver") == []
