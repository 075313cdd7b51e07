from tests.planners.templates.helpers import dedent, line_of, patched


def test_a_handler_catches_one_more_builtin_exception_as_click_8b053112_needs():
    src = """
    def width(stream):
        try:
            return stream.fileno()
        except TypeError:
            return None
    """
    out = patched(src, 4, "catch_other_exception")
    assert dedent(src).replace("except TypeError:", "except (AttributeError, TypeError):") in out
    assert dedent(src).replace("except TypeError:", "except (TypeError, AttributeError):") in out
    assert dedent(src).replace("except TypeError:", "except Exception:") in out


def test_an_import_handler_is_widened_as_python_dotenv_78be0f86_needs():
    src = """
    try:
        from IPython.core.magic import Magics
    except ImportError:
        Magics = object
    """
    fixed = dedent(src).replace("except ImportError:", "except (ImportError, AttributeError):")
    assert fixed in patched(src, 3, "catch_other_exception")


def test_a_tuple_caught_and_a_suppress_call_get_one_more_as_aiohttp_8ad118b1_needs():
    src = """
    import contextlib
    def close(loop):
        with contextlib.suppress(LookupError):
            try:
                loop.close()
            except (OSError, KeyError):
                pass
    """
    out = patched(src, 3, "catch_other_exception")
    assert dedent(src).replace("suppress(LookupError)", "suppress(LookupError, ValueError)") in out
    assert not any("suppress(LookupError, LookupError)" in o for o in out)
    widened = patched(src, 6, "catch_other_exception")
    assert dedent(src).replace("(OSError, KeyError)", "(OSError, KeyError, TypeError)") in widened


def test_an_exception_class_derives_from_another_builtin_as_idna_ebefacd3_needs():
    src = """
    class IDNAError(UnicodeError):
        pass
    """
    assert dedent(src).replace("(UnicodeError)", "(Exception)") in patched(src, 1, "catch_other_exception")


def test_nothing_on_a_line_without_a_handler():
    src = """
    def f(x):
        try:
            return int(x)
        except:
            return 0
    """
    assert patched(src, 3, "catch_other_exception") == []
    assert patched(src, 4, "catch_other_exception") == []  # a bare except catches all already


def test_cancelled_error_caught_beside_exception_in_an_asyncio_file_as_aiohttp_032fb571():
    src = """
    import asyncio


    async def _handle(self, request):
        try:
            resp = await self._request_handler(request)
        except Exception as exc:
            resp = self.handle_error(request, 500, exc)
        return resp
    """
    fixed = dedent(src).replace("except Exception as", "except (Exception, asyncio.CancelledError) as")
    assert fixed in patched(src, line_of(src, "except Exception"), "catch_other_exception")
    plain = src.replace("import asyncio", "import os")
    assert fixed.replace("import asyncio", "import os") not in patched(
        plain, line_of(plain, "except"), "catch_other_exception"
    )
