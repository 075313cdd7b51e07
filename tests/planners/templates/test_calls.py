import ast

from rfsn.planners.code.candidates import apply_splices
from rfsn.planners.patch.templates.python import BY_NAME, FileContext
from tests.planners.templates.helpers import dedent, line_of, patched


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
    assert src.replace("quantize(q)", "quantize(q, rounding=ROUND_HALF_UP)") in patched(src, 3, "add_keyword_argument")


def test_add_keyword_seen_at_other_calls():
    src = "a = sorted(xs, key=len)\nb = sorted(ys)\n"
    assert "a = sorted(xs, key=len)\nb = sorted(ys, key=len)\n" in patched(src, 2, "add_keyword_argument")


def test_pass_an_argument_the_callee_defined_here_takes_and_the_scope_holds():
    src = (
        "def _get(ind, seq, default):\n    return seq[ind]\n\n\n"
        "def get(ind, seq, default=None):\n    return tuple(_get(i, seq) for i in ind)\n"
    )
    out = patched(src, 6, "pass_missing_argument")
    assert src.replace("_get(i, seq)", "_get(i, seq, default)") in out  # positional, as declared
    assert not any("ind=" in text or "seq=" in text for text in out)  # passed already


def test_pass_a_parameter_the_function_never_reads_by_keyword():
    src = (
        "class Section:\n    def get(self, key, default=None, convert=None):\n"
        "        return self.config.get(self.name, key, convert=convert)\n"
    )
    out = patched(src, 3, "pass_missing_argument")
    assert out == [src.replace("convert=convert)", "convert=convert, default=default)")]
    assert patched("def f(a):\n    return g(a)\n", 2, "pass_missing_argument") == []  # nothing missing


def test_star_parameters_are_never_passed_as_keywords():
    src = "def f(a, *args, **kwargs):\n    return g(a)\n"
    assert patched(src, 2, "pass_missing_argument") == []


def test_a_keyword_seen_at_other_calls_added_to_a_call_without_arguments_as_aiohttp_8f53917c():
    src = """
    def release(self, resp):
        if resp.broken:
            resp.close(force=True)
        else:
            resp.close()
    """
    fixed = dedent(src).replace("resp.close()", "resp.close(force=True)")
    assert fixed in patched(src, line_of(src, "resp.close()"), "add_keyword_argument")
    assert patched("from decimal import ROUND_UP\n\nx.close()\n", 3, "add_keyword_argument") == []


def test_library_keyword_added_even_to_a_call_without_arguments():
    src = "import configparser\n\n\ndef load(path):\n    parser = configparser.ConfigParser()\n    return open(path)\n"
    assert dedent(src).replace("ConfigParser()", "ConfigParser(interpolation=None)") in patched(
        src, 5, "add_keyword_argument"
    )
    assert dedent(src).replace("open(path)", "open(path, encoding='utf-8')") in patched(src, 6, "add_keyword_argument")


def test_methods_the_design_part_renames_as_google_auth_56a61594_and_uvicorn_d5d62d49_need():
    assert "t = datetime.utcfromtimestamp(p['exp'])\n" in patched(
        "t = datetime.fromtimestamp(p['exp'])\n", 1, "similar_call"
    )
    assert "port = s.getsockname()[1]\n" in patched("port = s.getpeername()[1]\n", 1, "similar_call")
    assert "for k, v in d.items():\n    pass\n" in patched("for k, v in d.iteritems():\n    pass\n", 1, "similar_call")
    assert "log.debug('x')\n" in patched("log.info('x')\n", 1, "similar_call")


def test_flags_passed_where_re_sub_takes_the_count_as_click_af2da1ef_needs():
    src = 'import re\nname = re.sub(r"\\W*", "", prog.replace("-", "_"), re.ASCII)\n'
    assert patched(src, 2, "flags_by_keyword") == [src.replace("re.ASCII)", "flags=re.ASCII)")]
    assert patched('import re\nname = re.sub(r"a", "", s, 1)\n', 2, "flags_by_keyword") == []


def test_logging_configured_from_a_file_keeps_the_loggers_as_uvicorn_a9c37cc4_needs():
    src = "import logging.config\nlogging.config.fileConfig(path)\n"
    assert "logging.config.fileConfig(path, disable_existing_loggers=False)\n" in [
        o.splitlines(keepends=True)[1] for o in patched(src, 2, "add_keyword_argument")
    ]


def test_a_builtin_called_for_its_sibling_as_google_auth_866d926b_and_pillow_4be146cf_fixed_them():
    assert "ALGS = frozenset(['ES256'])\n" in patched("ALGS = set(['ES256'])\n", 1, "similar_call")
    assert "p = bytearray([i for i in r])\n" in patched("p = bytes([i for i in r])\n", 1, "similar_call")
    assert "fp = open(fp, 'w')\n" in patched("fp = file(fp, 'w')\n", 1, "similar_call")


def test_templates_that_index_a_files_signatures_on_one_context_keep_their_own_index() -> None:
    """The driver runs every template on one context: positional_as_keyword's index of the
    file's signatures (another shape) made pass_missing_argument raise TypeError (s3transfer 4c0d6ff)."""
    src = (
        "def _get(ind, seq, default):\n    return seq[ind]\n\n\n"
        "def get(ind, seq, default=None):\n    return tuple(_get(i, seq) for i in ind)\n"
    )
    ctx = FileContext("m.py", src, ast.parse(src), {})
    for name in ("positional_as_keyword", "pass_missing_argument"):
        list(BY_NAME[name].fn(ctx, 6))
    texts = [apply_splices(src, edit.splices) for edit in BY_NAME["pass_missing_argument"].fn(ctx, 6)]
    assert src.replace("_get(i, seq)", "_get(i, seq, default)") in texts
