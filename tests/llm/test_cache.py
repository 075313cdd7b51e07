"""The response cache: the same request is paid for once, across sessions and processes."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rfsn.llm.base import Reply
from rfsn.llm.budget import GuardedModel, LLMBudget
from rfsn.llm.cache import ResponseCache
from rfsn.llm.clients import make_model, transient_errors
from rfsn.llm.fake_server import FakeServer, Scripted
from rfsn.llm.record import RECORD, Recorder
from rfsn.observability.metrics import LLM_CALLS
from tests.llm.test_models import ASK, KEY


def session(server: FakeServer, cache: Path, out: Path) -> GuardedModel:
    client = make_model("openai", "cached-model", server.base_url("openai"), KEY)
    return GuardedModel(
        client,
        LLMBudget(max_calls=10),
        Recorder(out / RECORD),
        transient_errors(),
        cache=ResponseCache(cache),
        backoff=0.01,
    )


def test_a_second_session_asking_the_same_is_answered_free(tmp_path: Path) -> None:
    cache = tmp_path / "home" / "llm-cache.sqlite"
    before = LLM_CALLS.labels("cached-model", "cached")._value.get()
    with FakeServer(
        [Scripted(text="one", input_tokens=30, output_tokens=5), Scripted(text="two", input_tokens=30, output_tokens=6)]
    ) as server:
        first = session(server, cache, tmp_path / "s1")
        # the same request twice in a session (two samples): two replies, both paid
        paid = [first.complete(ASK, 100, 0.8).text, first.complete(ASK, 100, 0.8).text]
        second = session(server, cache, tmp_path / "s2")
        free = [second.complete(ASK, 100, 0.8).text, second.complete(ASK, 100, 0.8).text]
    assert paid == free == ["one", "two"] and len(server.requests) == 2
    assert first.budget.totals()["tokens"] == 71
    # counted as calls (and against --max-calls), but no tokens, no cost
    assert second.budget.totals() == {"tokens": 0, "cost": 0.0, "llm_calls": 2, "input_tokens": 0, "output_tokens": 0}
    assert LLM_CALLS.labels("cached-model", "cached")._value.get() == before + 2
    # the session's record still holds both exchanges, marked as answered by the cache
    entries = [json.loads(line) for line in (tmp_path / "s2" / RECORD).read_text().splitlines()]
    assert [(e["reply"]["text"], e["cached"]) for e in entries] == [("one", True), ("two", True)]
    # a replay of the cached session spends what it spent: nothing
    replayed = GuardedModel(
        make_model("openai", "cached-model", server.base_url("openai"), KEY),
        LLMBudget(),
        Recorder(tmp_path / "s3" / RECORD, tmp_path / "s2"),
    )
    assert replayed.complete(ASK, 100, 0.8).text == "one" and replayed.budget.tokens == 0


def test_a_different_request_is_not_answered_from_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "llm-cache.sqlite"
    with FakeServer([Scripted(text="a"), Scripted(text="b")]) as server:
        assert session(server, cache, tmp_path / "s1").complete(ASK, 100, 0.0).text == "a"
        assert session(server, cache, tmp_path / "s2").complete(ASK, 101, 0.0).text == "b"
    assert len(server.requests) == 2


def test_concurrent_workers_share_the_cache_without_locking_errors(tmp_path: Path) -> None:
    """Batch workers write and read the same file at once; sqlite's WAL and busy timeout hold."""
    path = tmp_path / "llm-cache.sqlite"

    def worker(n: int) -> list[str]:
        cache = ResponseCache(path)  # one per worker, as in separate processes
        for i in range(40):
            cache.put(f"k{i}", Reply(text=f"{n}-{i}", input_tokens=1, output_tokens=1))
        reader = ResponseCache(path)
        return [r.text if (r := reader.get(f"k{i}")) else "" for i in range(40)]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(worker, range(4)))
    # every worker reads one answer per key, the one written first, the same for all
    assert all(results[0] == r for r in results) and all(results[0])


def test_the_same_request_to_another_server_is_asked_again(tmp_path: Path) -> None:
    """The cache is scoped by the server: one model name behind two servers is two models."""
    from rfsn.llm.factory import ModelRequest, open_model
    from rfsn.settings import Settings

    settings = Settings(openai_api_key=KEY, home=tmp_path / "home")

    def ask(server: FakeServer, out: str) -> str:
        model = open_model(
            "openai", settings, ModelRequest(model="m", base_url=server.base_url("openai")), out_dir=tmp_path / out
        )
        return model.complete(ASK, 100, 0.0).text

    with FakeServer([Scripted(text="one")]) as first, FakeServer([Scripted(text="two")]) as second:
        answers = [ask(first, "s1"), ask(first, "s2"), ask(second, "s3")]
    assert answers == ["one", "one", "two"]
    assert len(first.requests) == 1 and len(second.requests) == 1
