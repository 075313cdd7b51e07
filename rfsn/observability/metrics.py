"""The metric families rfsn counts, in one registry of its own.

``serve(port)`` exposes them over HTTP for Prometheus to scrape;
``render()`` returns the text format (written beside session outputs).
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)

REGISTRY = CollectorRegistry(auto_describe=True)

SESSIONS = Counter(
    "rfsn_sessions_total", "Repair sessions by final status", ["status"], registry=REGISTRY
)
PROPOSALS = Counter(
    "rfsn_proposals_total", "Proposals made by planners", ["intent", "phase"], registry=REGISTRY
)
GATE_DECISIONS = Counter(
    "rfsn_gate_decisions_total", "Gate decisions", ["decision", "rule"], registry=REGISTRY
)
TEST_RUNS = Counter(
    "rfsn_test_runs_total", "Test runs by sandbox kind and result", ["sandbox", "result"],
    registry=REGISTRY,
)
TEST_RUN_SECONDS = Histogram(
    "rfsn_test_run_seconds", "Duration of test runs", ["sandbox"], registry=REGISTRY,
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900),
)
SANDBOX_OPERATIONS = Counter(
    "rfsn_sandbox_operations_total", "Sandbox operations", ["kind", "operation", "result"],
    registry=REGISTRY,
)
SANDBOX_OPERATION_SECONDS = Histogram(
    "rfsn_sandbox_operation_seconds", "Duration of sandbox operations", ["kind", "operation"],
    registry=REGISTRY,
)
CANDIDATES = Counter(
    "rfsn_candidates_total", "Patch candidates screened", ["strategy", "result"], registry=REGISTRY
)
LLM_TOKENS = Counter(
    "rfsn_llm_tokens_total", "Model tokens the servers reported", ["model", "kind"], registry=REGISTRY
)
LLM_COST = Counter("rfsn_llm_cost_dollars_total", "Model cost in USD", ["model"], registry=REGISTRY)
LLM_CALLS = Counter("rfsn_llm_calls_total", "Model calls by result", ["model", "status"],
                    registry=REGISTRY)
LLM_SECONDS = Histogram("rfsn_llm_call_seconds", "Model call latency", ["model"], registry=REGISTRY)


def render() -> str:
    return generate_latest(REGISTRY).decode()


def serve(port: int, addr: str = "127.0.0.1") -> None:
    start_http_server(port, addr=addr, registry=REGISTRY)
