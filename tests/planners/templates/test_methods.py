from tests.planners.templates.helpers import dedent, patched


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
