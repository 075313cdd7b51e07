from tests.planners.templates.helpers import dedent, patched


def test_none_guard_returns_default_from_annotation():
    src = "def f(x) -> list:\n    return x.split()\n"
    out = patched(src, 2, "none_guard")
    assert "def f(x) -> list:\n    if x is None:\n        return []\n    return x.split()\n" in out


def test_none_guard_continues_in_loops():
    src = "def f(xs):\n    out = []\n    for x in xs:\n        out.append(str(x))\n    return out\n"
    out = patched(src, 4, "none_guard")
    assert (
        dedent(src).replace("        out.append", "        if x is None:\n            continue\n        out.append")
        in out
    )


def test_empty_guard():
    src = "def f(xs):\n    return xs[0]\n"
    assert "def f(xs):\n    if not xs:\n        return None\n    return xs[0]\n" in patched(src, 2, "empty_guard")


def test_mutable_default():
    src = 'def f(x, acc=[]):\n    """Doc."""\n    acc.append(x)\n    return acc\n'
    expected = (
        'def f(x, acc=None):\n    """Doc."""\n    if acc is None:\n        acc = []\n'
        "    acc.append(x)\n    return acc\n"
    )
    assert expected in patched(src, 1, "mutable_default")


def test_copy_argument_follows_the_annotation():
    src = "class Box:\n    def __init__(self, items: list[int]):\n        self.items = items\n"
    assert any("        self.items = list(items)\n" in out for out in patched(src, 3, "copy_argument"))


def test_copy_argument_without_annotation_offers_each_collection():
    src = "class Box:\n    def __init__(self, items):\n        self.items = items\n"
    outs = patched(src, 3, "copy_argument")
    assert all(any(f"self.items = {kind}(items)" in out for out in outs) for kind in ("list", "dict", "set"))


def test_guard_in_a_boolean_function_returns_false_not_none():
    """An early return is type-consistent: a function that returns True/False gets False."""
    src = "def f(x):\n    if x.ok():\n        return True\n    return x.n > 2\n"
    out = patched(src, 2, "none_guard")
    assert "def f(x):\n    if x is None:\n        return False\n    if x.ok():" in out[0]
    assert not any("return None" in text for text in out)


def test_guard_returns_the_empty_form_of_a_returned_collection():
    src = "def f(xs):\n    out = [x for x in xs]\n    return out[:1] if xs else []\n"
    assert not any("return None" in t for t in patched(src, 2, "empty_guard"))
    src = "def g(xs):\n    return [x * 2 for x in xs]\n"
    texts = patched(src, 2, "empty_guard")
    assert "def g(xs):\n    if not xs:\n        return []\n    return [x * 2 for x in xs]\n" in texts
    assert not any("return None" in t for t in texts)


def test_guard_keeps_none_when_the_function_already_returns_none():
    src = "def f(x):\n    if x.ok():\n        return True\n    return None\n"
    out = patched(src, 2, "none_guard")
    assert any("return False" in t for t in out) and any("return None\n    if x.ok" in t for t in out)


def test_an_early_exit_on_a_clause_the_file_tests_as_jsonschema_663ddba1_needs():
    src = """
    def items(validator, items, instance):
        if not validator.is_type(instance, "array"):
            return
        yield from items


    def properties(validator, properties, instance):
        for name in properties:
            yield name
    """
    out = patched(src, 8, "clause_guard")
    guard = '    if not validator.is_type(instance, "object"):\n        return\n'
    fixed = dedent(src).replace("    for name", guard.replace('"object"', '"array"') + "    for name")
    assert fixed in out  # the clause of the first function, usable here: the same names
    assert all("return None" not in o for o in out)  # no value returned: a bare return


def test_a_clause_guard_in_a_loop_continues():
    src = """
    def cancel(tasks):
        for task in tasks:
            if task.done():
                pass
            task.cancel()
    """
    out = patched(src, 5, "clause_guard")
    assert (
        dedent(src).replace(
            "        task.cancel()",
            "        if task.done():\n            continue\n        task.cancel()",
        )
        in out
    )


def test_an_early_return_of_a_function_that_computes_a_number_returns_zero_as_pyasn1_2e5bbe62_needs():
    src = dedent("""
        def from_bytes(octets, signed=False):
            value = int(octets.hex(), 16)
            if signed and octets[0] & 0x80:
                return value - (1 << len(octets) * 8)
            return value
        """)
    out = patched(src, 2, "empty_guard")
    assert src.replace("    value = int", "    if not octets:\n        return 0\n    value = int") in out
