"""A loopback model server with scripted replies, speaking the OpenAI Chat Completions and the
Anthropic Messages APIs: for tests, and for trying the model planners without a key.

    server = FakeServer([Scripted(text="..."), Scripted(status=429),
                         Scripted(tool_calls=(("replace_in_file", {"path": ...}),)), ...]).start()
    server.base_url("openai")      # http://127.0.0.1:PORT/v1
    server.base_url("anthropic")   # http://127.0.0.1:PORT
    server.requests                # every request body received, in order
    server.stop()

Replies are served in order; the last one repeats. A status other than 200
answers with that provider's error body. Tool calls come back as OpenAI
``tool_calls`` or Anthropic ``tool_use`` blocks. ``FakeServer(script,
tools=False)`` is a server that takes no tools: it answers a request that has
any with a 400 saying so, without using up a scripted reply. As a real server does, a reply
reports no more output tokens than the request's ``max_tokens``. Only
127.0.0.1 is ever bound.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

NO_TOOLS = "this server does not support tools"


@dataclass(frozen=True)
class Scripted:
    text: str = ""
    status: int = 200
    input_tokens: int = 100
    output_tokens: int = 50
    #: (tool name, arguments) of each tool call in the reply
    tool_calls: tuple[tuple[str, dict[str, Any]], ...] = ()
    #: seconds the server works before it answers (a client timeout abandons the request,
    #: which the server still counts)
    delay: float = 0.0


def _error(anthropic: bool, message: str, kind: str = "api_error") -> dict[str, Any]:
    if anthropic:
        return {"type": "error", "error": {"type": kind, "message": message}}
    return {"error": {"message": message, "type": kind}}


def _anthropic(body: dict[str, Any], reply: Scripted, output: int) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": reply.text}] if reply.text else []
    content += [{"type": "tool_use", "id": f"toolu_{n}", "name": name, "input": args}
                for n, (name, args) in enumerate(reply.tool_calls)]
    return {"id": "msg_1", "type": "message", "role": "assistant", "model": body.get("model", ""),
            "stop_reason": "tool_use" if reply.tool_calls else "end_turn", "content": content,
            "usage": {"input_tokens": reply.input_tokens, "output_tokens": output}}


def _openai(body: dict[str, Any], reply: Scripted, output: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{n}", "type": "function",
             "function": {"name": name, "arguments": json.dumps(args)}}
            for n, (name, args) in enumerate(reply.tool_calls)]
    elif message["content"] is None:
        message["content"] = ""
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 0,
            "model": body.get("model", ""),
            "choices": [{"index": 0, "message": message,
                         "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
            "usage": {"prompt_tokens": reply.input_tokens, "completion_tokens": output,
                      "total_tokens": reply.input_tokens + output}}


class FakeServer:
    def __init__(self, script: list[Scripted], tools: bool = True) -> None:
        self.script = list(script) or [Scripted()]
        self.tools = tools
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def base_url(self, provider: str) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}" + ("/v1" if provider == "openai" else "")

    def _next(self, body: dict[str, Any], headers: dict[str, str]) -> Scripted:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            if body.get("tools") and not self.tools:
                return Scripted(status=400, text=NO_TOOLS)
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                reply = server._next(body, dict(self.headers))
                time.sleep(reply.delay)
                anthropic = self.path.rstrip("/").endswith("/messages")
                output = min(reply.output_tokens, int(body.get("max_tokens") or reply.output_tokens))
                if reply.status != 200:  # an error's text is its message
                    payload = _error(anthropic, reply.text or "scripted")
                else:
                    payload = (_anthropic if anthropic else _openai)(body, reply, output)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout): the work is done all the same

        return Handler
