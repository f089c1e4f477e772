"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions API, with fault modes.

Behaviour is set per model name: `server.script("m1", "503")`, or a sequence consumed one request at a
time (`server.script("m1", ["503", "ok"])`). Every request body is recorded in `server.requests`.
Modes: ok, 500, 502, 503, 404, 400, 401, 403, 422, 429 (optionally "429:2" = Retry-After 2), hang,
drop (headers then connection cut mid-body), refused (connection closed before any byte),
malformed (200, body not JSON), bad_schema (JSON content that violates the schema), not_json
(content is prose), empty (empty content), refuse_schema (400 for json_schema, ok in JSON mode),
no_choices (200, `choices: []`), not_completion (200, a JSON list), truncated (finish_reason "length"),
content_not_text (200, message content is an object), odd_usage (token counts of the wrong types).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Responder = Callable[[dict[str, Any]], str]


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 resets connections when 32+ requests arrive at once.
    request_queue_size = 256


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.raw_bodies: list[bytes] = []
        self._scripts: dict[str, list[str]] = {}
        self._sticky: dict[str, str] = {}
        self.responder: Responder = lambda body: json.dumps({"ok": True})
        self.hang_s = 30.0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, model: str, modes: str | list[str]) -> None:
        """A string is the mode of every request; a list is consumed in order, then its last mode stays."""
        with self._lock:
            if isinstance(modes, str):
                self._sticky[model] = modes
                self._scripts.pop(model, None)
            else:
                self._scripts[model] = list(modes)
                self._sticky[model] = modes[-1]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.raw_bodies.clear()
            self._scripts.clear()
            self._sticky.clear()

    def calls_for(self, model: str) -> int:
        return sum(1 for r in self.requests if r.get("model") == model)

    def _next_mode(self, model: str) -> str:
        with self._lock:
            queue = self._scripts.get(model)
            if queue:
                return queue.pop(0)
            return self._sticky.get(model, "ok")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Without it every small answer waits for the peer's delayed ACK (~40 ms).
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    body = {}
                body["_received_at"] = time.monotonic()
                with fake._lock:
                    fake.requests.append(body)
                    fake.raw_bodies.append(raw)
                mode = fake._next_mode(str(body.get("model", "")))
                fake._respond(self, mode, body)

        return Handler

    def _respond(self, h: BaseHTTPRequestHandler, mode: str, body: dict[str, Any]) -> None:
        code, _, arg = mode.partition(":")
        if code == "refused":
            h.close_connection = True
            h.connection.close()
            return
        if code == "hang":
            time.sleep(self.hang_s)
            return
        if code == "refuse_schema":
            if (body.get("response_format") or {}).get("type") == "json_schema":
                return self._error(h, 400, "response_format json_schema is not supported by this model")
            code = "ok"
        if code.isdigit():
            headers = {"retry-after": arg} if arg else {}
            return self._error(h, int(code), f"fake status {code}", headers)
        if code == "malformed":
            return self._send(h, 200, b"{this is not json", "application/json")
        if code == "drop":
            h.send_response(200)
            h.send_header("content-type", "application/json")
            h.send_header("content-length", "4096")
            h.end_headers()
            h.wfile.write(b'{"id": "chatcmpl-1", "choices": [{"mess')
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(2)
            return
        if code == "not_completion":
            return self._send(h, 200, b'[{"choices": "none"}]', "application/json")
        if code == "no_choices":
            return self._send(h, 200, b'{"object": "chat.completion", "choices": []}', "application/json")
        if code == "empty":
            content = ""
        elif code == "bad_schema":
            content = json.dumps({"unexpected": "shape", "confidence": "very"})
        elif code == "not_json":
            content = "Sure! Here is my analysis: the job failed."
        else:
            content = self.responder(body)
        payload: dict[str, Any] = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
        }
        if code == "truncated":
            payload["choices"][0]["finish_reason"] = "length"
        elif code == "content_not_text":
            payload["choices"][0]["message"]["content"] = {"verdict": "retry"}
        elif code == "odd_usage":
            payload["usage"] = {"prompt_tokens": "many", "completion_tokens": True}
        self._send(h, 200, json.dumps(payload).encode(), "application/json")

    def _error(
        self, h: BaseHTTPRequestHandler, status: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps({"error": {"message": message, "type": "fake", "code": status}}).encode()
        self._send(h, status, data, "application/json", headers)

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler,
        status: int,
        data: bytes,
        ctype: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        h.send_response(status)
        h.send_header("content-type", ctype)
        h.send_header("content-length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)
