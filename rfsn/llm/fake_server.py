"""A loopback server that speaks the Anthropic Messages API and the OpenAI Chat Completions API.

Replies come from a script, in order; when it runs out, ``default`` answers every
request. Usage is reported the way a real server would: input tokens from the
request's size (a quarter of its characters), output tokens from the reply, never
more than the request's ``max_tokens`` (the text is cut to fit). Every request and
the usage reported are kept, so tests can hold rfsn to what the server billed.

    with FakeLLMServer([Scripted(text="```diff ...```")]) as server:
        server.anthropic_url   # http://127.0.0.1:PORT      (--base-url for --planner anthropic)
        server.openai_url      # http://127.0.0.1:PORT/v1   (--base-url for --planner openai)

``python -m rfsn.llm.fake_server SCRIPT.json [--port N]`` serves a JSON list of replies.
"""

from __future__ import annotations

import argparse
import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Scripted(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = ""
    tool_calls: list[dict[str, Any]] = Field(default_factory=list,
                                             description="{name, arguments} objects")
    status: int = Field(default=200, description="an error status answers with that error")
    input_tokens: int | None = Field(default=None, description="override the reported usage")
    output_tokens: int | None = None


class FakeLLMServer:
    def __init__(self, script: list[Scripted] | None = None, *, default: Scripted | None = None,
                 port: int = 0) -> None:
        self.script = list(script or [])
        self.default = default or Scripted(status=500, text="script exhausted")
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.reported_input = 0
        self.reported_output = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def anthropic_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def reported_tokens(self) -> int:
        return self.reported_input + self.reported_output

    def start(self) -> FakeLLMServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def answer(self, api: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append({"api": api, "body": body})
            self.headers.append(headers)
            reply = self.script.pop(0) if self.script else self.default
            if reply.status != 200:
                return reply.status, _error(api, reply.status, reply.text or "scripted error")
            limit = int(body.get("max_tokens") or body.get("max_completion_tokens") or 4096)
            text = reply.text[: limit * 4]
            prompt = json.dumps([body.get("system", ""), body.get("messages", []), body.get("tools", [])])
            used_in = reply.input_tokens if reply.input_tokens is not None else math.ceil(len(prompt) / 4)
            wanted = len(text) + len(json.dumps(reply.tool_calls)) if reply.tool_calls else len(text)
            used_out = reply.output_tokens if reply.output_tokens is not None else math.ceil(wanted / 4)
            used_out = min(used_out, limit)
            self.reported_input += used_in
            self.reported_output += used_out
        model = str(body.get("model", "fake"))
        if api == "anthropic":
            return 200, _anthropic(model, text, reply.tool_calls, used_in, used_out)
        return 200, _openai(model, text, reply.tool_calls, used_in, used_out)


def _error(api: str, status: int, message: str) -> dict[str, Any]:
    kind = {401: "authentication_error", 400: "invalid_request_error", 429: "rate_limit_error"}.get(
        status, "api_error")
    if api == "anthropic":
        return {"type": "error", "error": {"type": kind, "message": message}}
    return {"error": {"message": message, "type": kind, "code": None, "param": None}}


def _anthropic(model: str, text: str, calls: list[dict[str, Any]], used_in: int,
               used_out: int) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    content += [{"type": "tool_use", "id": f"toolu_{i}", "name": c["name"],
                 "input": c.get("arguments", {})} for i, c in enumerate(calls)]
    return {"id": "msg_fake", "type": "message", "role": "assistant", "model": model,
            "content": content, "stop_reason": "tool_use" if calls else "end_turn",
            "stop_sequence": None, "usage": {"input_tokens": used_in, "output_tokens": used_out}}


def _openai(model: str, text: str, calls: list[dict[str, Any]], used_in: int,
            used_out: int) -> dict[str, Any]:
    tool_calls = [{"id": f"call_{i}", "type": "function", "function": {
        "name": c["name"], "arguments": json.dumps(c.get("arguments", {}))}} for i, c in enumerate(calls)]
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "tool_calls" if calls else "stop"}],
            "usage": {"prompt_tokens": used_in, "completion_tokens": used_out,
                      "total_tokens": used_in + used_out}}


def _handler(server: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            path = self.path.split("?")[0].rstrip("/")
            api = {"/v1/messages": "anthropic", "/v1/chat/completions": "openai"}.get(path)
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            if api is None:
                self._send(404, {"error": {"message": f"no route {path}"}})
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._send(400, _error(api, 400, "body is not JSON"))
                return
            status, payload = server.answer(api, body, {k.lower(): v for k, v in self.headers.items()})
            self._send(status, payload)

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            if status == 429:
                self.send_header("retry-after", "0")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the server keeps its requests in ``server.requests``."""

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("script", type=Path, help="a JSON list of replies (Scripted fields)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    replies = [Scripted.model_validate(r) for r in json.loads(args.script.read_text())]
    server = FakeLLMServer(replies, port=args.port)
    print(f"anthropic {server.anthropic_url}\nopenai {server.openai_url}", flush=True)
    server._httpd.serve_forever()


if __name__ == "__main__":
    main()
