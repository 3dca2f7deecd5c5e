"""Small HTTP servers on 127.0.0.1 that speak provider APIs, for tests.

One server answers the OpenAI, Anthropic and Ollama model-list shapes and the OpenAI
chat API; `mode` picks the behaviour (ok, 401, 429, 500, hang, garbage). Servers run
in daemon threads and are shut down by the fixture that starts them.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OPENAI_MODELS = ["gpt-4o", "gpt-4o-mini", "text-embedding-3-small", "my-finetune-xyz"]
ANTHROPIC_MODELS = ["claude-3-5-sonnet-20241022", "claude-3-5-haiku-20241022"]
OLLAMA_MODELS = ["llama3.1:8b", "qwen2.5:7b"]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeUpstream:
    name: str = "upstream"
    mode: str = "ok"
    expected_key: str | None = None
    hang_seconds: float = 10.0
    reply_text: str | None = None
    # Extra headers on every answer, e.g. the x-litellm-* ones a LiteLLM proxy adds.
    reply_headers: dict[str, str] = field(default_factory=dict)
    # Status of GET /health/<stage> (liveliness, readiness), as a LiteLLM proxy answers it.
    health: Callable[[str], int] = lambda stage: 200
    requests: list[Seen] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeUpstream:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                upstream._handle(self, None)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                upstream._handle(self, body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- behaviour ---------------------------------------------------------

    def _authorised(self, handler: BaseHTTPRequestHandler) -> bool:
        if self.expected_key is None:
            return True
        given = (
            handler.headers.get("x-api-key")
            or handler.headers.get("api-key")
            or (handler.headers.get("authorization") or "").removeprefix("Bearer ")
        )
        return given == self.expected_key

    def _handle(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        self.requests.append(
            Seen(
                handler.command,
                handler.path,
                {k.lower(): v for k, v in handler.headers.items()},
                body,
            )
        )
        path = handler.path.split("?")[0]
        if handler.command == "GET" and path.startswith("/health/"):
            status = self.health(path.removeprefix("/health/"))
            body = {"status": "healthy" if status == 200 else "unhealthy"}
            return self._send(handler, status, body)
        mode = self.mode
        if mode == "hang":
            time.sleep(self.hang_seconds)
            return self._send(handler, 504, {"error": {"message": "too late"}})
        if mode == "401" or not self._authorised(handler):
            return self._send(
                handler, 401, {"error": {"message": "Incorrect API key provided", "type": "auth"}}
            )
        if mode == "429":
            return self._send(
                handler, 429, {"error": {"message": "Rate limit reached", "type": "rate_limit"}}
            )
        if mode == "500":
            return self._send(handler, 500, {"error": {"message": "upstream exploded"}})
        if mode == "garbage":
            return self._send_raw(handler, 200, b"<html>not json</html>", "text/html")
        if handler.command == "GET" and path == "/api/tags":
            return self._send(handler, 200, {"models": [{"name": m} for m in OLLAMA_MODELS]})
        if handler.command == "GET" and path.endswith("/models"):
            if "x-api-key" in {k.lower() for k in handler.headers}:
                data = [{"type": "model", "id": m, "display_name": m} for m in ANTHROPIC_MODELS]
                return self._send(handler, 200, {"data": data, "has_more": False})
            data = [{"id": m, "object": "model", "owned_by": "fake"} for m in OPENAI_MODELS]
            return self._send(handler, 200, {"object": "list", "data": data})
        if handler.command == "POST" and path.endswith("/chat/completions"):
            model = body.get("model", "?") if isinstance(body, dict) else "?"
            text = self.reply_text or f"pong from {self.name}"
            return self._send(handler, 200, _chat_completion(model, text))
        return self._send(handler, 404, {"error": {"message": f"no route {path}"}})

    def _send(self, handler: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
        self._send_raw(handler, status, json.dumps(payload).encode(), "application/json")

    def _send_raw(
        self, handler: BaseHTTPRequestHandler, status: int, data: bytes, ctype: str
    ) -> None:
        try:
            handler.send_response(status)
            handler.send_header("content-type", ctype)
            handler.send_header("content-length", str(len(data)))
            for name, value in self.reply_headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _chat_completion(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
