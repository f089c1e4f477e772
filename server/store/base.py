"""What the tools need from a job store, and the rules every backend shares (row limits, sampling).

Backends implement the small `_...` primitives; the window rules live here once:
- job events stream page by page in time order, never the whole window in memory;
- a window holding more than `max_rows` rows is refused (`WindowTooLarge`) or, with
  `overflow="sample"`, read as a time-stratified sample: the window is cut into equal slices and the
  first `max_rows // slices` events of each slice are read, so every part of the window is seen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, runtime_checkable

from .errors import WindowTooLarge
from .models import AuditRecord, DlqRow, EventRow, JobRow, MetricRow, read_row

Overflow = Literal["refuse", "sample"]
SAMPLE_SLICES = 20
PAGE_SIZE = 1000


@runtime_checkable
class JobStore(Protocol):
    """The data layer of the tools. Every method raises `StoreError` (never a driver exception)."""

    label: str
    """Kind and location, password masked, e.g. `postgresql://app:***@db:5432/jobs`."""

    async def unresolved_dlq(self, limit: int) -> list[DlqRow]:
        """Unresolved dead-letter items, newest failure first, at most `limit`."""
        ...

    async def get_job(self, job_id: str) -> JobRow | None: ...

    def job_events(
        self,
        source: str | None,
        start: datetime,
        end: datetime,
        *,
        max_rows: int,
        overflow: Overflow = "refuse",
        total: int | None = None,
    ) -> AsyncIterator[EventRow]:
        """Events of `source` (all sources when None) in [start, end), in time order, page by page.

        More than `max_rows` in the window: `WindowTooLarge` on the first iteration ("refuse") or a
        sample of at most `max_rows` ("sample"). `total`: a count the caller already has.
        """
        ...

    async def count_job_events(self, source: str | None, start: datetime, end: datetime) -> int: ...

    async def metrics(
        self, names: list[str], start: datetime, end: datetime, *, max_rows: int = 200_000
    ) -> list[MetricRow]:
        """Points of the named metrics in [start, end), in time order; `WindowTooLarge` past `max_rows`."""
        ...

    async def write_audit(self, records: list[AuditRecord]) -> None: ...

    async def purge_audit(self, older_than: datetime) -> int:
        """Delete audit records older than `older_than`; returns how many."""
        ...

    async def ping(self) -> None:
        """Reach the store and its schema (for `doctor`); raises StoreError with the cause."""
        ...

    async def is_demo(self) -> bool:
        """True when the store holds the demo sample (the embedded default on first use)."""
        ...

    async def aclose(self) -> None: ...


def utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def iso_z(when: datetime) -> str:
    """`2025-01-23T09:40:12.123456Z`: one sortable spelling for SQLite and URL query strings."""
    # isoformat, not strftime: strftime("%Y") drops the leading zeros of years before 1000.
    return utc(when).isoformat(timespec="microseconds").replace("+00:00", "Z")


def check_window(start: datetime, end: datetime, max_rows: int) -> None:
    if utc(start) >= utc(end):
        raise ValueError("empty window: start must be before end")
    if max_rows < 1:
        raise ValueError("max_rows must be at least 1")


class BaseStore:
    """Shared behaviour; a backend supplies the `_` primitives below."""

    label: str = "store"

    # --- primitives -------------------------------------------------------------------------------
    async def _dlq_rows(self, limit: int) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def _job_row(self, job_id: str) -> dict[str, Any] | None:
        raise NotImplementedError

    async def _count_events(self, source: str | None, start: datetime, end: datetime) -> int:
        raise NotImplementedError

    def _event_pages(
        self, source: str | None, start: datetime, end: datetime, limit: int
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Raw rows in time order, at most `limit` in all, one page (<= PAGE_SIZE) at a time."""
        raise NotImplementedError

    async def _metric_rows(
        self, names: list[str], start: datetime, end: datetime, limit: int
    ) -> list[dict[str, Any]]:
        raise NotImplementedError

    # --- public API -------------------------------------------------------------------------------
    async def unresolved_dlq(self, limit: int) -> list[DlqRow]:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        rows = await self._dlq_rows(limit)
        out = [read_row(DlqRow, r, "dead_letter_queue") for r in rows]
        # Rows marked resolved by a loose type (SQLite 'true', 1) are filtered again after coercion.
        return [r for r in out if r is not None and not r.resolved]

    async def get_job(self, job_id: str) -> JobRow | None:
        if not job_id or not job_id.strip():
            raise ValueError("job_id is empty")
        raw = await self._job_row(job_id.strip())
        return None if raw is None else read_row(JobRow, raw, "jobs")

    async def count_job_events(self, source: str | None, start: datetime, end: datetime) -> int:
        return await self._count_events(source, utc(start), utc(end))

    async def job_events(
        self,
        source: str | None,
        start: datetime,
        end: datetime,
        *,
        max_rows: int,
        overflow: Overflow = "refuse",
        total: int | None = None,
    ) -> AsyncIterator[EventRow]:
        check_window(start, end, max_rows)
        start, end = utc(start), utc(end)
        if total is None:
            total = await self._count_events(source, start, end)
        if total <= max_rows:
            slices = [(start, end, max_rows)]
        elif overflow == "refuse":
            raise WindowTooLarge(self.label, table="job_events", total=total, max_rows=max_rows)
        else:
            slices = sample_slices(start, end, max_rows)
        for s0, s1, limit in slices:
            async for page in self._event_pages(source, s0, s1, limit):
                for raw in page:
                    row = read_row(EventRow, raw, "job_events")
                    if row is not None:
                        yield row

    async def metrics(
        self, names: list[str], start: datetime, end: datetime, *, max_rows: int = 200_000
    ) -> list[MetricRow]:
        check_window(start, end, max_rows)
        names = [n for n in dict.fromkeys(names) if n]
        if not names:
            return []
        rows = await self._metric_rows(names, utc(start), utc(end), max_rows + 1)
        if len(rows) > max_rows:
            raise WindowTooLarge(self.label, table="metrics", total=None, max_rows=max_rows)
        out = [read_row(MetricRow, r, "metrics") for r in rows]
        return [r for r in out if r is not None]

    async def ping(self) -> None:
        await self._dlq_rows(1)

    async def is_demo(self) -> bool:
        return False


def sample_slices(start: datetime, end: datetime, max_rows: int) -> list[tuple[datetime, datetime, int]]:
    """Cut [start, end) into equal slices sharing `max_rows` between them (the sampling rule above)."""
    n = max(1, min(SAMPLE_SLICES, max_rows))
    per = max_rows // n
    span = (end - start) / n
    bounds = [start + span * i for i in range(n)] + [end]
    return [(bounds[i], bounds[i + 1], per) for i in range(n) if bounds[i] < bounds[i + 1]]
