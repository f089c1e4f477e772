"""PostgreSQL through psycopg 3 with an async connection pool (imported on first use only).

The pool opens on the first query, not when the server starts. Before opening it, one direct connection
is tried so that a wrong host, database or password is reported with the server's own reason at once,
instead of a pool timeout many seconds later.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from uuid import UUID

import anyio

from .base import PAGE_SIZE, BaseStore
from .errors import StoreError, describe_exception, mask_url, url_secrets
from .models import AuditRecord

if TYPE_CHECKING:
    from psycopg_pool import AsyncConnectionPool

log = logging.getLogger(__name__)

S = "mcp_jobs"
# uuid read as text: callers want str, and psycopg then skips building UUID objects per row.
_EVENT_COLS = "id::text as id, job_id::text as job_id, source, level, message, data, created_at"
_DLQ_COLS = "id, job_id, job_type, error, error_stack, retry_count, max_retries, payload, resolved, created_at, failed_at"
_JOB_COLS = (
    "id, job_type, status, payload, retry_count, max_retries, error, error_stack, created_at, updated_at"
)


class PostgresStore(BaseStore):
    def __init__(
        self,
        url: str,
        *,
        min_size: int = 1,
        max_size: int = 4,
        connect_timeout_s: float = 5.0,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.url = url
        self.label = mask_url(url)
        self._secrets = url_secrets(url)
        self._min, self._max = min_size, max_size
        self._timeout = connect_timeout_s
        self._page_size = page_size
        self._pool: AsyncConnectionPool | None = None
        self._lock = anyio.Lock()
        try:
            host, port = urlsplit(url).hostname or "", urlsplit(url).port
        except ValueError as exc:  # e.g. a port that is not a number
            raise StoreError(self.label, f"invalid URL: {exc}", secrets=self._secrets) from None
        # Supavisor/PgBouncer in transaction mode cannot keep prepared statements across transactions.
        self._no_prepare = port == 6543 or "pooler.supabase.com" in host

    # --- plumbing ---------------------------------------------------------------------------------
    def _error(self, exc: BaseException, what: str) -> StoreError:
        return StoreError(self.label, f"cannot {what}: {_cause(exc)}", secrets=self._secrets)

    async def _probe(self) -> None:
        import psycopg

        try:
            conn = await psycopg.AsyncConnection.connect(self.url, connect_timeout=max(1, int(self._timeout)))
        except psycopg.Error as exc:
            raise self._error(exc, "connect") from None
        await conn.close()

    async def _get_pool(self) -> AsyncConnectionPool:
        async with self._lock:
            if self._pool is None:
                from psycopg.rows import dict_row
                from psycopg_pool import AsyncConnectionPool

                await self._probe()
                kwargs: dict[str, Any] = {"row_factory": dict_row, "autocommit": True}
                if self._no_prepare:
                    kwargs["prepare_threshold"] = None
                pool = AsyncConnectionPool(
                    self.url,
                    min_size=self._min,
                    max_size=self._max,
                    kwargs=kwargs,
                    timeout=self._timeout,
                    open=False,
                    name="aiops-store",
                )
                try:
                    await pool.open(wait=True, timeout=self._timeout)
                except Exception as exc:
                    await pool.close()
                    raise self._error(exc, "open the connection pool") from None
                self._pool = pool
            return self._pool

    async def _fetch(
        self, sql: str, args: tuple[Any, ...] | dict[str, Any] = (), *, what: str
    ) -> list[dict[str, Any]]:
        import psycopg
        from psycopg_pool import PoolTimeout

        pool = await self._get_pool()
        for attempt in range(2):
            conn = None
            try:
                async with pool.connection() as conn, conn.cursor() as cur:
                    await cur.execute(sql, args)
                    return list(await cur.fetchall()) if cur.description else []
            except PoolTimeout as exc:
                # The pool only says "timeout": ask the server directly for the real reason.
                await self._probe()
                raise self._error(exc, what) from None
            except psycopg.OperationalError as exc:
                # A pooled connection the server dropped (restart, pooler failover, idle kill) fails
                # once; the pool discards it, and a read is safe to try again on a fresh one.
                if attempt == 0 and conn is not None and conn.closed:
                    log.info("store: %s: connection lost, retrying the read once", self.label)
                    continue
                raise self._error(exc, what) from None
            except psycopg.Error as exc:
                raise self._error(exc, what) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _execute(self, sql: str, args: Any = (), *, many: bool = False, what: str) -> int:
        import psycopg
        from psycopg_pool import PoolTimeout

        pool = await self._get_pool()
        try:
            async with pool.connection() as conn, conn.cursor() as cur:
                if many:
                    await cur.executemany(sql, args)
                else:
                    await cur.execute(sql, args)
                return cur.rowcount
        except PoolTimeout as exc:
            await self._probe()
            raise self._error(exc, what) from None
        except psycopg.Error as exc:
            raise self._error(exc, what) from None

    # --- primitives -------------------------------------------------------------------------------
    async def _dlq_rows(self, limit: int) -> list[dict[str, Any]]:
        sql = (
            f"select {_DLQ_COLS} from {S}.dead_letter_queue where resolved is not true "
            "order by failed_at desc nulls last, id limit %s"
        )
        return await self._fetch(sql, (limit,), what="read the dead-letter queue")

    async def _job_row(self, job_id: str) -> dict[str, Any] | None:
        try:
            UUID(job_id)
        except ValueError:
            return None  # ids are uuid: anything else cannot match, and must not become an SQL error
        rows = await self._fetch(
            f"select {_JOB_COLS} from {S}.jobs where id = %s", (job_id,), what="read the job"
        )
        return rows[0] if rows else None

    @staticmethod
    def _event_filter(source: str | None) -> str:
        where = "created_at >= %(start)s and created_at < %(end)s"
        return f"source = %(source)s and {where}" if source is not None else where

    async def _count_events(self, source: str | None, start: datetime, end: datetime) -> int:
        sql = f"select count(*) as n from {S}.job_events where {self._event_filter(source)}"
        rows = await self._fetch(sql, {"source": source, "start": start, "end": end}, what="count job events")
        return int(rows[0]["n"])

    async def _event_pages(
        self, source: str | None, start: datetime, end: datetime, limit: int
    ) -> AsyncIterator[list[dict[str, Any]]]:
        base = f"select {_EVENT_COLS} from {S}.job_events where {self._event_filter(source)}"
        args: dict[str, Any] = {"source": source, "start": start, "end": end}
        after = False
        left = limit
        while left > 0:
            args["n"] = min(self._page_size, left)
            # Keyset paging on (created_at, id): each page is an index range read, no growing offset, and
            # no connection is held between pages (a consumer may stop at any time).
            keyset = " and (created_at, id) > (%(after_t)s, %(after_id)s)" if after else ""
            sql = f"{base}{keyset} order by created_at, id limit %(n)s"
            page = await self._fetch(sql, args, what="read job events")
            if not page:
                return
            args["after_t"], args["after_id"] = page[-1]["created_at"], page[-1]["id"]
            after = True
            yield page
            left -= len(page)
            if len(page) < args["n"]:
                return

    async def _metric_rows(
        self, names: list[str], start: datetime, end: datetime, limit: int
    ) -> list[dict[str, Any]]:
        sql = (
            f"select id, name, value, labels, created_at from {S}.metrics where name = any(%s) "
            "and created_at >= %s and created_at < %s order by created_at, id limit %s"
        )
        return await self._fetch(sql, (names, start, end, limit), what="read metrics")

    async def write_audit(self, records: list[AuditRecord]) -> None:
        if not records:
            return
        sql = (
            f"insert into {S}.ai_call_log (created_at, tool, model, outcome, latency_ms, prompt_tokens, "
            "completion_tokens, prompt_hash, prompt, answer) values (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
        )
        rows = [r.row() for r in records]
        await self._execute(sql, rows, many=True, what="write the audit trail")

    async def purge_audit(self, older_than: datetime) -> int:
        return await self._execute(
            f"delete from {S}.ai_call_log where created_at < %s", (older_than,), what="purge the audit trail"
        )

    async def init_schema(self, *, demo: bool = False) -> str:
        """Apply the migration in one transaction; with `demo`, load the sample (fixed ids: no duplicates)."""
        import psycopg

        from .demo import load_postgres, sample
        from .schema import TABLES, _counts, schema_sql

        try:
            conn = await psycopg.AsyncConnection.connect(self.url, connect_timeout=max(1, int(self._timeout)))
        except psycopg.Error as exc:
            raise self._error(exc, "connect") from None
        try:
            async with conn.transaction():
                await conn.execute(schema_sql("postgresql"))
                line = f"{self.label}: schema {S} ready ({', '.join(TABLES)})"
                if demo:
                    counts = await load_postgres(conn, sample())
                    line += "; demo data: " + _counts(counts)
            return line
        except psycopg.Error as exc:
            raise self._error(exc, "initialise the schema") from None
        finally:
            await conn.close()

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


def _cause(exc: BaseException) -> str:
    """psycopg's message without the noise: the first lines carry the reason, the rest repeats it."""
    text = describe_exception(exc)
    if "relation" in text and "does not exist" in text:
        text += " — apply the schema first: `aiops-mcp db init`"
    return text
