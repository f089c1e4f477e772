"""The PostgreSQL store against the local server: a throwaway database per test, dropped afterwards.

Skips (with the reason) when no PostgreSQL answers; CI starts one. The admin connection comes from
AIOPS_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres (trust auth).
"""

from __future__ import annotations

import itertools
import socket
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import anyio
import pytest

from aiops_mcp.server.store import (
    AuditRecord,
    StoreError,
    WindowTooLarge,
    collect_row_problems,
    init_db,
    open_store,
)
from aiops_mcp.server.store.postgres_store import PostgresStore
from tests.conftest import POSTGRES_ADMIN

pytestmark = [pytest.mark.postgres, pytest.mark.anyio]
NOW = datetime.now(UTC).replace(microsecond=0)


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


async def _connect(url: str):
    import psycopg

    return await psycopg.AsyncConnection.connect(url, autocommit=True)


async def test_rows_inserted_by_any_client_are_read_in_full(pg_url: str) -> None:
    """The issue's acceptance: fresh database, `db init`, 1,500 events and 60 unresolved DLQ rows."""
    from psycopg.types.json import Jsonb

    line = await init_db(pg_url)
    assert "schema mcp_jobs ready" in line
    base = NOW - timedelta(minutes=50)
    conn = await _connect(pg_url)
    async with conn.cursor() as cur:
        await cur.executemany(
            "insert into mcp_jobs.job_events (source, level, message, created_at) values (%s, %s, %s, %s)",
            [
                (
                    "sync-worker",
                    "error" if i % 10 == 0 else "info",
                    f"upserted {i % 7} rows took {i % 250} ms",
                    base + timedelta(seconds=i),
                )
                for i in range(1500)
            ],
        )
        await cur.executemany(
            "insert into mcp_jobs.job_events (source, message, created_at) values (%s, %s, %s)",
            [
                ("bir-worker", "other source", base),
                ("sync-worker", "before the window", NOW - timedelta(hours=2)),
            ],
        )
        await cur.executemany(
            "insert into mcp_jobs.dead_letter_queue (job_type, error, payload, resolved, failed_at) "
            "values (%s, %s, %s, %s, %s)",
            [
                (
                    "sync",
                    "sorry, too many clients already",
                    Jsonb({"i": i}),
                    False,
                    base + timedelta(seconds=i),
                )
                for i in range(60)
            ]
            + [("sync", "old outage", Jsonb({}), True, NOW) for _ in range(20)],
        )
    await conn.close()
    store = open_store(pg_url)
    try:
        start, end = NOW - timedelta(hours=1), NOW
        assert await store.count_job_events("sync-worker", start, end) == 1500
        rows = [r async for r in store.job_events("sync-worker", start, end, max_rows=200_000)]
        assert len(rows) == 1500 and rows[0].message == "upserted 0 rows took 0 ms"
        assert all(a.created_at <= b.created_at for a, b in itertools.pairwise(rows))
        dlq = await store.unresolved_dlq(100)
        assert len(dlq) == 60 and all(not d.resolved and d.error != "old outage" for d in dlq)
        assert dlq[0].payload == {"i": 59} and isinstance(dlq[0].id, str)
        # The same rows again, concurrently: the pool (4 connections) serves 10 callers.
        async with anyio.create_task_group() as tg:
            for _ in range(10):
                tg.start_soon(store.unresolved_dlq, 100)
    finally:
        await store.aclose()


async def test_demo_init_is_idempotent_and_realistic(pg_url: str) -> None:
    first = await init_db(pg_url, demo=True)
    second = await init_db(pg_url, demo=True)
    assert "job_events 3,000 added" in first and "job_events 0 added (3,000 in the sample)" in second
    store = open_store(pg_url)
    try:
        dlq = await store.unresolved_dlq(1000)
        assert len(dlq) >= 30 and not any(d.resolved for d in dlq)
        errors = {d.error.split(":")[0] for d in dlq}
        assert len(errors) >= 4  # several distinct failure causes, some repeated
        job = await store.get_job(dlq[0].job_id or "")
        assert job is not None and job.status == "dead"
        assert await store.get_job(str(uuid.uuid4())) is None
        assert await store.get_job("not-a-uuid") is None
        now = datetime.now(UTC)  # the sample is laid out back from when it was written
        window = (now - timedelta(days=2), now + timedelta(minutes=1))
        rate = await store.metrics(["error_rate", "queue_depth"], *window)
        assert {m.name for m in rate} == {"error_rate", "queue_depth"} and len(rate) == 576
        with pytest.raises(WindowTooLarge):
            _ = [e async for e in store.job_events(None, *window, max_rows=2000)]
        sample = [e async for e in store.job_events(None, *window, max_rows=2000, overflow="sample")]
        assert 0 < len(sample) <= 2000
    finally:
        await store.aclose()


async def test_keyset_pages_keep_every_row_with_equal_times(pg_url: str) -> None:
    await init_db(pg_url)
    conn = await _connect(pg_url)
    stamp = NOW - timedelta(minutes=5)
    async with conn.cursor() as cur:
        await cur.executemany(
            "insert into mcp_jobs.job_events (source, message, created_at) values ('w', %s, %s)",
            [(f"m{i}", stamp) for i in range(1050)],
        )
    await conn.close()
    store = PostgresStore(pg_url, page_size=100)
    try:
        rows = [r async for r in store.job_events("w", NOW - timedelta(hours=1), NOW, max_rows=5000)]
    finally:
        await store.aclose()
    assert len(rows) == 1050 and len({r.id for r in rows}) == 1050
    assert [r.id for r in rows] == sorted(r.id for r in rows)


async def test_audit_trail_write_and_purge(pg_url: str) -> None:
    await init_db(pg_url)
    store = open_store(pg_url)
    rec = AuditRecord(
        time=NOW - timedelta(days=91),
        tool="triage_dlq",
        model="xai/grok-3",
        outcome="ok",
        latency_ms=900.0,
        prompt_tokens=1200,
        completion_tokens=300,
        prompt_hash="h",
        prompt="items for <EMAIL_1>",
        answer="{}",
    )
    try:
        await store.write_audit([rec, rec.model_copy(update={"time": NOW})])
        assert await store.purge_audit(NOW - timedelta(days=90)) == 1
        assert await store.purge_audit(NOW - timedelta(days=90)) == 0
    finally:
        await store.aclose()


async def test_a_read_survives_the_server_dropping_pooled_connections(pg_url: str) -> None:
    await init_db(pg_url)
    store = open_store(pg_url)
    try:
        assert await store.unresolved_dlq(5) == []
        admin = await _connect(POSTGRES_ADMIN)
        name = urlsplit(pg_url).path.lstrip("/")
        await admin.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
            (name,),
        )
        await admin.close()
        assert await store.unresolved_dlq(5) == []
    finally:
        await store.aclose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_faults_name_the_store_and_cause_never_the_password(pg_url: str) -> None:
    parts = urlsplit(pg_url)
    secret = "pw-Secret-9731"
    down = f"postgresql://postgres:{secret}@127.0.0.1:{_free_port()}/x"
    with pytest.raises(StoreError) as err:
        await open_store(down).unresolved_dlq(5)
    text = str(err.value)
    assert secret not in text and "postgres:***@127.0.0.1" in text and "Connection refused" in text
    assert "Traceback" not in text
    missing_db = _with_db(pg_url, "no_such_db_" + uuid.uuid4().hex[:6])
    with pytest.raises(StoreError, match="does not exist"):
        await open_store(missing_db).unresolved_dlq(5)
    # A database without the schema: the message says how to create it.
    store = open_store(urlunsplit(parts))
    try:
        with pytest.raises(StoreError, match="aiops-mcp db init"):
            await store.unresolved_dlq(5)
    finally:
        await store.aclose()


async def test_unexpected_column_types_are_reported(pg_url: str) -> None:
    """A hand-made table whose value column is text: bad values are reported, the rest is read."""
    await init_db(pg_url)
    conn = await _connect(pg_url)
    await conn.execute("alter table mcp_jobs.metrics alter column value type text")
    await conn.execute(
        "insert into mcp_jobs.metrics (name, value, created_at) values "
        "('q', '12.5', now() - interval '1 minute'), ('q', 'n/a', now() - interval '1 minute')"
    )
    await conn.close()
    store = open_store(pg_url)
    try:
        with collect_row_problems() as problems:
            rows = await store.metrics(
                ["q"], NOW - timedelta(hours=1), datetime.now(UTC) + timedelta(minutes=1)
            )
    finally:
        await store.aclose()
    assert [r.value for r in rows] == [12.5]
    assert [(p.column, p.action) for p in problems] == [("value", "skipped")]
