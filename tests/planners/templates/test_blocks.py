import ast

import pytest

from rfsn.planners.patch.templates.python.blocks import raised_by
from tests.planners.templates.helpers import dedent, line_of, patched


def _stmt(text: str) -> ast.stmt:
    return ast.parse(text).body[0]


def test_iteration_that_may_end_is_wrapped_in_try_with_the_functions_exits():
    src = """
    def join(lines):
        line = ''
        while line.endswith('x'):
            line += next(lines)
        return line
    """
    out = patched(src, 4, "wrap_in_try")
    for handler in ("pass", "continue", "return", 'return ""'):
        wrapped = (
            f"        try:\n            line += next(lines)\n        except StopIteration:\n            {handler}\n"
        )
        assert dedent(src).replace("        line += next(lines)\n", wrapped) in out
    assert len(out) == 4 * len(raised_by(_stmt("line += next(lines)")))


def test_attribute_removal_of_a_descriptor_ignores_its_absence():
    src = """
    class lazy:
        def __get__(self, obj, tp):
            result = self._resolve()
            # it avoids running this again
            delattr(obj.__class__, self.name)
            return result
    """
    expected = dedent(src).replace(
        "        delattr(obj.__class__, self.name)\n",
        "        try:\n            delattr(obj.__class__, self.name)\n"
        "        except AttributeError:\n            pass\n",
    )
    assert expected in patched(src, 5, "wrap_in_try")


def test_file_operation_is_wrapped_for_oserror_and_a_whole_if_too():
    src = "def close(self):\n    os.chmod(self.fd, self.mode)\n    self.done = True\n"
    assert any(
        "    try:\n        os.chmod(self.fd, self.mode)\n    except OSError:\n        pass\n" in o
        for o in patched(src, 2, "wrap_in_try")
    )
    src = "def __del__(self):\n    if self.session is not None:\n        self.session.close()\n"
    assert any(
        "    try:\n        if self.session is not None:\n            self.session.close()\n"
        "    except TypeError:\n        pass\n" in o
        for o in patched(src, 2, "wrap_in_try")
    )


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("x = d[k]", ["KeyError", "IndexError"]),
        ("x = a / b", ["ZeroDivisionError"]),
        ("pkg = __import__(name)", ["ImportError", "TypeError", "ValueError"]),
        ("x = y", []),
    ],
)
def test_the_exceptions_a_statement_raises_come_from_its_operations(text, errors):
    assert raised_by(_stmt(text)) == errors


def test_no_try_for_a_statement_that_raises_nothing_nor_at_module_level():
    assert patched("def f(y):\n    x = y\n    return x\n", 2, "wrap_in_try") == []
    assert patched("x = d['k']\n", 1, "wrap_in_try") == []


def test_if_after_an_if_becomes_its_elif():
    src = """
    def convert(self, value):
        if self.file_okay and not self.dir_okay:
            kind = 'file'
        if self.dir_okay and not self.file_okay:
            kind = 'directory'
        return kind
    """
    assert dedent(src).replace("    if self.dir", "    elif self.dir") in patched(src, 4, "join_previous_block")


def test_statement_after_an_if_moves_under_else_or_into_the_block():
    src = """
    def find(self, name):
        for link in self.links:
            if link.name == name:
                return link
        raise KeyError(name)
    """
    out = patched(src, 5, "join_previous_block")
    assert dedent(src).replace("    raise", "    else:\n        raise") not in out  # a for's else: not offered
    into = dedent(src).replace("    raise KeyError(name)", "        raise KeyError(name)")
    assert into in out
    src = """
    def drop(self, tag):
        if tag in self.tagdata:
            del self.tagdata[tag]
        del self._data[tag]
    """
    out = patched(src, 4, "join_previous_block")
    assert dedent(src).replace("    del self._data", "    else:\n        del self._data") in out
    assert dedent(src).replace("    del self._data", "        del self._data") in out


def test_no_join_for_the_first_statement_nor_after_a_simple_one():
    src = "def f(a):\n    x = a\n    y = x\n    return y\n"
    assert patched(src, 2, "join_previous_block") == []
    assert patched(src, 3, "join_previous_block") == []


def test_if_unwrapped_to_its_body_with_its_comment_or_to_its_else_branch():
    src = """
    def add(self, files):
        if files:
            # the list may be empty
            self.filelist.extend(files)
        if self.current() == 'current':
            expression = self.current_node()
        else:
            expression = self.expression(
                1)
        return expression
    """
    out = patched(src, 2, "unwrap_block")
    assert (
        dedent(src).replace(
            "    if files:\n        # the list may be empty\n        self.filelist",
            "    # the list may be empty\n    self.filelist",
        )
        in out
    )
    out = patched(src, 5, "unwrap_block")
    assert (
        dedent(src).replace(
            """    if self.current() == 'current':
        expression = self.current_node()
    else:
        expression = self.expression(
            1)
""",
            "    expression = self.expression(\n        1)\n",
        )
        in out
    )
    assert len(out) == 2


def test_try_unwrapped_to_its_body_and_no_elif_chain_split():
    src = """
    def check(label):
        try:
            ulabel(label)
        except IDNAError:
            raise IDNAError('not a valid A-label')
        if label == 'a':
            return 1
        elif label == 'b':
            return 2
        return 0
    """
    assert dedent(src).replace(
        """    try:
        ulabel(label)
    except IDNAError:
        raise IDNAError('not a valid A-label')
""",
        "    ulabel(label)\n",
    ) in patched(src, 2, "unwrap_block")
    assert patched(src, 6, "unwrap_block") == [
        dedent(src).replace(
            "    if label == 'a':\n        return 1\n    elif label == 'b':\n        return 2\n", "    return 1\n"
        )
    ]


def test_a_failed_lookup_in_getattr_reported_as_the_missing_attribute_as_pillow_524addc4():
    src = """
    class Info(dict):
        def __getattr__(self, key):
            value = self[key.encode("us-ascii")]
            return value
    """
    text = dedent(src)
    body = '        value = self[key.encode("us-ascii")]\n'
    fixed = text.replace(
        body, f"        try:\n    {body}        except KeyError:\n            raise AttributeError(key)\n"
    )
    assert fixed in patched(src, line_of(src, "value ="), "wrap_in_try")


def test_a_failed_lookup_in_a_function_getattr_calls_as_cffi_c0df845c():
    src = """
    class Lib:
        def __getattr__(self, name):
            make_accessor(name)
            return self.__dict__[name]

    def make_accessor(name):
        value = backendlib.load_function(BType, name)
        library.__dict__[name] = value
    """
    out = patched(src, line_of(src, "value = backendlib"), "wrap_in_try")
    assert any("except KeyError:\n        raise AttributeError(name)\n" in o for o in out)
    other = src.replace("make_accessor(name)\n", "pass\n")
    assert not any(
        "raise AttributeError" in o for o in patched(other, line_of(other, "value = backendlib"), "wrap_in_try")
    )


ROUTES = """
class Resource:
    def register_route(self, route):
        if route.method == ANY:
            self._any_route = route
        else:
            self._allowed_methods.add(route.method)
            self._routes[route.method] = route
        return route

    def resolve(self, request):
        if request.method in self._routes:
            return self._routes[request.method]
        else:
            return self._any_route
"""


def test_an_else_branch_every_case_needs_runs_after_the_if_as_aiohttp_7199e09e():
    branch = "            self._allowed_methods.add(route.method)\n            self._routes[route.method] = route\n"
    fixed = dedent(ROUTES).replace("        else:\n" + branch, branch.replace("            ", "        "))
    for needle in ("else:", "self._routes[route.method] = route"):
        assert patched(ROUTES, line_of(ROUTES, needle), "else_always") == [fixed]


def test_no_else_moved_after_an_if_body_that_exits_nor_from_other_lines():
    assert patched(ROUTES, line_of(ROUTES, "return self._any_route"), "else_always") == []
    assert patched(ROUTES, line_of(ROUTES, "self._any_route = route"), "else_always") == []
    assert patched(ROUTES, line_of(ROUTES, "if route.method"), "else_always") == []
