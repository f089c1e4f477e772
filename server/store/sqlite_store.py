"""The embedded store: SQLite through the standard library, each operation in a worker thread.

A short-lived connection per operation keeps it simple and safe across threads and tasks; SQLite opens
in well under a millisecond. The file and its schema are created on first use; the default store (no
URL configured) is also filled with the demo sample then, so a fresh machine has data to look at.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from .base import PAGE_SIZE, BaseStore, iso_z
from .errors import StoreError, describe_exception
from .models import AuditRecord
from .schema import schema_sql

log = logging.getLogger(__name__)
T = TypeVar("T")

_TRUE = "('1', 'true', 't', 'yes', 'y', 'on')"
_EVENT_COLS = "id, job_id, source, level, message, data, created_at"
_DLQ_COLS = "id, job_id, job_type, error, error_stack, retry_count, max_retries, payload, resolved, created_at, failed_at"
_JOB_COLS = (
    "id, job_type, status, payload, retry_count, max_retries, error, error_stack, created_at, updated_at"
)


class SqliteStore(BaseStore):
    def __init__(self, path: Path, *, seed_demo: bool = False, page_size: int = PAGE_SIZE) -> None:
        self.path = path
        self.label = f"sqlite:///{path}"
        self._seed_demo = seed_demo
        self._page_size = page_size
        self._ready = False
        self._lock = anyio.Lock()

    # --- plumbing ---------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10.0)
        conn.row_factory = sqlite3.Row
        return conn

    def _create(self) -> None:
        fresh = not self.path.exists()
        if fresh:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect()
        try:
            # WAL lets the server read while a writer (a worker, the audit trail) holds the file.
            conn.execute("pragma journal_mode=wal")
            conn.executescript(schema_sql("sqlite"))
            if fresh and self._seed_demo:
                from .demo import load_sqlite, sample

                counts = load_sqlite(conn, sample())
                log.info("created the default store %s with demo data: %s", self.path, counts)
            conn.commit()
        finally:
            conn.close()

    async def _run(self, fn: Callable[[sqlite3.Connection], T], *, what: str) -> T:
        async with self._lock:
            if not self._ready:
                await self._thread(lambda: self._create(), what="create the store")
                self._ready = True

        def work() -> T:
            conn = self._connect()
            try:
                result = fn(conn)
                conn.commit()
                return result
            finally:
                conn.close()

        return await self._thread(work, what=what)

    async def _thread(self, fn: Callable[[], T], *, what: str) -> T:
        try:
            return await anyio.to_thread.run_sync(fn)
        except sqlite3.Error as exc:
            raise StoreError(self.label, f"cannot {what}: {describe_exception(exc)}") from None
        except OSError as exc:
            raise StoreError(self.label, f"cannot {what}: {exc.strerror or exc}") from None

    # --- primitives -------------------------------------------------------------------------------
    async def _dlq_rows(self, limit: int) -> list[dict[str, Any]]:
        sql = (
            f"select {_DLQ_COLS} from dead_letter_queue "
            f"where resolved is null or lower(cast(resolved as text)) not in {_TRUE} "
            "order by julianday(failed_at) desc, id limit ?"
        )
        return await self._run(lambda c: _dicts(c.execute(sql, (limit,))), what="read the dead-letter queue")

    async def _job_row(self, job_id: str) -> dict[str, Any] | None:
        sql = f"select {_JOB_COLS} from jobs where id = ?"
        rows = await self._run(lambda c: _dicts(c.execute(sql, (job_id,))), what="read the job")
        return rows[0] if rows else None

    def _event_filter(self, source: str | None) -> str:
        where = "julianday(created_at) >= julianday(?) and julianday(created_at) < julianday(?)"
        return f"source = ? and {where}" if source is not None else where

    async def _count_events(self, source: str | None, start: datetime, end: datetime) -> int:
        sql = f"select count(*) from job_events where {self._event_filter(source)}"
        args = _args(source, start, end)
        return await self._run(lambda c: int(c.execute(sql, args).fetchone()[0]), what="count job events")

    async def _event_pages(
        self, source: str | None, start: datetime, end: datetime, limit: int
    ) -> AsyncIterator[list[dict[str, Any]]]:
        cols = f"select {_EVENT_COLS}, julianday(created_at) as _jd from job_events where "
        src = "source = ? and " if source is not None else ""
        after: tuple[float, str] | None = None
        left = limit
        while left > 0:
            n = min(self._page_size, left)
            args: tuple[Any, ...] = (source,) if source is not None else ()
            if after is None:
                sql = (
                    cols
                    + src
                    + "julianday(created_at) >= julianday(?) and julianday(created_at) < julianday(?)"
                )
                args += (iso_z(start), iso_z(end))
            else:
                # Keyset paging: the last row's own julianday is the one lower bound, so the index range
                # starts there (two lower bounds would let the planner start at the window's beginning).
                sql = (
                    cols
                    + src
                    + (
                        "julianday(created_at) >= ? and julianday(created_at) < julianday(?) "
                        "and (julianday(created_at) > ? or id > ?)"
                    )
                )
                args += (after[0], iso_z(end), after[0], after[1])
            sql += " order by julianday(created_at), id limit ?"
            page = await self._run(
                lambda c, s=sql, a=(*args, n): _dicts(c.execute(s, a)), what="read job events"
            )
            if not page:
                return
            after = (page[-1]["_jd"], str(page[-1]["id"]))
            for row in page:
                del row["_jd"]
            yield page
            left -= len(page)
            if len(page) < n:
                return

    async def _metric_rows(
        self, names: list[str], start: datetime, end: datetime, limit: int
    ) -> list[dict[str, Any]]:
        marks = ",".join("?" for _ in names)
        sql = (
            "select id, name, value, labels, created_at from metrics "
            f"where name in ({marks}) and julianday(created_at) >= julianday(?) "
            "and julianday(created_at) < julianday(?) order by julianday(created_at), id limit ?"
        )
        args = (*names, iso_z(start), iso_z(end), limit)
        return await self._run(lambda c: _dicts(c.execute(sql, args)), what="read metrics")

    async def write_audit(self, records: list[AuditRecord]) -> None:
        if not records:
            return
        sql = (
            "insert into ai_call_log (created_at, tool, model, outcome, latency_ms, prompt_tokens, "
            "completion_tokens, prompt_hash, prompt, answer) values (?,?,?,?,?,?,?,?,?,?)"
        )
        rows = [(iso_z(r.time), *r.row()[1:]) for r in records]
        await self._run(lambda c: c.executemany(sql, rows), what="write the audit trail")

    async def purge_audit(self, older_than: datetime) -> int:
        sql = "delete from ai_call_log where julianday(created_at) < julianday(?)"
        return await self._run(
            lambda c: c.execute(sql, (iso_z(older_than),)).rowcount, what="purge the audit trail"
        )

    async def is_demo(self) -> bool:
        """True when this file was filled with the demo sample (tools can say so next to results)."""
        sql = "select value from store_info where key = 'demo'"
        rows = await self._run(lambda c: c.execute(sql).fetchall(), what="read store info")
        return bool(rows) and rows[0][0] == "1"

    async def aclose(self) -> None:
        return None


def _args(source: str | None, start: datetime, end: datetime) -> tuple[Any, ...]:
    span = (iso_z(start), iso_z(end))
    return (source, *span) if source is not None else span


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    return [dict(row) for row in cursor.fetchall()]


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
