"""Shape templates: the returned shape, a call taken off or put on, clamp/abs/power,
a slice or an offset by a name in scope; and the kinds that prune what cannot type-check."""

from tests.planners.templates.helpers import patched


def test_return_shape_wraps_in_a_list_and_tests_for_non_empty():
    src = "def names(rows):\n    found = [r for r in rows if r]\n    return found\n"
    out = patched(src, 3, "return_shape")
    assert src.replace("return found", "return [found]") in out
    assert src.replace("return found", "return len(found) > 0") in out


def test_return_shape_one_element_form_of_an_empty_structure():
    src = "def parts(xs):\n    if not xs:\n        return []\n    return xs\n"
    assert src.replace("return []", "return [[]]") in patched(src, 3, "return_shape")


def test_return_shape_comparison_of_names_in_scope_instead_of_a_constant():
    src = "def same(a, b):\n    n = len(a) - len(b)\n    return True\n"
    out = patched(src, 3, "return_shape")
    assert src.replace("return True", "return a == b") in out
    assert src.replace("return True", "return n <= a") not in out  # a number and a collection


def test_unwrap_call_keeps_precedence():
    src = "def f(k, n):\n    return sorted(k) + abs(n - 1)\n"
    out = patched(src, 2, "unwrap_call")
    assert src.replace("sorted(k)", "k") in out
    assert src.replace("abs(n - 1)", "(n - 1)") in out


def test_wrap_call_with_a_builtin_the_place_wants():
    src = "def f(s):\n    k = s.lower()\n    size = k\n    return size + 1\n"
    out = patched(src, 3, "wrap_call")
    assert src.replace("size = k", "size = len(k)") in out
    assert src.replace("size = k", "size = sorted(k)") not in out  # a list where a number goes


def test_wrap_call_never_takes_the_length_of_a_number():
    src = "def f(n):\n    m = n - 1\n    return m\n"
    assert not any("len(m)" in text for text in patched(src, 3, "wrap_call"))


def test_wrap_numeric_abs_power_and_clamp():
    src = "def f(done, total):\n    return done * 100 // total\n"
    out = patched(src, 2, "wrap_numeric")
    assert src.replace("done * 100 // total", "min(done * 100 // total, 100)") in out
    assert src.replace("done * 100 // total", "max(done * 100 // total, 0)") in out
    assert src.replace("done * 100 // total", "abs(done * 100 // total)") in out
    assert src.replace("done * 100 // total", "(done * 100 // total) ** 2") in out


def test_wrap_numeric_reuses_grouping_parentheses():
    src = "def var(xs, m):\n    return sum((x - m) for x in xs)\n"
    assert src.replace("(x - m) for", "(x - m) ** 2 for") in patched(src, 2, "wrap_numeric")


def test_wrap_numeric_skips_strings():
    src = "def f(s):\n    k = s.lower()\n    return 'x' + k\n"
    assert patched(src, 3, "wrap_numeric") == []


def test_slice_by_a_name_in_scope():
    src = "def top(xs, n):\n    ranked = sorted(xs)\n    return ranked\n"
    out = patched(src, 3, "slice_by_name")
    assert src.replace("return ranked", "return ranked[:n]") in out
    assert src.replace("return ranked", "return ranked[n:]") in out


def test_slice_never_by_a_collection():
    src = "def f(xs, ys):\n    ys.append(1)\n    return xs\n"
    assert not any("[:ys]" in text for text in patched(src, 3, "slice_by_name"))


def test_offset_by_a_name_in_scope():
    src = "def bounds(page, size):\n    start = page * size\n    end = start\n    return start, end\n"
    out = patched(src, 3, "offset_by_name")
    assert src.replace("end = start\n", "end = start + size\n") in out
    assert src.replace("end = start\n", "end = start - page\n") in out
    assert not any("start + end" in text for text in out)  # not the name being assigned


def test_wrap_call_reads_a_mapping_as_a_dict_as_urllib3_39eebb65_and_bytes_as_idna_fa34c71c():
    src = "import json\n\ndef echo(request):\n    return json.dumps(request.headers)\n"
    assert src.replace("dumps(request.headers)", "dumps(dict(request.headers))") in patched(src, 4, "wrap_call")
    src = "def encode(label):\n    label_bytes = label\n    return label_bytes\n"
    assert src.replace("= label\n", "= bytes(label)\n") in patched(src, 2, "wrap_call")
