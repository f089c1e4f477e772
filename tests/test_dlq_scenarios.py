"""triage_dlq on hand-written incidents of the kinds RULES.md describes (no held-out data is used)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiops_mcp.tools.dlq.engine import triage
from aiops_mcp.tools.dlq.models import DlqItem, DlqTriage

AS_OF = datetime(2025, 3, 3, 10, 0, 5, tzinfo=UTC)
_n = 0


def mk(error: str, job_type: str = "sync", **payload) -> DlqItem:
    global _n
    _n += 1
    return DlqItem(
        id=f"s{_n:03d}",
        job_type=job_type,
        error=error,
        retry_count=3,
        max_retries=3,
        payload=payload,
        failed_at=AS_OF - timedelta(minutes=200 - _n),
    )


def groups_of(result: DlqTriage) -> list[set[str]]:
    return [set(g.ids) for g in result.groups]


def labels(result: DlqTriage, item_id: str) -> tuple[str, str, str]:
    it = next(i for i in result.items if i.id == item_id)
    return it.severity, it.action, it.root_cause


SLOWDOWN = (
    "botocore.exceptions.ClientError: An error occurred (SlowDown) when calling the PutObject operation "
    "(reached max retries: 4): Please reduce your request rate."
)
S3_503 = (
    "botocore.exceptions.ClientError: An error occurred (503) when calling the HeadObject operation: "
    "Service Unavailable"
)
UNDEF_COL = (
    'asyncpg.exceptions.UndefinedColumnError: column "vat_exempt_sales" of relation "bir_returns" does '
    "not exist"
)
PGRST204 = (
    "postgrest.exceptions.APIError: {'message': \"Could not find the 'vat_exempt_sales' column of "
    "'bir_returns' in the schema cache\", 'code': 'PGRST204', 'hint': None, 'details': None}"
)
RESPONSE_MODEL = (
    "pydantic_core._pydantic_core.ValidationError: 1 validation error for XeroInvoice\nTaxType\n"
    "  Field required [type=missing, input_value={'InvoiceID': 'x'}, input_type=dict]"
)
HTML_502 = "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)"
BAD_PAYLOAD_JSON = (
    "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 "
    "column 2 (char 1)"
)
BAD_PAYLOAD_STACK = """Traceback (most recent call last):
  File "/app/mcp_jobs/jobs/sync/mapping.py", line 40, in load_mapping
    mapping = json.loads(payload["account_mapping"])
  File "/usr/local/lib/python3.11/json/__init__.py", line 346, in loads
    return _default_decoder.decode(s)
json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"""
OPENAI = [
    "openai.InternalServerError: Error code: 503 - {'error': {'message': 'The server is overloaded or not ready "
    "yet.', 'type': 'server_error'}}",
    "openai.InternalServerError: Error code: 500 - {'error': {'message': 'The server had an error while processing "
    "your request.', 'type': 'server_error'}}",
    "openai.APIConnectionError: Connection error.",
]
CONTEXT = (
    "openai.BadRequestError: Error code: 400 - {'error': {'message': \"This model's maximum context length "
    "is 128000 tokens. However, your messages resulted in 191234 tokens.\", 'type': "
    "'invalid_request_error', 'param': 'messages', 'code': 'context_length_exceeded'}}"
)
TRUNCATED = (
    "openai.LengthFinishReasonError: Could not parse response content as the length limit was reached - "
    "CompletionUsage(completion_tokens=2048, prompt_tokens=9000, total_tokens=11048)"
)


def test_one_dependency_many_symptoms_and_one_migration_two_messages() -> None:
    items = [mk(SLOWDOWN if n % 2 else S3_503, "month_end_close", deadline="2025-03-05") for n in range(6)]
    items += [mk(UNDEF_COL if n % 2 else PGRST204, "bir_filing", deadline="2025-04-15") for n in range(6)]
    result = triage(items, as_of=AS_OF)
    assert groups_of(result) == [{i.id for i in items[:6]}, {i.id for i in items[6:]}]
    assert labels(result, items[0].id) == ("critical", "retry", "external")
    assert labels(result, items[6].id) == (
        "high",
        "redeploy",
        "code",
    )  # S2a: filing job, deadline further out


def test_same_decoding_error_two_causes() -> None:
    upstream = [mk(HTML_502, "discovery", source="sec_registry") for _ in range(5)]
    payload = [mk(BAD_PAYLOAD_JSON, "sync", integration="xero") for _ in range(2)]
    for it in payload:
        it.error_stack = BAD_PAYLOAD_STACK
    result = triage(upstream + payload, as_of=AS_OF)
    assert len(result.groups) == 2
    assert labels(result, upstream[0].id) == ("medium", "retry", "external")
    assert labels(result, payload[0].id) == ("medium", "manual_fix", "data")


def test_response_schema_drift_in_many_items_is_high() -> None:
    items = [mk(RESPONSE_MODEL, "sync", integration="xero") for _ in range(11)]
    result = triage(items, as_of=AS_OF)
    assert len(result.groups) == 1
    assert labels(result, items[0].id) == ("high", "redeploy", "code")  # S2c


def test_provider_outage_vs_request_bugs_of_the_same_provider() -> None:
    outage = [mk(OPENAI[n % 3], "report") for n in range(6)]
    context = [mk(CONTEXT, "bir_filing", deadline="2025-03-01") for _ in range(2)]  # overdue
    truncated = [mk(TRUNCATED, "report") for _ in range(3)]
    result = triage(outage + context + truncated, as_of=AS_OF)
    assert len(result.groups) == 3
    assert labels(result, outage[0].id) == ("medium", "retry", "external")
    assert labels(result, context[0].id) == ("critical", "redeploy", "code")
    assert labels(result, truncated[0].id) == ("medium", "redeploy", "code")
    assert result.items[0].severity == "critical"


def test_already_exists_for_the_jobs_own_resource_is_ignored() -> None:
    err = "google.api_core.exceptions.Conflict: 409 Already Exists: Job acme-finance:asia-southeast1.export_acme_2025_02"
    items = [mk(err, "report", idempotency_key="export_acme_2025_02") for _ in range(3)]
    result = triage(items, as_of=AS_OF)
    assert labels(result, items[0].id) == ("low", "ignore", "data")


def test_auth_and_permission_failures_block_an_integration() -> None:
    revoked = (
        "google.auth.exceptions.RefreshError: ('invalid_grant: Token has been expired or revoked.', "
        "{'error': 'invalid_grant', 'error_description': 'Token has been expired or revoked.'})"
    )
    denied = (
        "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject "
        "operation: User: arn:aws:sts::123456789012:assumed-role/worker/i-0abc is not authorized to perform: "
        's3:PutObject on resource: "arn:aws:s3:::exports-2025/x.pdf"'
    )
    items = [mk(revoked, "discovery", integration="gmail") for _ in range(4)] + [
        mk(denied, "report") for _ in range(3)
    ]
    result = triage(items, as_of=AS_OF)
    assert len(result.groups) == 2
    assert labels(result, items[0].id) == ("high", "manual_fix", "infra")
    assert labels(result, items[4].id) == ("high", "manual_fix", "infra")


def test_replay_detection_ignores_tenant_scoping_columns() -> None:
    journal = (
        'psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "journal_entries_'
        'company_id_source_ref_key"\nDETAIL:  Key (company_id, source_ref)=(c-1, xero:INV-0042) already exists.'
    )
    vendor = (
        'psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "vendors_company_id_'
        'tin_key"\nDETAIL:  Key (company_id, tin)=(c-1, 123-456-789-000) already exists.'
    )
    replays = [mk(journal, "sync", company_id="c-1", idempotency_key="xero:INV-0042") for _ in range(2)]
    clash = [
        mk(
            vendor,
            "sync",
            company_id="c-1",
            tin="123-456-789-000",
            vendor_name="Other Vendor Inc",
            idempotency_key="c-1:vendor-import:77",
        )
        for _ in range(2)
    ]
    result = triage(replays + clash, as_of=AS_OF)
    assert labels(result, replays[0].id)[1] == "ignore"
    assert labels(result, clash[0].id)[1] == "manual_fix"
