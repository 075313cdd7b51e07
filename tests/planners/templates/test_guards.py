from tests.planners.templates.helpers import dedent, patched


def test_none_guard_returns_default_from_annotation():
    src = "def f(x) -> list:\n    return x.split()\n"
    out = patched(src, 2, "none_guard")
    assert "def f(x) -> list:\n    if x is None:\n        return []\n    return x.split()\n" in out


def test_none_guard_continues_in_loops():
    src = "def f(xs):\n    out = []\n    for x in xs:\n        out.append(str(x))\n    return out\n"
    out = patched(src, 4, "none_guard")
    assert (
        dedent(src).replace(
            "        out.append", "        if x is None:\n            continue\n        out.append"
        )
        in out
    )


def test_empty_guard():
    src = "def f(xs):\n    return xs[0]\n"
    assert "def f(xs):\n    if not xs:\n        return None\n    return xs[0]\n" in patched(
        src, 2, "empty_guard"
    )


def test_mutable_default():
    src = 'def f(x, acc=[]):\n    """Doc."""\n    acc.append(x)\n    return acc\n'
    expected = 'def f(x, acc=None):\n    """Doc."""\n    if acc is None:\n        acc = []\n    acc.append(x)\n    return acc\n'
    assert expected in patched(src, 1, "mutable_default")


def test_copy_argument_follows_the_annotation():
    src = "class Box:\n    def __init__(self, items: list[int]):\n        self.items = items\n"
    assert any("        self.items = list(items)\n" in out for out in patched(src, 3, "copy_argument"))


def test_copy_argument_without_annotation_offers_each_collection():
    src = "class Box:\n    def __init__(self, items):\n        self.items = items\n"
    outs = patched(src, 3, "copy_argument")
    assert all(any(f"self.items = {kind}(items)" in out for out in outs) for kind in ("list", "dict", "set"))
