"""A realistic mcp-jobs sample for the embedded store and `aiops-mcp db init --demo`.

Deterministic for a seed and an anchor time (`now`): the last 24 hours of a small accounting platform
whose connection pooler saturates in the last hours. It holds:
- jobs of the five job types (discovery, sync, report, bir_filing, month_end_close);
- a dead-letter queue with repeated failures: a pooler outage (three surface messages of one cause),
  replays hitting a 23505 duplicate key on their own idempotency key, BIR eFPS 503s near a filing
  deadline, an invalid vendor TIN, a missing column after a deploy, plus older items already resolved;
- a few thousand job events from the workers with "took N ms" latencies that climb with the outage,
  warnings, and errors;
- metrics sampled every 5 minutes: queue_depth degrading toward its limit, error_rate climbing,
  db_connections nearing the pooler's maximum, p95_latency_ms rising.
Ids are uuid5 of the seed and the row's position, so loading twice adds nothing.
"""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .base import iso_z

NAMESPACE = uuid.UUID("6f1c2a9e-3b7d-4e55-9a0c-2d8f4b1e7a10")
JOB_TYPES = ("discovery", "sync", "report", "bir_filing", "month_end_close")
SOURCES = ("sync-worker", "bir-worker", "report-worker", "close-worker", "discovery-worker", "scheduler")
QUEUE_LIMIT = 1000
POOL_MAX = 60


@dataclass
class DemoData:
    now: datetime
    jobs: list[dict[str, Any]] = field(default_factory=list)
    dlq: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "jobs": self.jobs,
            "dead_letter_queue": self.dlq,
            "job_events": self.events,
            "metrics": self.metrics,
        }


def _id(seed: int, kind: str, n: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{seed}:{kind}:{n}"))


def _stack(frames: list[tuple[str, int, str, str]], last: str) -> str:
    lines = ["Traceback (most recent call last):"]
    for path, line, func, code in frames:
        lines += [f'  File "{path}", line {line}, in {func}', f"    {code}"]
    return "\n".join([*lines, last])


_RUNNER = ("/app/mcp_jobs/worker/runner.py", 216, "_execute", "result = await handler.run(job)")


def _tin(rng: random.Random) -> str:
    return "-".join(f"{rng.randrange(1000):03d}" for _ in range(3)) + f"-{rng.randrange(1000):03d}"


# (job_type, error, stack builder, count, minutes-ago range, payload builder) — one entry per failure cause.
def _failures(rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    deadline = (now + timedelta(days=1)).date().isoformat()
    far_deadline = (now + timedelta(days=20)).date().isoformat()
    out: list[dict[str, Any]] = []

    def add(
        job_type: str,
        error: str,
        stack: str,
        minutes_ago: float,
        payload: dict[str, Any],
        retries: int = 3,
        resolved: bool = False,
    ) -> None:
        out.append(
            {
                "job_type": job_type,
                "error": error,
                "error_stack": stack,
                "minutes_ago": minutes_ago,
                "payload": payload,
                "retry_count": retries,
                "max_retries": 3,
                "resolved": resolved,
            }
        )

    pool_errors = [
        "psycopg.OperationalError: connection failed: FATAL:  sorry, too many clients already",
        "postgrest.exceptions.APIError: {'code': 'PGRST003', 'message': 'Timed out acquiring connection from connection pool.'}",
        "psycopg.OperationalError: connection failed: FATAL:  remaining connection slots are reserved for non-replication superuser connections",
    ]
    for i in range(14):
        err = pool_errors[i % 3]
        jt = ("sync", "report", "discovery")[i % 3]
        add(
            jt,
            err,
            _stack(
                [_RUNNER, ("/app/mcp_jobs/db/pool.py", 88, "acquire", "conn = await self._pool.getconn()")],
                err,
            ),
            95 - i * 4.5 + rng.random(),
            {"company_id": _id(7, "company", i % 4), "integration": "xero", "entity": "bank_transactions"},
        )
    for i in range(5):
        key = f"je-{_id(7, 'idem', i)[:8]}"
        err = (
            f"psycopg.errors.UniqueViolation: duplicate key value violates unique constraint "
            f'"journal_entries_source_ref_key"\nDETAIL:  Key (source_ref)=({key}) already exists.'
        )
        add(
            "month_end_close" if i % 2 else "sync",
            err,
            _stack(
                [
                    _RUNNER,
                    ("/app/mcp_jobs/ledger/post.py", 142, "post_entry", "await cur.execute(INSERT_JE, row)"),
                ],
                err,
            ),
            300 - i * 37,
            {
                "company_id": _id(7, "company", i % 4),
                "idempotency_key": key,
                "period": (now - timedelta(days=30)).strftime("%Y-%m"),
            },
            retries=1,
        )
    for i in range(9):
        err = (
            "httpx.HTTPStatusError: Server error '503 Service Unavailable' for url "
            "'https://efps.bir.gov.ph/api/v1/returns/2550Q'"
        )
        add(
            "bir_filing",
            err,
            _stack([_RUNNER, ("/app/mcp_jobs/bir/efps.py", 77, "submit", "resp.raise_for_status()")], err),
            60 - i * 5.5,
            {"company_id": _id(7, "company", i % 5), "form": "2550Q", "deadline": deadline, "quarter": "Q4"},
        )
    for i in range(3):
        tin = _tin(rng)[: 9 + i]  # truncated: neither 9 nor 12 digits
        err = f"ValueError: invalid TIN '{tin}' for vendor {_id(7, 'vendor', i)}: expected 9 or 12 digits"
        add(
            "bir_filing",
            err,
            _stack(
                [_RUNNER, ("/app/mcp_jobs/bir/validate.py", 31, "check_tin", "raise ValueError(msg)")], err
            ),
            700 - i * 90,
            {"company_id": _id(7, "company", i), "form": "1601EQ", "deadline": far_deadline},
            retries=0,
        )
    for i in range(4):
        err = (
            "postgrest.exceptions.APIError: {'code': 'PGRST204', 'message': \"Could not find the "
            "'fx_rate' column of 'journal_lines' in the schema cache\"}"
        )
        add(
            "report",
            err,
            _stack([_RUNNER, ("/app/mcp_jobs/reports/fx.py", 58, "revalue", "await q.execute()")], err),
            400 - i * 60,
            {"company_id": _id(7, "company", i), "report": "fx_revaluation"},
            retries=0,
        )
    for i in range(6):  # last week's outage, already handled: must never show as unresolved
        err = pool_errors[0]
        add(
            "sync",
            err,
            _stack([_RUNNER], err),
            60 * 24 * 6 + i * 7,
            {"company_id": _id(7, "company", i % 4)},
            resolved=True,
        )
    return out


_EVENT_TEMPLATES = {
    "sync-worker": [
        ("info", "job {job} started type=sync integration=xero company={company}"),
        ("info", "fetched {n} bank transactions page={page} cursor={cursor}"),
        ("info", "upserted {n} rows into bank_transactions took {ms} ms"),
        ("info", "job {job} completed in {ms} ms"),
    ],
    "bir-worker": [
        ("info", "job {job} started type=bir_filing form=2550Q company={company}"),
        ("info", "rendered form 2550Q for {company} took {ms} ms"),
        ("info", "submitted return to eFPS reference={ref} took {ms} ms"),
    ],
    "report-worker": [
        ("info", "job {job} started type=report report=trial_balance company={company}"),
        ("info", "query trial_balance took {ms} ms rows={n}"),
        ("info", "job {job} completed in {ms} ms"),
    ],
    "close-worker": [
        ("info", "job {job} started type=month_end_close period={period} company={company}"),
        ("info", "posted {n} accrual entries took {ms} ms"),
    ],
    "discovery-worker": [
        ("info", "job {job} started type=discovery company={company}"),
        ("info", "discovered {n} chart-of-accounts entries took {ms} ms"),
    ],
    "scheduler": [
        ("info", "enqueued {n} jobs queue_depth={depth}"),
        ("debug", "heartbeat workers={workers} queue_depth={depth}"),
    ],
}
_EVENT_ERRORS = {
    "sync-worker": [
        ("error", "job {job} failed: connection failed: FATAL: sorry, too many clients already"),
        ("warning", "slow query took {ms} ms: update bank_transactions set status = $1 where id = $2"),
        (
            "warning",
            "retrying job {job} attempt {attempt}/3 after error: PGRST003 Timed out acquiring connection",
        ),
    ],
    "bir-worker": [
        (
            "error",
            "job {job} failed: Server error '503 Service Unavailable' for url 'https://efps.bir.gov.ph/api/v1/returns/2550Q'",
        ),
        ("warning", "eFPS responded 503, backing off {s} s"),
    ],
    "report-worker": [
        (
            "error",
            "job {job} failed: Could not find the 'fx_rate' column of 'journal_lines' in the schema cache",
        ),
        ("warning", "slow query took {ms} ms: select * from journal_lines where company_id = $1"),
    ],
    "close-worker": [
        (
            "error",
            'job {job} failed: duplicate key value violates unique constraint "journal_entries_source_ref_key"',
        ),
    ],
    "discovery-worker": [("warning", "rate limited by xero, retry after {s} s")],
    "scheduler": [("warning", "queue_depth={depth} above 80% of limit {limit}")],
}
_SOURCE_WEIGHTS = (0.42, 0.16, 0.14, 0.08, 0.08, 0.12)


def _stress(t: float) -> float:
    """0 for most of the day, rising to 1 over the last three hours (t: hours before now)."""
    return max(0.0, min(1.0, (3.0 - t) / 3.0))


def sample(seed: int = 7, now: datetime | None = None, *, events: int = 3000) -> DemoData:
    """The demo data set, anchored at `now` (default: the current minute)."""
    if now is None:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
    rng = random.Random(seed)
    data = DemoData(now=now)
    # Jobs: one per dead-letter item plus ordinary traffic.
    failures = _failures(rng, now)
    for i, f in enumerate(failures):
        failed_at = now - timedelta(minutes=f["minutes_ago"])
        created = failed_at - timedelta(minutes=5 + rng.random() * 30)
        job_id = _id(seed, "job", i)
        data.jobs.append(
            {
                "id": job_id,
                "job_type": f["job_type"],
                "status": "dead",
                "payload": f["payload"],
                "retry_count": f["retry_count"],
                "max_retries": 3,
                "error": f["error"],
                "error_stack": f["error_stack"],
                "created_at": created,
                "updated_at": failed_at,
            }
        )
        data.dlq.append(
            {
                "id": _id(seed, "dlq", i),
                "job_id": job_id,
                "job_type": f["job_type"],
                "error": f["error"],
                "error_stack": f["error_stack"],
                "retry_count": f["retry_count"],
                "max_retries": 3,
                "payload": f["payload"],
                "resolved": f["resolved"],
                "created_at": created,
                "failed_at": failed_at,
            }
        )
    for i in range(120):
        jt = JOB_TYPES[i % len(JOB_TYPES)]
        created = now - timedelta(minutes=rng.uniform(0, 24 * 60))
        status = rng.choices(["completed", "running", "pending", "failed"], [0.8, 0.07, 0.08, 0.05])[0]
        data.jobs.append(
            {
                "id": _id(seed, "job", 1000 + i),
                "job_type": jt,
                "status": status,
                "payload": {"company_id": _id(seed, "company", i % 6)},
                "retry_count": 1 if status == "failed" else 0,
                "max_retries": 3,
                "error": "TimeoutError: read timed out" if status == "failed" else None,
                "error_stack": None,
                "created_at": created,
                "updated_at": created + timedelta(seconds=rng.uniform(1, 600)),
            }
        )
    # Events: spread over 24 h, denser and slower (and more errors) as the pooler saturates.
    job_ids = [j["id"] for j in data.jobs]
    for i in range(events):
        t = 24 * (1 - (i / events) ** 0.8)  # hours before now; later hours get more events
        when = now - timedelta(hours=t) + timedelta(seconds=rng.uniform(-20, 20))
        if when >= now:
            when = now - timedelta(seconds=1 + rng.random())
        stress = _stress(t)
        source = rng.choices(SOURCES, _SOURCE_WEIGHTS)[0]
        err_p = 0.02 + 0.25 * stress
        level, template = (
            rng.choice(_EVENT_ERRORS[source])
            if rng.random() < err_p
            else rng.choice(_EVENT_TEMPLATES[source])
        )
        base_ms = rng.lognormvariate(4.6, 0.5)
        ms = int(base_ms * (1 + 9 * stress))
        depth = int(120 + 820 * stress + rng.uniform(-30, 30))
        message = template.format(
            job=rng.choice(job_ids)[:8],
            company=_id(seed, "company", rng.randrange(6))[:8],
            n=rng.randrange(1, 500),
            page=rng.randrange(1, 40),
            cursor=f"{rng.getrandbits(32):08x}",
            ms=ms,
            ref=f"EFPS-{rng.randrange(10**8):08d}",
            period=(now - timedelta(days=30)).strftime("%Y-%m"),
            depth=depth,
            workers=6,
            limit=QUEUE_LIMIT,
            attempt=rng.randrange(1, 4),
            s=rng.choice((5, 10, 30, 60)),
        )
        data.events.append(
            {
                "id": _id(seed, "event", i),
                "job_id": rng.choice(job_ids),
                "source": source,
                "level": level,
                "message": message,
                "data": {"latency_ms": ms} if "ms" in template else {},
                "created_at": when,
            }
        )
    # Metrics every 5 minutes for 24 h.
    for k in range(24 * 12):
        t = 24 - k / 12
        when = now - timedelta(hours=t)
        stress = _stress(t)
        noise = rng.uniform(-1, 1)
        series = {
            "queue_depth": (120 + 820 * stress**1.5 + 15 * noise, {"queue": "default", "limit": QUEUE_LIMIT}),
            "error_rate": (max(0.0, 0.01 + 0.22 * stress**2 + 0.004 * noise), {"window": "5m"}),
            "db_connections": (min(POOL_MAX, 18 + 40 * stress + 2 * noise), {"max": POOL_MAX}),
            "p95_latency_ms": (240 * (1 + 6 * stress) + 20 * noise, {"route": "worker"}),
        }
        for j, (name, (value, labels)) in enumerate(series.items()):
            data.metrics.append(
                {
                    "id": _id(seed, "metric", k * 10 + j),
                    "name": name,
                    "value": round(value, 4),
                    "labels": labels,
                    "created_at": when,
                }
            )
    return data


_COLUMNS = {
    "jobs": (
        "id",
        "job_type",
        "status",
        "payload",
        "retry_count",
        "max_retries",
        "error",
        "error_stack",
        "created_at",
        "updated_at",
    ),
    "dead_letter_queue": (
        "id",
        "job_id",
        "job_type",
        "error",
        "error_stack",
        "retry_count",
        "max_retries",
        "payload",
        "resolved",
        "created_at",
        "failed_at",
    ),
    "job_events": ("id", "job_id", "source", "level", "message", "data", "created_at"),
    "metrics": ("id", "name", "value", "labels", "created_at"),
}
_JSON = {"payload", "data", "labels"}


def _sqlite_value(column: str, value: Any) -> Any:
    if column in _JSON:
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, bool):
        return int(value)
    return value


def load_sqlite(conn: sqlite3.Connection, data: DemoData) -> dict[str, tuple[int, int]]:
    """Insert the sample (existing ids are kept); returns {table: (added, in the sample)}."""
    counts: dict[str, tuple[int, int]] = {}
    for table, rows in data.tables().items():
        cols = _COLUMNS[table]
        sql = f"insert or ignore into {table} ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})"
        before = conn.total_changes
        conn.executemany(sql, [tuple(_sqlite_value(c, r[c]) for c in cols) for r in rows])
        counts[table] = (conn.total_changes - before, len(rows))
    conn.execute("insert or replace into store_info (key, value) values ('demo', '1')")
    conn.execute(
        "insert or replace into store_info (key, value) values ('demo_anchor', ?)",
        (_sqlite_value("created_at", data.now),),
    )
    return counts


async def load_postgres(conn: Any, data: DemoData) -> dict[str, tuple[int, int]]:
    """Insert the sample into mcp_jobs with psycopg (existing ids are kept)."""
    from psycopg.types.json import Jsonb

    counts: dict[str, tuple[int, int]] = {}
    for table, rows in data.tables().items():
        cols = _COLUMNS[table]
        sql = (
            f"insert into mcp_jobs.{table} ({', '.join(cols)}) values ({', '.join('%s' for _ in cols)}) "
            "on conflict (id) do nothing"
        )
        async with conn.cursor() as cur:
            await cur.execute(f"select count(*) from mcp_jobs.{table}")
            before = (await cur.fetchone())[0]
            await cur.executemany(
                sql, [tuple(Jsonb(r[c]) if c in _JSON else r[c] for c in cols) for r in rows]
            )
            await cur.execute(f"select count(*) from mcp_jobs.{table}")
            after = (await cur.fetchone())[0]
        counts[table] = (after - before, len(rows))
    return counts
