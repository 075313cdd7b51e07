"""A loopback model server with scripted replies, speaking the OpenAI Chat Completions and the
Anthropic Messages APIs: for tests, and for trying the model planners without a key.

    server = FakeServer([Scripted(text="..."), Scripted(status=429), ...]).start()
    server.base_url("openai")      # http://127.0.0.1:PORT/v1
    server.base_url("anthropic")   # http://127.0.0.1:PORT
    server.requests                # every request body received, in order
    server.stop()

Replies are served in order; the last one repeats. A status other than 200
answers with that provider's error body. As a real server does, a reply
reports no more output tokens than the request's ``max_tokens``. Only
127.0.0.1 is ever bound.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Scripted:
    text: str = ""
    status: int = 200
    input_tokens: int = 100
    output_tokens: int = 50


class FakeServer:
    def __init__(self, script: list[Scripted]) -> None:
        self.script = list(script) or [Scripted()]
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
                anthropic = self.path.rstrip("/").endswith("/messages")
                output = min(reply.output_tokens, int(body.get("max_tokens") or reply.output_tokens))
                if reply.status != 200:
                    payload: dict[str, Any] = (
                        {"type": "error", "error": {"type": "api_error", "message": "scripted"}}
                        if anthropic else {"error": {"message": "scripted", "type": "api_error"}})
                elif anthropic:
                    payload = {"id": "msg_1", "type": "message", "role": "assistant",
                               "model": body.get("model", ""), "stop_reason": "end_turn",
                               "content": [{"type": "text", "text": reply.text}],
                               "usage": {"input_tokens": reply.input_tokens,
                                         "output_tokens": output}}
                else:
                    payload = {"id": "chatcmpl-1", "object": "chat.completion", "created": 0,
                               "model": body.get("model", ""),
                               "choices": [{"index": 0, "finish_reason": "stop",
                                            "message": {"role": "assistant", "content": reply.text}}],
                               "usage": {"prompt_tokens": reply.input_tokens,
                                         "completion_tokens": output,
                                         "total_tokens": reply.input_tokens + output}}
                data = json.dumps(payload).encode()
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
