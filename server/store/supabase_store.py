"""Supabase through the official supabase-py async client (PostgREST), schema mcp_jobs, service-role key.

PostgREST answers at most `max-rows` rows per request (1,000 on Supabase by default) and says nothing
about what it left out unless asked. Every multi-row read here therefore asks for `count=exact` on its
first page and pages with ranges until it has them all, whatever cap the server applies.

The client's own retry (1 s, 2 s, 4 s ... on 503) is turned off: a tool call has a deadline, so the
store retries a gateway error or a dropped connection twice with short pauses, and never a timeout.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

import anyio

from .base import PAGE_SIZE, BaseStore, iso_z
from .errors import StoreError, describe_exception
from .models import AuditRecord

log = logging.getLogger(__name__)
T = TypeVar("T")

SCHEMA = "mcp_jobs"
_EVENT_COLS = "id,job_id,source,level,message,data,created_at"
_DLQ_COLS = (
    "id,job_id,job_type,error,error_stack,retry_count,max_retries,payload,resolved,created_at,failed_at"
)
_JOB_COLS = "id,job_type,status,payload,retry_count,max_retries,error,error_stack,created_at,updated_at"
_RETRY_STATUS = {502, 503, 504, 520}
_RETRY_PAUSES_S = (0.2, 0.6)
_last_status: ContextVar[int | None] = ContextVar("aiops_supabase_status", default=None)


class SupabaseStore(BaseStore):
    def __init__(self, url: str, key: str, *, timeout_s: float = 15.0, page_size: int = PAGE_SIZE) -> None:
        self.url = url.rstrip("/")
        parts = urlsplit(self.url)
        self.label = (
            f"supabase {parts.scheme}://{parts.hostname or '?'}{f':{parts.port}' if parts.port else ''}"
        )
        self._key = key
        self._timeout = timeout_s
        self._page_size = min(page_size, 1000)
        self._pauses = _RETRY_PAUSES_S
        self._client: Any = None
        self._http: Any = None
        self._lock = anyio.Lock()

    # --- plumbing ---------------------------------------------------------------------------------
    async def _db(self) -> Any:
        """The PostgREST client for schema mcp_jobs (created on first use)."""
        async with self._lock:
            if self._client is None:
                import httpx

                from supabase import AsyncClientOptions, acreate_client

                async def remember_status(response: httpx.Response) -> None:
                    _last_status.set(response.status_code)

                self._http = httpx.AsyncClient(
                    timeout=httpx.Timeout(self._timeout, connect=min(self._timeout, 5.0)),
                    event_hooks={"response": [remember_status]},
                )
                options = AsyncClientOptions(
                    schema=SCHEMA, httpx_client=self._http, postgrest_client_retry=False
                )
                try:
                    self._client = await acreate_client(self.url, self._key, options=options)
                except Exception as exc:  # invalid URL or key shape: supabase-py says which
                    await self._http.aclose()
                    self._http = None
                    raise StoreError(
                        self.label,
                        f"cannot create the client: {describe_exception(exc)}",
                        secrets=(self._key,),
                    ) from None
            return self._client.postgrest

    async def _call(self, make: Callable[[Any], Awaitable[T]], *, what: str) -> T:
        import httpx
        from postgrest.exceptions import APIError

        db = await self._db()
        for attempt in range(len(self._pauses) + 1):
            _last_status.set(None)
            try:
                return await make(db)
            except APIError as exc:
                status = _last_status.get()
                if status in _RETRY_STATUS and attempt < len(self._pauses):
                    await anyio.sleep(self._pauses[attempt])
                    continue
                raise self._api_error(exc, status, what) from None
            except httpx.TimeoutException:
                raise StoreError(
                    self.label, f"cannot {what}: no answer within {self._timeout:g} s (timeout)"
                ) from None
            except httpx.TransportError as exc:
                if attempt < len(self._pauses):
                    await anyio.sleep(self._pauses[attempt])
                    continue
                raise StoreError(
                    self.label, f"cannot {what}: {_transport_cause(exc)}", secrets=(self._key,)
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _api_error(self, exc: Any, status: int | None, what: str) -> StoreError:
        parts = [p for p in (exc.code, exc.message) if p and p != str(status)]
        detail = ": ".join(parts) or "no detail"
        hint = ""
        if status in (401, 403):
            hint = " — check SUPABASE_SERVICE_ROLE_KEY (the service-role key, not the anon key)"
        elif exc.code in ("PGRST106", "42P01", "PGRST205") or (
            exc.message and "schema" in exc.message.lower()
        ):
            hint = " — apply the migration (`supabase db push`) and add mcp_jobs to the exposed schemas"
        prefix = f"HTTP {status} " if status else ""
        return StoreError(self.label, f"cannot {what}: {prefix}{detail}{hint}", secrets=(self._key,))

    def _rows(self, resp: Any, what: str) -> list[dict[str, Any]]:
        data = resp.data if resp.data is not None else []
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            shown = str(data)[:80]
            raise StoreError(
                self.label, f"cannot {what}: the server did not answer with JSON rows ({shown!r})"
            )
        return data

    async def _all_rows(
        self, build: Callable[[Any], Any], limit: int, *, what: str
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of `build(db)` (a select with filters and order) until `limit` rows or the end.

        The first page asks for the exact count; the loop then goes on until that many rows were read
        (or a page comes back empty), so a server cap below our page size cannot cut the result short.
        """
        from postgrest.types import CountMethod

        offset = 0
        total: int | None = None
        while offset < limit:
            n = min(self._page_size, limit - offset)
            first = total is None

            async def fetch(db: Any, first: bool = first, offset: int = offset, n: int = n) -> Any:
                q = build(db)(count=CountMethod.exact) if first else build(db)()
                return await q.range(offset, offset + n - 1).execute()

            resp = await self._call(fetch, what=what)
            if first:
                total = resp.count
            page = self._rows(resp, what)
            if not page:
                return
            yield page
            offset += len(page)
            if total is not None and offset >= total:
                return
            if total is None and len(page) < n:
                return  # no count header: a short page is the only end marker left

    # --- primitives -------------------------------------------------------------------------------
    async def _dlq_rows(self, limit: int) -> list[dict[str, Any]]:
        def build(db: Any) -> Callable[..., Any]:
            def q(**kw: Any) -> Any:
                return (
                    db.from_("dead_letter_queue")
                    .select(_DLQ_COLS, **kw)
                    .not_.is_("resolved", "true")
                    .order("failed_at", desc=True)
                    .order("id")
                )

            return q

        rows: list[dict[str, Any]] = []
        async for page in self._all_rows(build, limit, what="read the dead-letter queue"):
            rows += page
        return rows

    async def _job_row(self, job_id: str) -> dict[str, Any] | None:
        try:
            UUID(job_id)
        except ValueError:
            return None

        async def fetch(db: Any) -> Any:
            return await db.from_("jobs").select(_JOB_COLS).eq("id", job_id).limit(1).execute()

        resp = await self._call(fetch, what="read the job")
        rows = self._rows(resp, "read the job")
        return rows[0] if rows else None

    def _events_query(self, source: str | None, start: datetime, end: datetime) -> Callable[[Any], Any]:
        def build(db: Any) -> Callable[..., Any]:
            def q(**kw: Any) -> Any:
                query = db.from_("job_events").select(_EVENT_COLS, **kw)
                if source is not None:
                    query = query.eq("source", source)
                return (
                    query.gte("created_at", iso_z(start))
                    .lt("created_at", iso_z(end))
                    .order("created_at")
                    .order("id")
                )

            return q

        return build

    async def _count_events(self, source: str | None, start: datetime, end: datetime) -> int:
        from postgrest.types import CountMethod

        async def fetch(db: Any) -> Any:
            query = db.from_("job_events").select("id", count=CountMethod.exact, head=True)
            if source is not None:
                query = query.eq("source", source)
            return await query.gte("created_at", iso_z(start)).lt("created_at", iso_z(end)).execute()

        resp = await self._call(fetch, what="count job events")
        if resp.count is None:
            raise StoreError(self.label, "cannot count job events: the server sent no Content-Range count")
        return int(resp.count)

    async def _event_pages(
        self, source: str | None, start: datetime, end: datetime, limit: int
    ) -> AsyncIterator[list[dict[str, Any]]]:
        async for page in self._all_rows(
            self._events_query(source, start, end), limit, what="read job events"
        ):
            yield page

    async def _metric_rows(
        self, names: list[str], start: datetime, end: datetime, limit: int
    ) -> list[dict[str, Any]]:
        def build(db: Any) -> Callable[..., Any]:
            def q(**kw: Any) -> Any:
                return (
                    db.from_("metrics")
                    .select("id,name,value,labels,created_at", **kw)
                    .in_("name", names)
                    .gte("created_at", iso_z(start))
                    .lt("created_at", iso_z(end))
                    .order("created_at")
                    .order("id")
                )

            return q

        rows: list[dict[str, Any]] = []
        async for page in self._all_rows(build, limit, what="read metrics"):
            rows += page
        return rows

    async def write_audit(self, records: list[AuditRecord]) -> None:
        from postgrest.types import ReturnMethod

        rows = [
            {
                "created_at": iso_z(r.time),
                **r.model_dump(mode="json", exclude={"time"}),
            }
            for r in records
        ]
        for i in range(0, len(rows), 500):
            chunk = rows[i : i + 500]

            async def insert(db: Any, chunk: list[dict[str, Any]] = chunk) -> Any:
                return await db.from_("ai_call_log").insert(chunk, returning=ReturnMethod.minimal).execute()

            await self._call(insert, what="write the audit trail")

    async def purge_audit(self, older_than: datetime) -> int:
        from postgrest.types import CountMethod, ReturnMethod

        async def delete(db: Any) -> Any:
            return await (
                db.from_("ai_call_log")
                .delete(count=CountMethod.exact, returning=ReturnMethod.minimal)
                .lt("created_at", iso_z(older_than))
                .execute()
            )

        resp = await self._call(delete, what="purge the audit trail")
        return int(resp.count or 0)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
            self._client = None


def _transport_cause(exc: BaseException) -> str:
    """httpx says "All connection attempts failed"; the OS error underneath says why."""
    text = describe_exception(exc)
    seen: set[int] = set()
    inner: BaseException | None = exc.__cause__ or exc.__context__
    while inner is not None and id(inner) not in seen:
        seen.add(id(inner))
        if isinstance(inner, OSError) and (inner.errno or inner.strerror):
            return f"{text}: {os.strerror(inner.errno) if inner.errno else inner.strerror}"
        inner = inner.__cause__ or inner.__context__
    return text
