"""triage_dlq offline engine: scorer targets on the development snapshot, and specific behaviours."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aiops_mcp.tools.dlq.engine import triage
from aiops_mcp.tools.dlq.facts import end_of_day_pht
from aiops_mcp.tools.dlq.models import DlqItem, DlqTriage

AS_OF = datetime(2025, 1, 23, 9, 40, tzinfo=UTC)


def _scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("dlq_score", shared / "scorers" / "dlq_score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def test_dev_snapshot_meets_targets(shared_dir: Path) -> None:
    dlq_dir = shared_dir / "data" / "dlq"
    snaps = sorted(p for p in dlq_dir.glob("*.json") if not p.name.endswith(".gold.json"))
    assert snaps
    scorer = _scorer(shared_dir)
    for snap in snaps:
        raw = json.loads(snap.read_text())
        gold = json.loads(snap.with_name(snap.stem + ".gold.json").read_text())
        as_of = datetime.fromisoformat(gold["as_of"].replace("Z", "+00:00"))
        pred = triage([DlqItem.model_validate(r) for r in raw], as_of=as_of)
        s = scorer.score_snapshot(gold, json.loads(pred.model_dump_json()))
        assert s["coverage"] == 1.0 and not s["invalid_items"]
        assert s["grouping_ari"] >= 0.95, s
        assert s["severity_accuracy"] >= 0.90, s
        assert s["action_accuracy"] >= 0.92, s
        assert s["critical_first"] is True


def item(
    i: int, error: str, job_type: str = "sync", payload: dict | None = None, minutes: int = 0
) -> DlqItem:
    return DlqItem(
        id=f"it-{i:03d}",
        job_type=job_type,
        error=error,
        retry_count=3,
        max_retries=3,
        payload=payload or {},
        failed_at=AS_OF - timedelta(hours=2) + timedelta(minutes=minutes),
    )


POOL = [
    'psycopg2.OperationalError: connection to server at "aws-0-ap-southeast-1.pooler.supabase.com" (13.2.8.1), '
    "port 5432 failed: FATAL:  sorry, too many clients already",
    "postgrest.exceptions.APIError: {'message': 'Timed out acquiring connection from connection pool.', 'code': "
    "'PGRST003', 'hint': None, 'details': None}",
    "asyncpg.exceptions.TooManyConnectionsError: remaining connection slots are reserved for non-replication "
    "superuser connections",
]


def _group_of(result: DlqTriage, item_id: str) -> str:
    return next(i.group_id for i in result.items if i.id == item_id)


def test_one_incident_with_three_messages_is_one_group() -> None:
    items = [item(n, POOL[n % 3], minutes=n) for n in range(6)]
    result = triage(items, as_of=AS_OF)
    assert len(result.groups) == 1
    g = result.groups[0]
    assert (g.count, g.action, g.root_cause, g.severity) == (6, "retry", "infra", "medium")


def test_same_sqlstate_with_different_causes_is_split() -> None:
    replay = [
        item(
            n,
            'psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "journal_entries_source_'
            f'ref_key"\nDETAIL:  Key (source_ref)=(xero:inv:{n}) already exists.',
            payload={"idempotency_key": f"xero:inv:{n}", "source_ref": f"xero:inv:{n}"},
        )
        for n in range(3)
    ]
    tin = [
        item(
            10 + n,
            'asyncpg.exceptions.UniqueViolationError: duplicate key value violates unique constraint "vendors_company_'
            f'id_tin_key"\nDETAIL:  Key (company_id, tin)=(c{n}, 123-456-789-00{n}) already exists.',
            payload={
                "company_id": f"c{n}",
                "vendor_name": f"Vendor {n}",
                "tin": f"123-456-789-00{n}",
                "idempotency_key": f"c{n}:vendor-import:{n}",
            },
        )
        for n in range(2)
    ]
    result = triage(replay + tin, as_of=AS_OF)
    assert _group_of(result, "it-000") == _group_of(result, "it-002")
    assert _group_of(result, "it-000") != _group_of(result, "it-010")
    by_id = {i.id: i for i in result.items}
    assert (by_id["it-000"].action, by_id["it-000"].severity) == ("ignore", "low")
    assert (by_id["it-010"].action, by_id["it-010"].root_cause) == ("manual_fix", "data")


def test_deleted_upstream_404_is_ignored() -> None:
    err = "httpx.HTTPStatusError: Client error '410 Gone' for url 'https://api.xero.com/api.xro/2.0/Contacts/abc123'"
    result = triage([item(1, err, payload={"source_event": "contact.deleted"}), item(2, err)], as_of=AS_OF)
    by_id = {i.id: i for i in result.items}
    assert by_id["it-001"].action == "ignore"
    assert by_id["it-002"].action == "manual_fix"


def test_end_of_day_in_philippine_time() -> None:
    eod = end_of_day_pht("2025-01-25")
    assert eod is not None
    assert eod.astimezone(UTC).replace(microsecond=0) == datetime(2025, 1, 25, 15, 59, 59, tzinfo=UTC)


DEADLOCK = "psycopg2.errors.DeadlockDetected: deadlock detected"


@pytest.mark.parametrize(
    ("as_of", "severity"),
    [
        (datetime(2025, 1, 22, 16, 0, tzinfo=UTC), "critical"),  # exactly 72 h before the end of day PHT
        (datetime(2025, 1, 22, 15, 0, tzinfo=UTC), "high"),  # 73 h before: deadline further out
        (datetime(2025, 1, 30, 0, 0, tzinfo=UTC), "critical"),  # overdue
    ],
)
def test_severity_is_deadline_aware(as_of: datetime, severity: str) -> None:
    items = [
        item(n, DEADLOCK, job_type="month_end_close", payload={"deadline": "2025-01-25"}) for n in range(2)
    ]
    result = triage(items, as_of=as_of)
    assert {i.severity for i in result.items} == {severity}


def test_deadline_of_other_job_types_does_not_escalate() -> None:
    items = [item(n, DEADLOCK, job_type="report", payload={"deadline": "2025-01-24"}) for n in range(2)]
    assert {i.severity for i in triage(items, as_of=AS_OF).items} == {"low"}


def test_critical_items_come_first_and_priority_never_increases() -> None:
    items = [item(n, POOL[0], minutes=n) for n in range(6)]
    items += [item(20, "KeyError: 'registered_address'", job_type="discovery", minutes=1)]
    items += [
        item(30 + n, DEADLOCK, job_type="bir_filing", payload={"deadline": "2025-01-24"}, minutes=50)
        for n in range(2)
    ]
    result = triage(items, as_of=AS_OF)
    sev = [i.severity for i in result.items]
    assert sev[:2] == ["critical", "critical"] and "critical" not in sev[2:]
    prios = [i.priority for i in result.items]
    assert prios == sorted(prios, reverse=True)
    assert all(1 <= p <= 10 for p in prios)
    assert {g.id for g in result.groups} == {i.group_id for i in result.items}


def test_auth_failure_blocks_integration_and_is_high() -> None:
    err = (
        "anthropic.AuthenticationError: Error code: 401 - {'type': 'error', 'error': {'type': "
        "'authentication_error', 'message': 'invalid x-api-key'}}"
    )
    result = triage([item(1, err, job_type="report")], as_of=AS_OF)
    assert (result.items[0].severity, result.items[0].action, result.items[0].root_cause) == (
        "high",
        "manual_fix",
        "infra",
    )


def test_corruption_is_critical() -> None:
    err = "psycopg2.errors.DataCorrupted: invalid page in block 4411 of relation base/16384/24576"
    result = triage([item(1, err, job_type="report")], as_of=AS_OF)
    assert result.items[0].severity == "critical"


def test_empty_queue() -> None:
    result = triage([], as_of=AS_OF)
    assert result.items == [] and result.groups == [] and "empty" in result.summary
