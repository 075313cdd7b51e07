from tests.planners.templates.helpers import dedent, patched

CACHE = """
class Cache:
    def get(self, key, default=None):
        if key in self._data:
            return default
        self._data[key] = default
        return default
"""


def test_return_other_value_in_scope():
    out = patched(CACHE, 4, "return_value")
    assert dedent(CACHE).replace("            return default", "            return self._data[key]") in out
    assert dedent(CACHE).replace("            return default", "            return key") in out


def test_raise_other_exception_type():
    src = "class ParseError(ValueError):\n    pass\n\n\ndef f():\n    raise KeyError('x')\n"
    out = patched(src, 6, "raise_other_exception")
    assert src.replace("raise KeyError", "raise ParseError") in out
    assert src.replace("raise KeyError", "raise ValueError") in out


def test_wrap_bare_reraise_in_project_exception():
    errors = "class GiveUp(Exception):\n    def __init__(self, attempts: int, last: BaseException):\n        pass\n"
    src = dedent("""
        from .errors import GiveUp


        def call(fn, attempts):
            for attempt in range(attempts):
                try:
                    return fn()
                except OSError as exc:
                    if attempt == attempts - 1:
                        raise
        """)
    out = patched(src, 10, "wrap_reraise", files={"errors.py": errors})
    assert src.replace("raise\n", "raise GiveUp(attempt, exc) from exc\n") in out
