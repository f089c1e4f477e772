"""The tools on top of the store, through the MCP client: PostgreSQL (throwaway database) and SQLite."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from mcp import Client

from aiops_mcp.server.app import create_server
from aiops_mcp.server.config import Settings
from aiops_mcp.server.store import init_db

pytestmark = pytest.mark.anyio
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.mark.postgres
async def test_tools_read_every_row_from_postgres(pg_url: str) -> None:
    import psycopg

    await init_db(pg_url)
    base = NOW - timedelta(minutes=50)
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn, conn.cursor() as cur:
        await cur.executemany(
            "insert into mcp_jobs.job_events (source, level, message, created_at) values (%s, %s, %s, %s)",
            [
                (
                    "sync-worker",
                    "error" if i % 25 == 0 else "info",
                    f"synced batch {i} in {i % 300} ms",
                    base + timedelta(seconds=i),
                )
                for i in range(1500)
            ],
        )
        await cur.executemany(
            "insert into mcp_jobs.dead_letter_queue (job_type, error, resolved, failed_at) values (%s, %s, %s, %s)",
            [("sync", f"connection to pooler failed: timeout after {i} ms", False, base) for i in range(60)]
            + [("sync", "resolved long ago", True, base) for _ in range(15)],
        )
    async with Client(create_server(Settings(offline=True, store=pg_url)), cache=None) as client:
        logs = await client.call_tool("summarize_logs", {"source": "sync-worker", "start": "last 1h"})
        dlq = await client.call_tool("triage_dlq", {"limit": 100})
    assert not logs.is_error and not dlq.is_error, (logs.content, dlq.content)
    assert logs.structured_content["stats"]["lines_in"] == 1500
    items = dlq.structured_content["items"]
    assert len(items) == 60
    assert all("resolved long ago" not in (g["signature"] or "") for g in dlq.structured_content["groups"])


async def test_bad_store_rows_are_reported_not_fatal(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    url = f"sqlite:///{db}"
    await init_db(url)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "insert into dead_letter_queue (id, job_type, error, retry_count, resolved, failed_at) "
            "values ('a1', 'sync', 'HTTP 503 from api', 'three', 0, ?)",
            (NOW.isoformat(),),
        )
        conn.execute(
            "insert into dead_letter_queue (id, job_type, error, retry_count, resolved, failed_at) "
            "values ('a2', 'sync', 'HTTP 503 from api', 1, 0, ?)",
            (NOW.isoformat(),),
        )
    async with Client(create_server(Settings(offline=True, store=url)), cache=None) as client:
        result = await client.call_tool("triage_dlq", {})
    assert not result.is_error, result.content
    data = result.structured_content
    assert {item["id"] for item in data["items"]} <= {"a1", "a2"} and data["items"]
    assert any("retry_count" in p for p in data["meta"]["data_problems"])


async def test_unreachable_store_is_a_clear_tool_error_without_the_password() -> None:
    url = "postgresql://app:hunter2@127.0.0.1:1/jobs"
    async with Client(create_server(Settings(offline=True, store=url)), cache=None) as client:
        result = await client.call_tool("triage_dlq", {})
    text = " ".join(getattr(c, "text", "") for c in result.content)
    assert result.is_error and "127.0.0.1" in text and "hunter2" not in text and "Traceback" not in text


async def test_oversized_window_is_refused_unless_a_sample_is_asked_for(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    await init_db(url, demo=True)
    settings = Settings(offline=True, store=url, limits={"max_store_rows": 1000})
    args = {"start": "last 2d"}
    async with Client(create_server(settings), cache=None) as client:
        refused = await client.call_tool("summarize_logs", args)
        sampled = await client.call_tool("summarize_logs", {**args, "sample": True})
    text = " ".join(getattr(c, "text", "") for c in refused.content)
    assert refused.is_error and "3,000 job_events rows" in text and "sample=true" in text
    assert not sampled.is_error, sampled.content
    data = sampled.structured_content
    assert 0 < data["stats"]["lines_in"] <= 1000
    assert data["summary"].startswith("[sample: ") and "of 3,000 events" in data["summary"]
