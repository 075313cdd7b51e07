from tests.planners.templates.helpers import dedent, line_of, patched


def test_pairs_read_with_items_as_virtualenv_3f231f2f_fixed_a_comprehension():
    src = """
    def config(self, prefixes):
        return {k: "" if v in prefixes else v for k, v in self.sysconfig_vars}
    """
    assert dedent(src).replace("self.sysconfig_vars}", "self.sysconfig_vars.items()}") in patched(
        src, 2, "append_method"
    )


def test_a_comparison_made_case_blind_as_toolbelt_af5f31ec_fixed_the_mimetype():
    src = """
    def check(mimetype):
        if mimetype.split('/')[0] != 'multipart':
            raise ValueError(mimetype)
    """
    out = patched(src, 2, "append_method")
    assert dedent(src).replace("[0] != 'multipart'", "[0].lower() != 'multipart'") in out
    assert not any(".lower()." in o for o in patched("def f(x):\n    return x.lower() == 'a'\n", 2, "append_method"))


def test_a_path_asked_a_string_question_as_virtualenv_4a13deb8_fixed_the_encoding():
    src = """
    def encoding(template):
        return "utf-8-sig" if template.endswith(".ps1") else "utf-8"
    """
    assert dedent(src).replace("template.endswith", "str(template).endswith") in patched(src, 2, "append_method")


def test_a_stored_collection_copied_as_pillow_6d99f919_fixed_the_rewind():
    src = """
    class Image:
        def rewind(self):
            self.im_info = self.rewind_state["info"]
    """
    out = patched(src, 3, "append_method")
    assert dedent(src).replace('["info"]', '["info"].copy()') in out


def test_python2_attributes_read_by_builtins_as_urllib3_5f6f6451_and_markupsafe_7add29c7():
    src = """
    def read(self, s):
        try:
            return self._read()
        except SocketTimeout as e:
            if not 'timed out' in e.message:
                raise
        if s.__class__ is str:
            return s
    """
    texts = patched(src, 5, "append_method")
    assert dedent(src).replace("in e.message", "in str(e)") in texts
    assert dedent(src).replace("s.__class__", "type(s)") in patched(src, 7, "append_method")
    plain = src.replace("as e:", ":").replace("e.message", "self.message")
    assert not any("str(self)" in t for t in patched(plain, 5, "append_method"))


def test_the_bytes_of_a_standard_call_decoded_as_google_auth_ca8d98ab_and_dc884c08():
    src = """
    def sign(self, message):
        body = {"payload": base64.b64encode(message), "delegates": self._delegates}
        project = subprocess.check_output(
            ['gcloud', 'config', 'get-value']).strip()
        return body, project
    """
    text = dedent(src)
    out = patched(src, line_of(src, "b64encode"), "append_method")
    assert text.replace("b64encode(message)", 'b64encode(message).decode("utf-8")') in out
    out = patched(src, line_of(src, "get-value"), "append_method")
    assert text.replace("]).strip()", ']).decode("utf-8").strip()') in out


def test_bytes_already_decoded_are_left_alone():
    src = """
    def f(m):
        return base64.b64encode(m).decode()
    """
    assert not any(".decode().decode" in o for o in patched(src, 2, "append_method"))


EDITABLE = """
def parse(line, url):
    if line.startswith("--editable"):
        line = line[len("--editable") :].strip()
    url = url.strip().lstrip("=")
    return line, url
"""


def test_append_chained_call_takes_the_step_the_file_takes_after_the_same_method():
    out = patched(EDITABLE, 3, "append_chained_call")
    assert out == [dedent(EDITABLE).replace(".strip()\n", '.strip().lstrip("=")\n')]
    assert patched(EDITABLE, 4, "append_chained_call") == []  # the chain is there already
