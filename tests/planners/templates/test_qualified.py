from tests.planners.templates.helpers import dedent, patched


def test_a_name_is_read_from_the_standard_module_imported_as_setuptools_00de7109_needs():
    src = """
    import io
    import os
    def config():
        data = StringIO()
        return data
    """
    assert patched(src, 4, "qualified_name") == [dedent(src).replace("= StringIO()", "= io.StringIO()")]
    assert patched(src, 5, "qualified_name") == []  # neither module has a `data`


def test_a_module_attribute_is_read_by_the_name_imported_as_toolbelt_3e0fbabf_needs():
    src = """
    from requests import auth
    from requests.auth import AuthBase
    class HTTPBearerAuth(auth.AuthBase):
        pass
    """
    assert dedent(src).replace("(auth.AuthBase)", "(AuthBase)") not in patched(src, 3, "qualified_name")
    plain = src.replace("from requests import auth", "import auth")
    assert dedent(plain).replace("(auth.AuthBase)", "(AuthBase)") in patched(plain, 3, "qualified_name")


def test_a_qualifier_bound_nowhere_is_dropped_for_the_imported_name_as_toolbelt_3e0fbabf_was():
    src = """
    from requests.auth import AuthBase
    class HTTPBearerAuth(auth.AuthBase):
        pass
    """
    assert patched(src, 2, "qualified_name") == [dedent(src).replace("(auth.AuthBase)", "(AuthBase)")]
    bound = """
    from requests.auth import AuthBase
    def make(auth):
        return auth.AuthBase
    """
    assert patched(bound, 3, "qualified_name") == []
