"""The metric families rfsn counts, in one registry of its own.

``serving(port)`` exposes them over HTTP for Prometheus to scrape while a
command runs; with worker processes it serves their sum (prometheus-client's
multiprocess mode). ``render()`` returns the text format (written beside
session outputs).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.multiprocess import MultiProcessCollector

from rfsn.errors import ConfigError

#: prometheus-client reads it when a process imports it: set here before workers start
MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

REGISTRY = CollectorRegistry(auto_describe=True)

SESSIONS = Counter("rfsn_sessions_total", "Repair sessions by final status", ["status"], registry=REGISTRY)
PROPOSALS = Counter("rfsn_proposals_total", "Proposals made by planners", ["intent", "phase"], registry=REGISTRY)
GATE_DECISIONS = Counter("rfsn_gate_decisions_total", "Gate decisions", ["decision", "rule"], registry=REGISTRY)
TEST_RUNS = Counter(
    "rfsn_test_runs_total",
    "Test runs by sandbox kind and result",
    ["sandbox", "result"],
    registry=REGISTRY,
)
TEST_RUN_SECONDS = Histogram(
    "rfsn_test_run_seconds",
    "Duration of test runs",
    ["sandbox"],
    registry=REGISTRY,
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900),
)
SANDBOX_OPERATIONS = Counter(
    "rfsn_sandbox_operations_total",
    "Sandbox operations",
    ["kind", "operation", "result"],
    registry=REGISTRY,
)
SANDBOX_OPERATION_SECONDS = Histogram(
    "rfsn_sandbox_operation_seconds",
    "Duration of sandbox operations",
    ["kind", "operation"],
    registry=REGISTRY,
)
CANDIDATES = Counter("rfsn_candidates_total", "Patch candidates screened", ["strategy", "result"], registry=REGISTRY)
LLM_TOKENS = Counter("rfsn_llm_tokens_total", "Model tokens the servers reported", ["model", "kind"], registry=REGISTRY)
LLM_COST = Counter("rfsn_llm_cost_dollars_total", "Model cost in USD", ["model"], registry=REGISTRY)
LLM_CALLS = Counter("rfsn_llm_calls_total", "Model calls by result", ["model", "status"], registry=REGISTRY)
LLM_SECONDS = Histogram("rfsn_llm_call_seconds", "Model call latency", ["model"], registry=REGISTRY)


def render() -> str:
    return generate_latest(REGISTRY).decode()


@contextmanager
def serving(port: int | None, addr: str = "127.0.0.1", *, workers: bool = False) -> Iterator[str | None]:
    """Serve ``/metrics`` on ``addr:port`` while the block runs (nothing if ``port`` is None).

    With ``workers`` (sessions run in spawned processes) the workers count into
    files of a private directory and the endpoint serves their sum. Yields the URL.
    """
    if port is None:
        yield None
        return
    registry, shared = REGISTRY, None
    if workers:
        shared = tempfile.mkdtemp(prefix="rfsn-metrics-")
        os.environ[MULTIPROC_VARIABLE] = shared
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=shared)
    try:
        try:
            server, thread = start_http_server(port, addr=addr, registry=registry)
        except OSError as exc:
            raise ConfigError(f"cannot serve metrics on {addr}:{port}: {exc.strerror or exc}") from exc
        try:
            yield f"http://{addr}:{server.server_port}/metrics"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
    finally:
        if shared is not None:
            os.environ.pop(MULTIPROC_VARIABLE, None)
            shutil.rmtree(shared, ignore_errors=True)
