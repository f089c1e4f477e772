"""analyze_failure offline engine: scorer targets on the development cases, and specific behaviours."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from aiops_mcp.tools.failures.engine import analyze_failure
from aiops_mcp.tools.failures.models import FailureInput
from aiops_mcp.tools.failures.parse import parse, retry_after
from aiops_mcp.tools.failures.signature import signature


def run(error: str, stack: str | None = None, retry_count: int = 0, max_retries: int = 3, **kw):
    return analyze_failure(
        FailureInput(error=error, error_stack=stack, retry_count=retry_count, max_retries=max_retries, **kw)
    )


def _scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("failure_score", shared / "scorers" / "failure_score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def test_dev_cases_meet_targets(shared_dir: Path) -> None:
    cases_path = shared_dir / "data" / "failures" / "dev_subset.jsonl"
    cases = [json.loads(line) for line in cases_path.read_text().splitlines() if line.strip()]
    preds = {}
    for c in cases:
        out = run(
            c["error"], c["error_stack"] or None, c["retry_count"], c["max_retries"], job_type=c["job_type"]
        )
        preds[c["id"]] = {
            "category": out.category,
            "should_retry": out.should_retry,
            "root_cause": out.root_cause,
        }
    s = _scorer(shared_dir).score(cases, preds)
    assert s["category_accuracy"] >= 0.93
    assert s["should_retry_accuracy"] >= 0.95
    assert s["root_cause_accuracy"] >= 0.85
    assert s["retries"]["unnecessary_retry_reduction_pct"] >= 80.0
    assert s["retries"]["lost_retries"]["rate"] <= 0.05


PY_CHAIN = """Traceback (most recent call last):
  File "/usr/local/lib/python3.11/site-packages/urllib3/connection.py", line 203, in _new_conn
    sock = connection.create_connection(
socket.gaierror: [Errno -2] Name or service not known

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/app/mcp_jobs/jobs/sync/xero.py", line 88, in pull_invoices
    resp = session.get(url)
  File "/usr/local/lib/python3.11/site-packages/requests/adapters.py", line 519, in send
    raise ConnectionError(e, request=request)
requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.xero.cmo', port=443): Max retries exceeded
"""


def test_python_chain_reads_the_root_cause_not_the_wrapper() -> None:
    p = parse("requests.exceptions.ConnectionError: HTTPSConnectionPool(...)", PY_CHAIN)
    assert p.outer is not None and p.outer.name == "requests.exceptions.ConnectionError"
    assert p.root is not None and p.root.name == "socket.gaierror"
    assert p.app_frame is not None and p.app_frame.func == "pull_invoices"
    out = run("requests.exceptions.ConnectionError: HTTPSConnectionPool(...)", PY_CHAIN)
    # A wrapper "ConnectionError" looks transient; the root cause (NXDOMAIN) is a config error.
    assert (out.category, out.root_cause, out.should_retry) == ("permanent", "infra", False)
    assert "pull_invoices" in (out.app_frame or "")


def test_java_caused_by_chain_finds_the_sqlstate() -> None:
    stack = """org.springframework.dao.DataIntegrityViolationException: could not execute statement
\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convert(HibernateJpaDialect.java:276)
\tat com.acme.jobs.SyncJob.save(SyncJob.java:42)
Caused by: org.postgresql.util.PSQLException: ERROR: duplicate key value violates unique constraint "vendors_tin_key"
  Detail: Key (tin)=(123-456-789-000) already exists.
\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2713)
"""
    out = run("DataIntegrityViolationException: could not execute statement", stack)
    assert (out.category, out.root_cause, out.error_class) == ("permanent", "data", "pg.23505")
    assert "ON CONFLICT" in out.suggested_fix and "tin" in out.suggested_fix
    assert out.app_frame and "SyncJob" in out.app_frame


def test_node_stack_innermost_app_frame_and_error_code() -> None:
    stack = """Error: read ECONNRESET
    at TLSWrap.onStreamRead (node:internal/stream_base_commons:217:20)
    at async fetchLedger (/app/dist/jobs/sync/bank.js:41:17)
    at async Worker.execute (/app/dist/worker/runner.js:94:20) {
  errno: -104,
  code: 'ECONNRESET',
  syscall: 'read'
}"""
    out = run("Error: read ECONNRESET", stack)
    assert (out.category, out.should_retry) == ("transient", True)
    assert out.app_frame and "fetchLedger" in out.app_frame


def test_go_errors() -> None:
    out = run(
        'Get "https://api.example.ph/v1/rates": dial tcp: lookup api.example.ph on 10.0.0.2:53: no such host'
    )
    assert (out.category, out.root_cause) == ("permanent", "infra")
    out = run("panic: runtime error: invalid memory address or nil pointer dereference")
    assert (out.category, out.root_cause) == ("permanent", "code")
    out = run('Post "https://api.example.ph/v1": context deadline exceeded (Client.Timeout exceeded)')
    assert out.category == "transient"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("HTTP 429 Too Many Requests, Retry-After: 120", 120),
        ("Please try again in 2.9s. Visit https://platform.openai.com", 2.9),
        ("Please try again in 6h41m12s.", 6 * 3600 + 41 * 60 + 12),
        ("Please try again in 20ms.", 0.02),
        ("{'@type': 'type.googleapis.com/google.rpc.RetryInfo', 'retryDelay': '27s'}", 27),
        ("x-ratelimit-reset-tokens: 1m30s", 90),
        ("temporary error, please try again in 30 seconds", 30),
        ("no hint at all", None),
    ],
)
def test_retry_after_parsing(text: str, seconds: float | None) -> None:
    assert retry_after(text) == (pytest.approx(seconds) if seconds is not None else None)


def test_retry_after_is_returned_and_rounded_up() -> None:
    out = run(
        "openai.RateLimitError: Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o on tokens "
        "per min (TPM): Limit 30000, Used 29310, Requested 2140. Please try again in 2.9s.', 'code': "
        "'rate_limit_exceeded'}}"
    )
    assert (out.category, out.root_cause, out.should_retry, out.retry_after_seconds) == (
        "transient",
        "external",
        True,
        3,
    )


def test_quota_resetting_beyond_any_backoff_is_permanent() -> None:
    out = run(
        "openai.RateLimitError: Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o on requests "
        "per day (RPD): Limit 10000, Used 10000. Please try again in 6h41m12s.'}}"
    )
    assert (out.category, out.should_retry, out.retry_after_seconds) == ("permanent", False, None)
    out = run("HTTP 429 Too Many Requests from api.xero.com; Retry-After: 39600")
    assert out.category == "permanent"
    out = run("openai.RateLimitError: Error code: 429 - {'error': {'code': 'insufficient_quota'}}")
    assert (out.category, out.root_cause) == ("permanent", "external")


def test_backoff_suggested_when_the_server_gives_no_hint() -> None:
    first = run(
        "httpx.HTTPStatusError: Server error '503 Service Unavailable' for url 'https://api.xero.com/x'"
    )
    later = run(
        "httpx.HTTPStatusError: Server error '503 Service Unavailable' for url 'https://api.xero.com/x'",
        retry_count=2,
        max_retries=5,
    )
    assert first.retry_after_seconds and later.retry_after_seconds
    assert later.retry_after_seconds > first.retry_after_seconds


def test_retries_exhausted_means_no_retry_even_when_transient() -> None:
    out = run("psycopg2.errors.DeadlockDetected: deadlock detected", retry_count=3, max_retries=3)
    assert (out.category, out.should_retry, out.retries_exhausted, out.retry_after_seconds) == (
        "transient",
        False,
        True,
        None,
    )
    assert "exhausted" in out.reason


def test_suggested_fixes_are_specific_to_the_error_class() -> None:
    dup = run(
        'psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "journal_entries_source_'
        'ref_key"\nDETAIL:  Key (source_ref)=(xero:inv:1001) already exists.'
    )
    assert "ON CONFLICT (source_ref)" in dup.suggested_fix
    col = run(
        'asyncpg.exceptions.UndefinedColumnError: column "vat_exempt_sales" of relation "bir_returns" does not '
        "exist"
    )
    assert (col.root_cause, col.category) == ("code", "permanent")
    assert "migration" in col.suggested_fix and "vat_exempt_sales" in col.suggested_fix
    auth = run(
        "httpx.HTTPStatusError: Client error '401 Unauthorized' for url 'https://api.xero.com/api.xro/2.0/x'"
    )
    assert auth.root_cause == "infra" and ("Rotate" in auth.suggested_fix or "Refresh" in auth.suggested_fix)


@pytest.mark.parametrize(
    ("error", "category", "root"),
    [
        ("google.api_core.exceptions.Aborted: 409 Transaction lock timeout.", "transient", "external"),
        (
            "httpx.HTTPStatusError: Client error '409 Conflict' for url 'https://api.paymongo.com/v1/refunds'",
            "permanent",
            "data",
        ),
        (
            "asyncpg.exceptions.SerializationError: could not serialize access due to concurrent update",
            "transient",
            "infra",
        ),
        (
            "psycopg2.errors.QueryCanceled: canceling statement due to statement timeout\nCONTEXT:  SQL statement "
            '"CREATE INDEX x ON journal_lines (entry_id)"',
            "permanent",
            "infra",
        ),
        (
            "postgrest.exceptions.APIError: {'message': 'canceling statement due to statement timeout', 'code': "
            "'57014'}",
            "transient",
            "infra",
        ),
        (
            "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get "
            "local issuer certificate",
            "permanent",
            "infra",
        ),
        ("Error: getaddrinfo EAI_AGAIN api.xero.com", "transient", "infra"),
        ("KeyError: 'registered_address'", "permanent", "code"),
        (
            "anthropic.InternalServerError: Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error'}}",
            "transient",
            "external",
        ),
        (
            'grpc._channel._InactiveRpcError: status = StatusCode.RESOURCE_EXHAUSTED details = "grpc: received '
            'message larger than max (5242880 vs. 4194304)"',
            "permanent",
            "code",
        ),
    ],
)
def test_error_classes(error: str, category: str, root: str) -> None:
    out = run(error)
    assert (out.category, out.root_cause) == (category, root), out.reason


def test_unknown_error_is_flagged_with_low_confidence() -> None:
    out = run("Something odd happened")
    assert out.category == "unknown" and out.confidence < 0.5


def test_signature_masks_variable_parts() -> None:
    a = signature(
        "Key (id)=(3f1c9a2e-7b0d-4c55-9e21-a8d4f6b2c310) at 2025-01-23T09:40:12Z took 1234 ms from 10.0.3.4"
    )
    b = signature(
        "Key (id)=(0b8e2d7a-1c3f-4e9a-8d62-5f0a9c7e1b24) at 2025-02-01T01:00:00Z took 99 ms from 10.9.9.9"
    )
    assert a == b
    assert "<uuid>" in a and "<ts>" in a and "<ip>" in a and "<n>" in a
    assert signature("checksum 0xdeadbeef and deadbeefcafebabe1234") == "checksum <hex> and <hex>"


def test_oversized_input_is_bounded_and_still_classified() -> None:
    error = (
        'psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "invoices_number_key"\n'
        + "x" * 300_000
    )
    stack = (
        "Traceback (most recent call last):\n" + '  File "/app/jobs/x.py", line 1, in f\n    g()\n' * 5_000
    )
    out = run(error, stack)
    assert (out.error_class, out.category) == ("pg.23505", "permanent")
    assert out.signature is not None and len(out.signature) <= 200


def test_signature_keeps_the_codes_that_name_the_error_class() -> None:
    sig = signature(
        "httpx.HTTPStatusError: Server error '503 Service Unavailable' for url 'https://x.ph/a/123'"
    )
    assert "'503 Service Unavailable'" in sig and "/a/<id>" in sig
    assert signature("httpx.ReadError: [Errno 104] Connection reset by peer").endswith(
        "[Errno 104] Connection reset by peer"
    )
    assert "(code: 22P02)" in signature("PostgresError: invalid input syntax (code: 22P02) at 12345")


def test_unique_violation_on_the_jobs_own_idempotency_key_is_a_replay() -> None:
    error = (
        'psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "bir_returns_company_form_'
        'period_key"\nDETAIL:  Key (company_id, form_code, period)=(c-9, 2550Q, 2024-Q4) already exists.'
    )
    out = run(error, payload={"company_id": "c-9", "idempotency_key": "c-9:2550Q:2024-Q4"})
    assert (out.category, out.should_retry) == ("permanent", False)
    assert "replay" in out.reason and "mark the job done" in out.suggested_fix
    other = run(error, payload={"company_id": "c-9", "idempotency_key": "c-9:2551Q:2024-Q4"})
    assert "replay" not in other.reason and "ON CONFLICT" in other.suggested_fix


def test_node_fetch_failed_reads_the_cause() -> None:
    stack = """TypeError: fetch failed
    at node:internal/deps/undici/undici:13502:13
    at async postReturn (/app/dist/jobs/bir_filing/submit.js:77:18) {
  [cause]: ConnectTimeoutError: Connect Timeout Error (attempt: 1, timeout: 10000ms)
      at onConnectTimeout (/app/node_modules/undici/lib/core/connect.js:237:24) {
    code: 'UND_ERR_CONNECT_TIMEOUT'
  }
}"""
    p = parse("TypeError: fetch failed", stack)
    assert [e.name for e in p.exceptions] == ["TypeError", "ConnectTimeoutError"]
    out = run("TypeError: fetch failed", stack)
    # "TypeError" alone would read as a code bug; the cause is a connect timeout.
    assert (out.category, out.root_cause, out.should_retry) == ("transient", "infra", True)
    assert out.app_frame and "postReturn" in out.app_frame
