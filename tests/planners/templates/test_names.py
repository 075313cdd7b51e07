import pytest

from tests.planners.templates.helpers import dedent, patched

CLS = """
DEFAULT = "DEFAULT"


class C:
    def __init__(self, lo, hi):
        self.lo = lo
        self.hi = hi

    def span(self, other):
        return other.hi - self.hi
"""


def test_replace_variable():
    src = "def f(a, b):\n    c = a\n    return c * a\n"
    assert dedent(src).replace("c * a", "c * b") in patched(src, 3, "replace_variable")


def test_replace_attribute_from_class():
    assert dedent(CLS).replace("- self.hi", "- self.lo") in patched(CLS, 10, "replace_attribute")


def test_replace_attribute_with_sibling_on_other_objects():
    assert dedent(CLS).replace("other.hi", "other.lo") in patched(CLS, 10, "replace_attribute")


def test_literal_to_named_constant():
    src = 'DEFAULT = "DEFAULT"\nx = d.get("default")\n'
    assert 'DEFAULT = "DEFAULT"\nx = d.get(DEFAULT)\n' in patched(src, 2, "constant_to_named_constant")


def test_string_constant_from_file():
    src = 'a = d["name"]\nb = d["label"]\n'
    assert "a = d[\"name\"]\nb = d['name']\n" in patched(src, 2, "string_constant")


def test_boolean_literal():
    assert "    return True\n" in patched("def f():\n    return False\n", 2, "boolean_literal")[0]


def test_replace_variable_skips_names_of_another_kind():
    src = "def f(words, n):\n    total = 0\n    for w in words:\n        total += 1\n    return total\n"
    out = patched(src, 5, "replace_variable")
    assert src.replace("return total", "return n") in out  # n: nothing known
    assert src.replace("return total", "return words") not in out  # a collection for a number


def test_a_local_for_the_attribute_of_its_name_and_back():
    src = (
        "class Wrapper:\n    def __init__(self, config, name):\n        self.config = config\n"
        "        self.name = name\n\n    def lineof(self, name):\n"
        "        return self.config.lineof(name, name)\n"
    )
    out = patched(src, 7, "self_or_local")
    assert src.replace("lineof(name, name)", "lineof(self.name, name)") in out
    private = (
        "class Cache:\n    def __init__(self, size):\n        self.__size = size\n\n"
        "    def add(self, size):\n        return self.__size + 1\n"
    )
    assert private.replace("return self.__size + 1", "return size + 1") in patched(private, 6, "self_or_local")
    assert patched("def f(name):\n    return name\n", 2, "self_or_local") == []  # no object


def test_the_attribute_named_as_what_it_is_assigned_to():
    src = "def f(frac):\n    numerator = frac.numerator\n    denominator = frac.numerator\n"
    assert patched(src, 3, "attribute_as_target") == [
        src.replace("denominator = frac.numerator", "denominator = frac.denominator")
    ]
    assert patched(src, 2, "attribute_as_target") == []  # named as its target already
    call = "def f(item):\n    return make(size=item.count)\n"
    assert patched(call, 2, "attribute_as_target") == [call.replace("item.count", "item.size")]


def test_a_local_assigned_and_never_read_is_put_to_use_in_a_later_statement():
    src = (
        "def put(self, key, size):\n    if key in self.data:\n        diffsize = size - self.sizes[key]\n"
        "    else:\n        diffsize = size\n    self.sizes[key] = size\n    self.total += size\n"
    )
    out = patched(src, 3, "use_dead_store")
    assert src.replace("self.total += size", "self.total += diffsize") in out
    used = src + "    return diffsize\n"
    assert patched(used, 3, "use_dead_store") == []  # read later: not dead


def test_a_functions_names_are_walked_once_for_all_its_lines_dateutil_0b773a5(monkeypatch: pytest.MonkeyPatch) -> None:
    """Templates at every line of a long function ask for its names: the function is walked
    once, not per line (dateutil's 445-line ``_parse``: 4 s of walking per session)."""
    import ast

    from rfsn.planners.patch.templates.python import scope

    func = ast.parse("def f(a, b):\n    c = a\n    for d in b:\n        e = d\n    return c\n").body[0]
    walked: list[ast.AST] = []
    real = ast.walk

    def counting(node: ast.AST):  # type: ignore[no-untyped-def]
        walked.append(node)
        return real(node)

    monkeypatch.setattr(scope.ast, "walk", counting)
    for _ in range(5):
        assert scope.local_names(func) == ["a", "b", "c", "d", "e"]  # type: ignore[arg-type]
    assert walked == [func]
    names = scope.local_names(func)  # type: ignore[arg-type]
    names.append("z")  # the caller's own list
    assert scope.local_names(func) == ["a", "b", "c", "d", "e"]  # type: ignore[arg-type]
