from tests.planners.templates.helpers import dedent, line_of, patched


def test_a_regex_class_gains_a_space_and_its_other_case_range():
    src = "import re\nREL_RE = re.compile(r\"rel=([^'>]+)\")\nWORD_RE = re.compile('[a-z]+')\n"
    assert src.replace('r"rel=([^\'>]+)"', '"rel=([^\'> ]+)"') in patched(src, 2, "widen_character_class")
    assert src.replace("'[a-z]+'", "'[a-zA-Z]+'") in patched(src, 3, "widen_character_class")


def test_a_lone_letter_after_a_lookahead_takes_both_cases():
    src = "import re\n\ndef unescape(s):\n    return re.sub('\\\\\\\\(?!u)', '', s)\n"
    assert any("(?![uU])" in out for out in patched(src, 4, "widen_character_class"))


def test_a_string_not_used_as_a_pattern_is_left_alone():
    assert patched("LABEL = '[a-z]'\n", 1, "widen_character_class") == []


def test_literal_of_another_kind():
    src = "def send(sock, flag=False):\n    sock.write('hello', 'upgrade', False)\n"
    out = patched(src, 2, "literal_kind")
    assert dedent(src).replace("'hello'", "b'hello'") in out
    assert dedent(src).replace("'upgrade'", "'Upgrade'") in out
    assert dedent(src).replace("'upgrade', False", "'upgrade', None") in out
    assert patched("def f(x):\n    return f'{x}'\n", 2, "literal_kind") == []


def test_a_pattern_anchored_at_its_end_as_setuptools_32002f38_fixed_the_shebang():
    src = "import re\nfirst_line_re = re.compile(r'^#!.*python(\\s+.*)?')\n"
    assert src.replace("r'^#!.*python(\\s+.*)?'", "'^#!.*python(\\\\s+.*)?$'") in patched(src, 2, "anchor_pattern")


def test_dots_meant_literally_escaped_as_httpx_e63b6594_fixed_ipv4_hostnames():
    src = 'import re\nIPV4_RE = re.compile(r"^[0-9]+.[0-9]+$")\n'
    out = patched(src, 2, "anchor_pattern")
    assert src.replace('r"^[0-9]+.[0-9]+$"', "'^[0-9]+\\\\.[0-9]+$'") in out
    assert all(".*" not in o for o in out)
    assert patched("LABEL = '[0-9]+.x'\n", 1, "anchor_pattern") == []


def test_a_join_separator_replaced_as_anyio_90de64f1_joined_traceback_lines():
    src = "def show(lines):\n    return '\\n'.join(lines)\n"
    out = patched(src, 2, "join_separator")
    assert src.replace("'\\n'.join", "''.join") in out
    src = "def show(extra):\n    return ';'.join(extra)\n"
    assert src.replace("';'", "'; '") in patched(src, 2, "join_separator")


MULTIPART = r"""
def encode(fields, boundary):
    body = ''
    for name, value in fields:
        body += '--%s\r\n' % boundary
        body += 'Content-Disposition: form-data; name="%s"\r\n\r\n' % name
    body += '--%s--\n\r' % boundary
    return body
"""


def test_a_text_ending_its_line_the_wrong_way_ends_it_the_other_way_as_urllib3_d4caff24():
    fixed = dedent(MULTIPART).replace(r"'--%s--\n\r'", r"'--%s--\r\n'")
    out = patched(MULTIPART, line_of(MULTIPART, "--%s--"), "line_ending")
    assert fixed in out and len(out) == 2


def test_texts_without_a_trailing_line_ending_or_that_are_one_are_left_alone():
    assert patched(MULTIPART, line_of(MULTIPART, "body = ''"), "line_ending") == []
    bare = "sep = '\\n'\nraw = r'a\\n'\n"
    assert patched(bare, 1, "line_ending") == [] and patched(bare, 2, "line_ending") == []
