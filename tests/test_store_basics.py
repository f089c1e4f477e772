"""Pure parts of the store: window parsing, URL masking, row coercion, the shipped SQL."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aiops_mcp.server.store import (
    DlqRow,
    EventRow,
    MetricRow,
    StoreError,
    collect_row_problems,
    open_store,
    parse_window,
    schema_sql,
)
from aiops_mcp.server.store.base import sample_slices
from aiops_mcp.server.store.errors import mask_url, scrub
from aiops_mcp.server.store.models import read_row
from aiops_mcp.server.store.schema import SUPABASE_MIGRATION

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("last 1h", None, (NOW - timedelta(hours=1), NOW)),
        ("last 30m", None, (NOW - timedelta(minutes=30), NOW)),
        ("last 2d", "now", (NOW - timedelta(days=2), NOW)),
        ("past 90 minutes", None, (NOW - timedelta(minutes=90), NOW)),
        ("last hour", None, (NOW - timedelta(hours=1), NOW)),
        (
            "last 1h",
            "2026-03-01T08:00:00Z",
            (datetime(2026, 3, 1, 7, tzinfo=UTC), datetime(2026, 3, 1, 8, tzinfo=UTC)),
        ),
        (
            "2026-03-02T09:00:00+08:00",
            "2026-03-02T02:00:00",
            (datetime(2026, 3, 2, 1, tzinfo=UTC), datetime(2026, 3, 2, 2, tzinfo=UTC)),
        ),
    ],
)
def test_parse_window_accepts_iso_and_relative(
    start: str, end: str | None, expected: tuple[datetime, datetime]
) -> None:
    assert parse_window(start, end, now=NOW) == expected


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (None, None, "start is required"),
        ("yesterday", None, "is neither an ISO 8601 time"),
        ("last 3 fortnights", None, "unknown unit 'fortnights'"),
        ("last 0h", None, "empty window"),
        ("2026-03-02T13:00:00Z", None, "is not before end"),
        ("last 1h", "last 2h", "put 'last ...' in start"),
        ("last 99999999999d", None, "reaches before year 1"),
    ],
)
def test_parse_window_explains_bad_input(start: str | None, end: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_window(start, end, now=NOW)


def test_masking_hides_passwords_everywhere() -> None:
    assert mask_url("postgresql://app:s3cr3t@db:5432/jobs?sslmode=require") == (
        "postgresql://app:***@db:5432/jobs?sslmode=require"
    )
    assert "hunter2" not in mask_url("postgres://db/jobs?password=hunter2")
    text = scrub(
        "failed for postgresql://u:pw1234@h/db password=abc123 Bearer eyJhbGciOi.eyJzdWIi.sig", ("pw1234",)
    )
    assert "pw1234" not in text and "abc123" not in text and "eyJ" not in text


def test_open_store_reads_the_url_kinds() -> None:
    assert open_store("sqlite:///rel/jobs.db").label == "sqlite:///rel/jobs.db"
    assert open_store("sqlite:////tmp/jobs.db").label == "sqlite:////tmp/jobs.db"
    assert open_store("postgres://a:b@h/d").label == "postgres://a:***@h/d"
    assert open_store(None).label.endswith("store.sqlite3")
    for bad, message in [
        ("mysql://x", "unknown kind"),
        ("sqlite:/x.db", "sqlite:///path"),
        ("sqlite:///:memory:", "in-memory"),
    ]:
        with pytest.raises(StoreError, match=message):
            open_store(bad)


def test_rows_are_read_leniently_and_problems_reported() -> None:
    raw = {
        "id": "a1",
        "job_type": "sync",
        "error": None,
        "retry_count": "2",
        "max_retries": "lots",
        "payload": '{"company_id": "c1"}',
        "resolved": 0,
        "failed_at": "2026-03-02 10:00:00",
    }
    with collect_row_problems() as problems:
        row = read_row(DlqRow, raw, "dead_letter_queue")
        bad_event = read_row(
            EventRow, {"id": "e1", "source": "w", "message": "m", "created_at": "soon"}, "job_events"
        )
        bad_json = read_row(
            MetricRow, {"id": "m1", "name": "q", "value": 1, "labels": "{nope", "created_at": NOW}, "metrics"
        )
    assert row is not None and row.retry_count == 2 and row.max_retries == 3 and row.error == ""
    assert row.payload == {"company_id": "c1"} and row.failed_at == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert bad_event is None
    assert bad_json is not None and bad_json.labels == {}
    assert [(p.table, p.column, p.action) for p in problems] == [
        ("dead_letter_queue", "max_retries", "defaulted"),
        ("job_events", "created_at", "skipped"),
        ("metrics", "labels", "defaulted"),
    ]
    assert "column max_retries" in str(problems[0]) and "'lots'" in str(problems[0])


def test_sampling_slices_cover_the_window_within_the_budget() -> None:
    slices = sample_slices(NOW - timedelta(hours=10), NOW, 1000)
    assert len(slices) == 20 and slices[0][0] == NOW - timedelta(hours=10) and slices[-1][1] == NOW
    assert sum(n for _, _, n in slices) <= 1000
    assert all(a[1] == b[0] for a, b in itertools.pairwise(slices))


def test_supabase_migration_is_the_same_file_as_the_packaged_sql() -> None:
    migration = (REPO / SUPABASE_MIGRATION).read_text(encoding="utf-8")
    assert migration == schema_sql("postgresql")
    assert list((REPO / "supabase" / "migrations").glob("*.sql")) == [REPO / SUPABASE_MIGRATION]


def test_both_dialects_define_the_same_tables_and_columns() -> None:
    import re

    def columns(sql: str) -> dict[str, list[str]]:
        out = {}
        for name, body in re.findall(
            r"create table if not exists (?:mcp_jobs\.)?(\w+) \((.*?)\n\);", sql, re.S
        ):
            out[name] = [line.split()[0] for line in body.strip().splitlines() if line.strip()]
        return out

    pg, lite = columns(schema_sql("postgresql")), columns(schema_sql("sqlite"))
    lite.pop("store_info")
    assert pg == lite
    assert pg["job_events"] == ["id", "job_id", "source", "level", "message", "data", "created_at"]


def test_iso_z_is_sortable_for_any_year() -> None:
    from aiops_mcp.server.store.base import iso_z

    assert iso_z(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00.000000Z"
    assert iso_z(NOW) == "2026-03-02T12:00:00.000000Z"


def test_demo_sample_is_deterministic_and_shaped_like_the_issue_asks() -> None:
    from collections import Counter

    from aiops_mcp.server.store.demo import JOB_TYPES, sample

    a, b = sample(seed=3, now=NOW), sample(seed=3, now=NOW)
    assert a.tables() == b.tables()
    assert sample(seed=4, now=NOW).events != a.events
    unresolved = [d for d in a.dlq if not d["resolved"]]
    causes = Counter(d["error"].split(":")[0] for d in unresolved)
    assert sum(1 for n in causes.values() if n >= 3) >= 4  # repeated failures, several causes
    assert any("23505" in d["error"] or "duplicate key" in d["error"] for d in unresolved)
    assert {j["job_type"] for j in a.jobs} == set(JOB_TYPES)
    assert len(a.events) >= 2000 and any(e["level"] == "error" for e in a.events)
    assert sum(" ms" in e["message"] for e in a.events) > 500
    assert all(e["created_at"] < NOW for e in a.events)
    depth = [m["value"] for m in a.metrics if m["name"] == "queue_depth"]
    errors = [m["value"] for m in a.metrics if m["name"] == "error_rate"]
    assert depth[-1] > 5 * depth[0] and errors[-1] > 10 * errors[0]
