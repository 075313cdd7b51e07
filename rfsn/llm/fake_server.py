"""A loopback model server with scripted replies, speaking the OpenAI Chat Completions and the
Anthropic Messages APIs: for tests, and for trying the model planners without a key.

    server = FakeServer([Scripted(text="..."), Scripted(status=429),
                         Scripted(tool_calls=(("replace_in_file", {"path": ...}),)), ...]).start()
    server.base_url("openai")      # http://127.0.0.1:PORT/v1; "anthropic": http://127.0.0.1:PORT
    server.requests                # every request body received, in order
    server.stop()

Replies are served in order, the last one repeating, or a ``responder`` answers from the
request (``KnowsTheAnswer``: the ceiling check; ``Recording``: nothing usable). A status other
than 200 answers with that provider's error body; ``tools=False`` answers a request with tools
with a 400, using up no reply; output never exceeds the request's ``max_tokens``. Only
127.0.0.1 is bound. ``python -m rfsn.llm.fake_server --help`` serves from the shell.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from rfsn.inputs import json_lines, json_value, read_bounded
from rfsn.llm.fake_answers import KnowsTheAnswer, KnowsTheAnswers, Recording, Scripted

NO_TOOLS = "this server does not support tools"


def _error(anthropic: bool, message: str, kind: str = "api_error") -> dict[str, Any]:
    if anthropic:
        return {"type": "error", "error": {"type": kind, "message": message}}
    return {"error": {"message": message, "type": kind}}


def _anthropic(body: dict[str, Any], reply: Scripted, output: int) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": reply.text}] if reply.text else []
    content += [
        {"type": "tool_use", "id": f"toolu_{n}", "name": name, "input": args}
        for n, (name, args) in enumerate(reply.tool_calls)
    ]
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", ""),
        "stop_reason": "tool_use" if reply.tool_calls else "end_turn",
        "content": content,
        "usage": {"input_tokens": reply.input_tokens, "output_tokens": output},
    }


def _openai(body: dict[str, Any], reply: Scripted, output: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{n}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
            for n, (name, args) in enumerate(reply.tool_calls)
        ]
    elif message["content"] is None:
        message["content"] = ""
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", ""),
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
        "usage": {
            "prompt_tokens": reply.input_tokens,
            "completion_tokens": output,
            "total_tokens": reply.input_tokens + output,
        },
    }


class FakeServer:
    def __init__(
        self, script: list[Scripted], tools: bool = True, responder: Callable[[dict[str, Any]], Scripted] | None = None
    ) -> None:
        self.script = list(script) or [Scripted()]
        self.tools = tools
        self.responder = responder
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
            if self.responder is not None:
                return self.responder(body)
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json_value(self.rfile.read(length) or b"{}", "request")
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


def _recorder(record: Path, then: Callable[[dict[str, Any]], Scripted]) -> Callable[[dict[str, Any]], Scripted]:
    """``then``, after appending each request to ``record``."""

    def respond(body: dict[str, Any]) -> Scripted:
        with record.open("a", encoding="utf-8") as out:
            out.write(json.dumps(body) + "\n")
        return then(body)

    return respond


def main(argv: list[str] | None = None) -> None:
    """Serve a model that knows the answer (``--fix`` and ``--test``, or ``--answers``) or one
    that answers nothing usable, on loopback until interrupted: the ceiling check against
    rfsn. ``--record`` keeps every request either way."""
    parser = argparse.ArgumentParser(prog="python -m rfsn.llm.fake_server", description=main.__doc__)
    parser.add_argument("--fix", type=Path, help="the fix, a unified diff")
    parser.add_argument("--test", type=Path, help="a test file that reproduces the problem")
    parser.add_argument("--test-path", help="where that test goes in the repository (default: tests/<name>)")
    parser.add_argument(
        "--answers",
        type=Path,
        help="JSON lines of {problem, fix, test_path, test, "
        "test_again, obsolete (both optional)}: several "
        "instances, told apart by their problem",
    )
    parser.add_argument(
        "--record", type=Path, help="append each request to this JSON-lines file (alone: answer nothing usable)"
    )
    args = parser.parse_args(argv)
    if args.record is None and args.answers is None and (args.fix is None or args.test is None):
        parser.error("give --fix and --test, --answers FILE, or --record FILE")
    for given in (args.fix, args.test, args.answers):
        if given is not None and not given.is_file():
            parser.error(f"no such file: {given}")
    responder: Callable[[dict[str, Any]], Scripted] = Recording()
    if args.answers is not None:
        rows = [row for _, row in json_lines(read_bounded(args.answers), str(args.answers))]
        responder = KnowsTheAnswers(
            tuple(
                (
                    r["problem"],
                    KnowsTheAnswer(
                        r["fix"], (r["test_path"], r["test"]), r.get("test_again", ""), tuple(r.get("obsolete", ()))
                    ),
                )
                for r in rows
            )
        )
    elif args.fix is not None and args.test is not None:
        test = (args.test_path or f"tests/{args.test.name}", args.test.read_text(encoding="utf-8"))
        responder = KnowsTheAnswer(args.fix.read_text(encoding="utf-8"), test)
    if args.record is not None:
        responder = _recorder(args.record, responder)
    with FakeServer([], responder=responder) as server:
        print(f"openai: {server.base_url('openai')}\nanthropic: {server.base_url('anthropic')}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
