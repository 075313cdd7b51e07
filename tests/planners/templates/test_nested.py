from tests.planners.templates.helpers import dedent, patched

NESTED = """
def scale_all(items, factor):
    def one(n):
        return n * scale
    return [one(i) for i in items]
"""


def test_unbound_name_in_a_nested_function_takes_the_enclosing_parameter():
    assert dedent(NESTED).replace("n * scale", "n * factor") in patched(NESTED, 3, "unbound_name")


def test_bound_names_are_left_alone():
    assert patched(NESTED, 4, "unbound_name") == []
    assert patched("import os\n\ndef f(p):\n    return os.path.join(p, len(p))\n", 4, "unbound_name") == []


def test_argument_moved_out_of_the_inner_call():
    src = "def chunks(it, k):\n    return list(islice(it, k))\n"
    assert dedent(src).replace("list(islice(it, k))", "list(islice(it), k)") in patched(src, 2, "move_argument")


def test_argument_moved_into_the_inner_call_keyword_too():
    src = "def f(it, k):\n    return outer(inner(it), key=k)\n"
    assert dedent(src).replace("outer(inner(it), key=k)", "outer(inner(it, key=k))") in patched(src, 2, "move_argument")
    assert patched("def f(it):\n    return outer(inner(it))\n", 2, "move_argument") == []
