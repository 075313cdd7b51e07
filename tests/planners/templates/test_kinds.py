"""Kinds of names, from what is assigned to them and how they are used."""

import ast

from rfsn.planners.patch.templates.python.kinds import COLL, NUM, SIZED, STR, compatible, infer, usage

SRC = """
def f(text, limit: int, width=10):
    words = text.split()
    count = len(words)
    label = f"{count} words"
    for i in range(limit):
        pass
    size = words
    return size + 1
"""


def _func() -> ast.FunctionDef:
    return ast.parse(SRC).body[0]  # type: ignore[return-value]


def test_kinds_from_definitions_annotations_and_defaults():
    kinds = infer(_func())
    assert kinds["words"] == COLL and kinds["count"] == NUM and kinds["label"] == STR
    assert kinds["limit"] == NUM and kinds["width"] == NUM and kinds["i"] == NUM
    assert kinds["text"] == STR  # it has .split()


def test_usage_alone_says_what_a_name_should_hold():
    func = _func()
    assert infer(func)["size"] == COLL  # what is assigned to it
    assert usage(func, infer(func))["size"] == NUM  # what its use wants


def test_kinds_of_calls_to_functions_of_the_file():
    module = ast.parse("def find(xs):\n    return [x for x in xs]\n\ndef g(xs):\n    m = find(xs)\n")
    assert infer(module.body[1], None, module)["m"] == COLL


def test_compatible_kinds():
    assert compatible(None, NUM) and compatible(SIZED, STR) and compatible(NUM, NUM)
    assert not compatible(NUM, STR) and not compatible(SIZED, NUM)
