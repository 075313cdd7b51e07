from tests.planners.templates.helpers import dedent, line_of, patched

SRC = """
from typing import Optional


class Response:
    def __init__(self, *, status: int = 200,
                 headers: LooseHeaders = None,
                 reason: Optional[str] = None) -> None:
        self.headers = headers
"""


def test_a_parameter_defaulting_to_none_made_optional_as_aiohttp_928402a6():
    texts = patched(SRC, line_of(SRC, "headers: LooseHeaders"), "optional_annotation")
    assert dedent(SRC).replace("headers: LooseHeaders", "headers: Optional[LooseHeaders]") in texts
    assert dedent(SRC).replace("headers: LooseHeaders", "headers: LooseHeaders | None") in texts
    assert patched(SRC, line_of(SRC, "reason:"), "optional_annotation") == []


def test_a_return_annotation_made_optional_when_the_function_returns_none():
    src = """
    import typing as t


    def find(items: list[int], processed: list[int] = None) -> int:
        for item in items:
            if item:
                return item
        return None
    """
    texts = patched(src, line_of(src, "def find"), "optional_annotation")
    assert dedent(src).replace("-> int:", "-> t.Optional[int]:") in texts
    assert dedent(src).replace("list[int] = None", "list[int] | None = None") in texts
    assert len(texts) == 4
