"""`aiops-mcp demo`: start the server over stdio with the SDK client and call every tool on sample data.

The DLQ and the job events come from the embedded SQLite store, filled with the demo sample on first run,
so the tour shows store-backed results on a fresh machine.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio

SAMPLE_FAILURE = {
    "error": "psycopg.errors.UniqueViolation: duplicate key value violates unique constraint "
    '"invoices_vendor_tin_key"\nDETAIL:  Key (vendor_tin)=(123-456-789-000) already exists.',
    "job_type": "sync",
    "retry_count": 1,
}
SAMPLE_PAYLOAD = {
    "source": {"system": "odoo", "model": "account.move", "url": "https://acme.odoo.com"},
    "destination": {"system": "supabase", "table": "invoices"},
    "since": "2025-06-01T00:00:00+08:00",
    "mode": "incremental",
    "contact": "ops@acme.ph",
}
SAMPLE_GRAPH = {
    "nodes": [
        {
            "id": "api",
            "type": "service",
            "name": "api",
            "properties": {
                "env": {"DATABASE_URL": "postgresql://app@db:5432/app", "REDIS_URL": "redis://cache:6379/0"}
            },
        },
        {"id": "db", "type": "service", "name": "db", "properties": {"image": "postgres:16"}},
        {"id": "cache", "type": "service", "name": "cache", "properties": {"image": "redis:7"}},
    ],
    "edges": [],
}
SAMPLE_TEXT = (
    "Connecting with postgresql://etl:hunter2@10.0.4.12:5432/ledger as maria.santos@acme.ph, "
    "TIN 123-456-789-000, token ghp_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8" + ", call +63 917 123 4567"
)


def _series() -> list[dict[str, Any]]:
    start = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    points = []
    for i in range(120):
        value = 200 + (i * 1.5 if i < 80 else 120 + (i - 80) * 40)
        points.append({"timestamp": (start + timedelta(minutes=i)).isoformat(), "value": value})
    return [{"name": "queue_depth", "points": points}]


def _show(title: str, data: dict[str, Any], keys: list[str]) -> None:
    meta = data.get("meta") or {}
    print(f"\n== {title}  [engine: {meta.get('engine', '-')}]")
    for key in keys:
        value = data.get(key)
        if isinstance(value, list):
            print(f"  {key}: {len(value)}")
            for item in value[:4]:
                print("    - " + json.dumps(item, ensure_ascii=False, default=str)[:160])
        elif isinstance(value, dict):
            print(f"  {key}: " + json.dumps(value, ensure_ascii=False)[:200])
        else:
            print(f"  {key}: {value}")


class _WebhookReceiver:
    """A Slack-compatible incoming webhook on 127.0.0.1 that keeps what it receives, for the tour."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                received.append(json.loads(body or b"{}").get("text", ""))
                self.send_response(200)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/aiops"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


async def _tour(store_url: str, webhook: _WebhookReceiver) -> int:
    from mcp import Client, StdioServerParameters

    env = {
        k: v for k, v in os.environ.items() if k.startswith(("AIOPS_", "AI_GATEWAY", "VERCEL", "SUPABASE"))
    }
    env["AIOPS_STORE"] = store_url
    env["AIOPS_SLACK_WEBHOOK_URL"] = webhook.url
    env.setdefault("AIOPS_LOG_LEVEL", "ERROR")
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "aiops_mcp.server.cli", "serve"], env=env
    )
    async with Client(params, cache=None) as client:
        tools = (await client.list_tools()).tools
        print(
            f"connected over stdio ({client.protocol_version}); {len(tools)} tools: "
            + ", ".join(t.name for t in tools)
        )

        async def call(name: str, args: dict[str, Any]) -> dict[str, Any]:
            result = await client.call_tool(name, args)
            if result.is_error:
                text = " ".join(getattr(c, "text", "") for c in result.content)
                print(f"\n== {name}: ERROR {text}")
                return {}
            return result.structured_content or {}

        _show(
            "classify_job (a sync payload)",
            await call("classify_job", {"payload": SAMPLE_PAYLOAD}),
            ["job_type", "confidence", "reason"],
        )
        _show(
            "validate_job_payload",
            await call("validate_job_payload", {"payload": SAMPLE_PAYLOAD, "job_type": "sync"}),
            ["valid", "problems"],
        )
        _show(
            "analyze_failure (duplicate key)",
            await call("analyze_failure", SAMPLE_FAILURE),
            ["should_retry", "category", "root_cause", "suggested_fix"],
        )
        _show(
            "triage_dlq (unresolved rows from the store)",
            await call("triage_dlq", {"limit": 100}),
            ["summary", "groups"],
        )
        _show(
            "summarize_logs (sync-worker events from the store)",
            await call("summarize_logs", {"source": "sync-worker", "start": "2000-01-01T00:00:00Z"}),
            ["summary", "stats", "error_patterns"],
        )
        _show("extract_dependencies", await call("extract_dependencies", SAMPLE_GRAPH), ["edges"])
        _show(
            "predict_incidents (queue depth climbing toward its limit of 2,300)",
            await call("predict_incidents", {"metrics": _series(), "limits": {"queue_depth": 2300}}),
            ["summary", "predictions"],
        )
        _show("redact_text", await call("redact_text", {"text": SAMPLE_TEXT}), ["text", "findings"])
        # Alerts go out in the background; give them a moment before the server stops.
        with anyio.move_on_after(5):
            while len(webhook.received) < 2:
                await anyio.sleep(0.1)
    print(f"\n== alerts received by the local webhook at {webhook.url}: {len(webhook.received)}")
    for text in webhook.received[:4]:
        print("    - " + text.replace("\n", " | ")[:200])
    return 0


def run_demo() -> int:
    from aiops_mcp.server.runtime import default_data_dir
    from aiops_mcp.server.store import init_db

    path = default_data_dir() / "demo.sqlite"
    store_url = f"sqlite:///{path}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(anyio.run(lambda: init_db(store_url, demo=True)))
    print(f"demo store: {path}")
    webhook = _WebhookReceiver()
    try:
        return anyio.run(_tour, store_url, webhook)
    finally:
        webhook.close()
