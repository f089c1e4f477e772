"""The embedded SQLite store: first use, rows written by other clients, windows, faults."""

from __future__ import annotations

import itertools
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aiops_mcp.server.store import (
    AuditRecord,
    StoreError,
    WindowTooLarge,
    collect_row_problems,
    init_db,
    open_store,
)
from aiops_mcp.server.store.sqlite_store import SqliteStore

NOW = datetime.now(UTC).replace(microsecond=0)


def _spell(when: datetime, i: int) -> str:
    """Timestamps as different clients write them: all must land in the same window."""
    forms = (
        when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        when.strftime("%Y-%m-%d %H:%M:%S"),
        when.isoformat(),
        when.astimezone(__import__("datetime").timezone(timedelta(hours=8))).isoformat(),
    )
    return forms[i % len(forms)]


@pytest.mark.anyio
async def test_default_store_is_created_with_demo_data_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    store = open_store(None)
    assert isinstance(store, SqliteStore) and str(store.path).startswith(str(tmp_path))
    assert not store.path.exists()  # opening is free: nothing happens before the first query
    dlq = await store.unresolved_dlq(100)
    assert store.path.exists() and await store.is_demo()
    assert len(dlq) >= 30 and not any(d.resolved for d in dlq)
    assert [d.failed_at for d in dlq] == sorted((d.failed_at for d in dlq), reverse=True)
    assert {d.job_type for d in dlq} >= {"sync", "bir_filing", "report"}
    events = [
        e
        async for e in store.job_events(
            "sync-worker", NOW - timedelta(days=2), NOW + timedelta(minutes=1), max_rows=10_000
        )
    ]
    assert len(events) > 500 and any(e.level == "error" for e in events)
    assert any(" ms" in e.message for e in events)
    depth = await store.metrics(["queue_depth"], NOW - timedelta(days=2), NOW + timedelta(minutes=1))
    assert len(depth) == 288 and depth[-1].value > 3 * depth[0].value  # degrading toward the limit
    job = await store.get_job(dlq[0].job_id or "")
    assert job is not None and job.job_type == dlq[0].job_type


@pytest.mark.anyio
async def test_rows_inserted_by_any_client_are_read_in_full(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/jobs.db"
    line = await init_db(url)
    assert "schema ready" in line
    conn = sqlite3.connect(tmp_path / "jobs.db")
    base = NOW - timedelta(minutes=50)
    conn.executemany(
        "insert into job_events (source, level, message, created_at) values (?, ?, ?, ?)",
        [
            (
                "sync-worker",
                "error" if i % 10 == 0 else "info",
                f"upserted {i % 7} rows took {i % 250} ms",
                _spell(base + timedelta(seconds=i), i),
            )
            for i in range(1500)
        ],
    )
    conn.executemany(  # other sources and times outside the window must not count
        "insert into job_events (source, message, created_at) values (?, ?, ?)",
        [("bir-worker", "x", _spell(base, 0)), ("sync-worker", "old", _spell(NOW - timedelta(hours=3), 1))],
    )
    conn.executemany(
        "insert into dead_letter_queue (job_type, error, payload, resolved, failed_at) values (?, ?, ?, ?, ?)",
        [
            (
                "sync",
                "sorry, too many clients already",
                json.dumps({"i": i}),
                0,
                _spell(base + timedelta(seconds=i), i),
            )
            for i in range(60)
        ]
        + [("sync", "old outage", "{}", 1, _spell(base, 0)) for _ in range(15)],
    )
    conn.commit()
    conn.close()
    store = open_store(url)
    start, end = NOW - timedelta(hours=1), NOW
    assert await store.count_job_events("sync-worker", start, end) == 1500
    rows = [r async for r in store.job_events("sync-worker", start, end, max_rows=200_000)]
    assert len(rows) == 1500 and rows[0].message == "upserted 0 rows took 0 ms"
    assert all(a.created_at <= b.created_at for a, b in itertools.pairwise(rows))
    dlq = await store.unresolved_dlq(100)
    assert len(dlq) == 60 and all(not d.resolved and d.error != "old outage" for d in dlq)
    assert dlq[0].payload == {"i": 59}  # newest failure first


@pytest.mark.anyio
async def test_keyset_pages_never_skip_or_repeat_rows_with_equal_times(tmp_path: Path) -> None:
    path = tmp_path / "same.db"
    await init_db(f"sqlite:///{path}")
    conn = sqlite3.connect(path)
    stamp = (NOW - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    conn.executemany(
        "insert into job_events (id, source, message, created_at) values (?, 'w', 'm', ?)",
        [(f"id-{i:05d}", stamp) for i in range(1050)],
    )
    conn.commit()
    conn.close()
    store = SqliteStore(path, page_size=100)
    ids = [r.id async for r in store.job_events("w", NOW - timedelta(hours=1), NOW, max_rows=5000)]
    assert ids == [f"id-{i:05d}" for i in range(1050)]


@pytest.mark.anyio
async def test_window_over_the_maximum_is_refused_or_sampled(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.db"
    await init_db(url, demo=True)
    store = open_store(url)
    # The demo sample is laid out back from the moment it is written, not from when this module loaded.
    now = datetime.now(UTC)
    start, end = now - timedelta(days=1, hours=1), now + timedelta(minutes=1)
    total = await store.count_job_events(None, start, end)
    assert total == 3000
    with pytest.raises(WindowTooLarge) as err:
        _ = [r async for r in store.job_events(None, start, end, max_rows=1000)]
    assert (
        err.value.total == 3000 and err.value.max_rows == 1000 and "3,000 job_events rows" in str(err.value)
    )
    sample = [r async for r in store.job_events(None, start, end, max_rows=1000, overflow="sample")]
    assert 0 < len(sample) <= 1000
    assert sample[0].created_at < start + timedelta(hours=3)  # the sample spans the window,
    assert sample[-1].created_at > end - timedelta(hours=1)  # not just its first rows
    with pytest.raises(WindowTooLarge, match="more metrics rows than the maximum of 100"):
        await store.metrics(["queue_depth"], start, end, max_rows=100)


@pytest.mark.anyio
async def test_init_demo_twice_adds_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/twice.db"
    first = await init_db(url, demo=True)
    second = await init_db(url, demo=True)
    assert "job_events 3,000 added" in first and "job_events 0 added (3,000 in the sample)" in second


@pytest.mark.anyio
async def test_wrong_column_types_are_reported_not_crashed_on(tmp_path: Path) -> None:
    path = tmp_path / "loose.db"
    await init_db(f"sqlite:///{path}")
    conn = sqlite3.connect(path)
    t = (NOW - timedelta(minutes=1)).isoformat()
    conn.execute(
        "insert into dead_letter_queue (id, job_type, error, retry_count, payload, failed_at) "
        "values ('d1', 'sync', 'boom', 'three', 'not json', ?)",
        (t,),
    )
    conn.execute(
        "insert into dead_letter_queue (id, job_type, error, failed_at) values ('d2', 'sync', 'x', 'never')"
    )
    conn.execute(
        "insert into job_events (id, source, message, created_at, data) values ('e1', 'w', 'ok', ?, '[1,2]')",
        (t,),
    )
    conn.execute("insert into metrics (id, name, value, created_at) values ('m1', 'q', 'n/a', ?)", (t,))
    conn.commit()
    conn.close()
    store = open_store(f"sqlite:///{path}")
    with collect_row_problems() as problems:
        dlq = await store.unresolved_dlq(10)
        events = [e async for e in store.job_events("w", NOW - timedelta(hours=1), NOW, max_rows=10)]
        metrics = await store.metrics(["q"], NOW - timedelta(hours=1), NOW)
    assert [d.id for d in dlq] == ["d1"] and dlq[0].retry_count == 0 and dlq[0].payload == {}
    assert len(events) == 1 and events[0].data == {}
    assert metrics == []
    seen = {(p.table, p.row_id, p.column, p.action) for p in problems}
    assert seen == {
        ("dead_letter_queue", "d1", "retry_count", "defaulted"),
        ("dead_letter_queue", "d1", "payload", "defaulted"),
        ("dead_letter_queue", "d2", "failed_at", "skipped"),
        ("job_events", "e1", "data", "defaulted"),
        ("metrics", "m1", "value", "skipped"),
    }


@pytest.mark.anyio
async def test_audit_records_are_written_and_purged(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    store = open_store(f"sqlite:///{path}")
    rec = AuditRecord(
        time=NOW - timedelta(days=100),
        tool="summarize_logs",
        model="groq/llama-3.1-70b",
        outcome="ok",
        latency_ms=321.0,
        prompt_tokens=1000,
        completion_tokens=80,
        prompt_hash="h1",
        prompt="logs of <EMAIL_1>",
        answer='{"summary": "..."}',
    )
    await store.write_audit([rec, rec.model_copy(update={"time": NOW, "outcome": "timeout"})])
    assert await store.purge_audit(NOW - timedelta(days=90)) == 1
    rows = sqlite3.connect(path).execute("select tool, outcome, prompt from ai_call_log").fetchall()
    assert rows == [("summarize_logs", "timeout", "logs of <EMAIL_1>")]


@pytest.mark.anyio
async def test_unusable_files_give_a_store_error_naming_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    store = open_store(f"sqlite:///{blocker}/jobs.db")
    with pytest.raises(StoreError) as err:
        await store.unresolved_dlq(5)
    assert str(blocker) in str(err.value) and "cannot create the store" in str(err.value)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a database"):
        await open_store(f"sqlite:///{garbage}").unresolved_dlq(5)
