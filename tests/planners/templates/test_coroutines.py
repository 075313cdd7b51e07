from tests.planners.templates.helpers import dedent, line_of, patched

SRC = """
class Event:
    async def wait(self):
        return self._event.wait()

    async def set(self):
        await self._lock.acquire()
        self._event.set()
"""


def test_a_coroutine_that_awaits_nothing_made_plain_as_anyio_9817fc60():
    fixed = dedent(SRC).replace("async def wait", "def wait")
    assert patched(SRC, line_of(SRC, "def wait"), "drop_async") == [fixed]


def test_a_coroutine_that_awaits_stays_async():
    assert patched(SRC, line_of(SRC, "def set"), "drop_async") == []
    assert patched(SRC, line_of(SRC, "return self"), "drop_async") == []
