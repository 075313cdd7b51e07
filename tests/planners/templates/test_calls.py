from tests.planners.templates.helpers import patched


def test_similar_builtin_and_method():
    assert "x = all(v for v in vs)\n" in patched("x = any(v for v in vs)\n", 1, "similar_call")
    assert "s.upper()\n" in patched("s.lower()\n", 1, "similar_call")
    assert "xs.extend(y)\n" in patched("xs.append(y)\n", 1, "similar_call")


def test_sibling_constant_of_stdlib_module():
    src = "import decimal\nq = x.quantize(e, rounding=decimal.ROUND_HALF_EVEN)\n"
    out = patched(src, 2, "sibling_constant")
    assert src.replace("ROUND_HALF_EVEN", "ROUND_HALF_UP") in out


def test_add_keyword_from_unused_stdlib_import():
    src = "from decimal import ROUND_HALF_UP\n\ny = x.quantize(q)\n"
    assert src.replace("quantize(q)", "quantize(q, rounding=ROUND_HALF_UP)") in patched(
        src, 3, "add_keyword_argument"
    )


def test_add_keyword_seen_at_other_calls():
    src = "a = sorted(xs, key=len)\nb = sorted(ys)\n"
    assert "a = sorted(xs, key=len)\nb = sorted(ys, key=len)\n" in patched(
        src, 2, "add_keyword_argument"
    )
