"""The Supabase backend against a loopback HTTP server that answers like PostgREST.

The fake keeps rows in memory, applies the filters, order and ranges the client sends, caps every
answer at `max_rows` rows like Supabase's PostgREST (1,000 by default), and records each request so
the tests can check the exact query strings. Fault modes: 401, 5xx, slow answers, non-JSON bodies.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from aiops_mcp.server.store import AuditRecord, StoreError, WindowTooLarge, open_store
from aiops_mcp.server.store.base import iso_z
from aiops_mcp.server.store.supabase_store import SupabaseStore

KEY = "service-role-key-" + "x" * 40
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class FakePostgrest:
    def __init__(self, max_rows: int = 1000) -> None:
        self.max_rows = max_rows
        self.tables: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[dict[str, Any]] = []
        self.fail: list[tuple[int, str, str]] = []  # queued (status, content type, body) answers
        self.delay_s = 0.0
        self._lock = threading.Lock()

    # --- PostgREST semantics (the subset the client uses) ----------------------------------------
    def select(self, table: str, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
        rows = list(self.tables.get(table, []))
        for col, expr in params:
            if col in {"select", "order", "offset", "limit"}:
                continue
            negate = expr.startswith("not.")
            op, _, value = expr.removeprefix("not.").partition(".")
            keep = [r for r in rows if _match(r.get(col), op, value) != negate]
            rows = keep
        order = dict(params).get("order")
        if order:
            for term in reversed(order.split(",")):
                col, _, direction = term.partition(".")
                rows.sort(
                    key=lambda r, c=col: (r.get(c) is None, r.get(c)), reverse=direction.startswith("desc")
                )
        return rows

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        params = parse_qsl(parts.query, keep_blank_values=True)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        with self._lock:
            self.requests.append(
                {
                    "method": h.command,
                    "path": parts.path,
                    "query": parts.query,
                    "headers": {k.lower(): v for k, v in h.headers.items()},
                    "body": body,
                }
            )
            fail = self.fail.pop(0) if self.fail else None
        if self.delay_s:
            time.sleep(self.delay_s)
        if fail:
            status, ctype, text = fail
            return _send(h, status, text.encode(), {"Content-Type": ctype})
        if h.headers.get("apikey") != KEY or h.headers.get("Authorization") != f"Bearer {KEY}":
            return _send(h, 401, b'{"message":"Invalid API key","hint":"Double check your key"}')
        table = parts.path.removeprefix("/rest/v1/")
        if h.headers.get("Accept-Profile", h.headers.get("Content-Profile")) != "mcp_jobs":
            return _send(
                h, 406, b'{"code":"PGRST106","message":"The schema must be one of the following: public"}'
            )
        if h.command == "POST":
            new = json.loads(body)
            self.tables.setdefault(table, []).extend(new if isinstance(new, list) else [new])
            return _send(h, 201, b"")
        if h.command == "DELETE":
            doomed = self.select(table, params)
            self.tables[table] = [r for r in self.tables.get(table, []) if r not in doomed]
            return _send(h, 204, b"", {"Content-Range": f"*/{len(doomed)}"})
        rows = self.select(table, params)
        total = len(rows)
        q = dict(params)
        offset = int(q.get("offset", 0))
        limit = min(int(q.get("limit", self.max_rows)), self.max_rows)
        page = rows[offset : offset + limit]
        last = offset + len(page) - 1
        span = f"{offset}-{last}" if page else "*"
        counted = "count=exact" in (h.headers.get("Prefer") or "")
        headers = {"Content-Range": f"{span}/{total if counted else '*'}", "Content-Type": "application/json"}
        payload = b"" if h.command == "HEAD" else json.dumps(page).encode()
        return _send(h, 200, payload, headers)


def _match(value: Any, op: str, arg: str) -> bool:
    if op == "eq":
        return str(value) == arg
    if op == "gte":
        return value is not None and str(value) >= arg
    if op == "lt":
        return value is not None and str(value) < arg
    if op == "is":
        return {"true": value is True, "false": value is False, "null": value is None}[arg]
    if op == "in":
        items = [unquote(i).strip('"') for i in _split_in(arg[1:-1])]
        return str(value) in items
    raise AssertionError(f"filter {op} not supported by the fake")


def _split_in(text: str) -> list[str]:
    out, cur, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return [*out, cur]


def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    for k, v in {"Content-Type": "application/json", **(headers or {})}.items():
        h.send_header(k, v)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)


@pytest.fixture
def fake() -> Iterator[tuple[FakePostgrest, str]]:
    state = FakePostgrest()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            state.handle(self)

        do_HEAD = do_POST = do_DELETE = do_PATCH = do_GET

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # The timeout test hangs up before the answer: a broken pipe then is expected, not news.
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _store(base: str, **kw: Any) -> SupabaseStore:
    store = open_store("supabase", environ={"SUPABASE_URL": base, "SUPABASE_SERVICE_ROLE_KEY": KEY})
    assert isinstance(store, SupabaseStore)
    for k, v in kw.items():
        setattr(store, f"_{k}", v)
    return store


def _events(n: int, source: str = "sync-worker") -> list[dict[str, Any]]:
    return [
        {
            "id": f"00000000-0000-4000-8000-{i:012d}",
            "job_id": None,
            "source": source,
            "level": "info",
            "message": f"upserted {i % 50} rows took {i % 300} ms",
            "data": {},
            "created_at": iso_z(NOW - timedelta(minutes=50) + timedelta(milliseconds=i * 100)),
        }
        for i in range(n)
    ]


def _dlq(n: int, resolved_every: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "id": f"00000000-0000-4000-9000-{i:012d}",
            "job_id": None,
            "job_type": "sync",
            "error": "sorry, too many clients already",
            "error_stack": None,
            "retry_count": 3,
            "max_retries": 3,
            "payload": {"n": i},
            "resolved": bool(resolved_every and i % resolved_every == 0),
            "created_at": iso_z(NOW - timedelta(hours=2)),
            "failed_at": iso_z(NOW - timedelta(minutes=i)),
        }
        for i in range(n)
    ]


@pytest.mark.anyio
async def test_exact_query_strings_and_headers(fake: tuple[FakePostgrest, str]) -> None:
    state, base = fake
    state.tables = {"dead_letter_queue": _dlq(3), "job_events": _events(5), "jobs": [], "metrics": []}
    store = _store(base)
    try:
        await store.unresolved_dlq(50)
        rows = [r async for r in store.job_events("sync-worker", NOW - timedelta(hours=1), NOW, max_rows=100)]
        await store.get_job("00000000-0000-4000-8000-000000000001")
        await store.metrics(["queue_depth", "error_rate"], NOW - timedelta(hours=1), NOW, max_rows=10)
    finally:
        await store.aclose()
    assert len(rows) == 5
    got = [(r["method"], r["path"], r["query"]) for r in state.requests]
    win = "created_at=gte.2026-03-02T11%3A00%3A00.000000Z&created_at=lt.2026-03-02T12%3A00%3A00.000000Z"
    assert got == [
        (
            "GET",
            "/rest/v1/dead_letter_queue",
            "select=id%2Cjob_id%2Cjob_type%2Cerror%2Cerror_stack%2Cretry_count%2Cmax_retries%2Cpayload%2Cresolved"
            "%2Ccreated_at%2Cfailed_at&resolved=not.is.true&order=failed_at.desc%2Cid.asc&offset=0&limit=50",
        ),
        ("HEAD", "/rest/v1/job_events", f"select=id&source=eq.sync-worker&{win}"),
        (
            "GET",
            "/rest/v1/job_events",
            "select=id%2Cjob_id%2Csource%2Clevel%2Cmessage%2Cdata%2Ccreated_at&source=eq.sync-worker&"
            f"{win}&order=created_at.asc%2Cid.asc&offset=0&limit=100",
        ),
        (
            "GET",
            "/rest/v1/jobs",
            "select=id%2Cjob_type%2Cstatus%2Cpayload%2Cretry_count%2Cmax_retries%2Cerror%2Cerror_stack"
            "%2Ccreated_at%2Cupdated_at&id=eq.00000000-0000-4000-8000-000000000001&limit=1",
        ),
        (
            "GET",
            "/rest/v1/metrics",
            f"select=id%2Cname%2Cvalue%2Clabels%2Ccreated_at&name=in.%28queue_depth%2Cerror_rate%29&{win}"
            "&order=created_at.asc%2Cid.asc&offset=0&limit=11",
        ),
    ]
    first = state.requests[0]["headers"]
    assert first["accept-profile"] == "mcp_jobs"
    assert first["apikey"] == KEY and first["authorization"] == f"Bearer {KEY}"
    assert "count=exact" in first["prefer"]


@pytest.mark.anyio
@pytest.mark.parametrize("server_cap", [1000, 700])
async def test_pages_past_the_server_cap_without_losing_rows(
    fake: tuple[FakePostgrest, str], server_cap: int
) -> None:
    state, base = fake
    state.max_rows = server_cap  # 700: a server whose cap is below the client's page size
    state.tables = {"job_events": _events(2500), "dead_letter_queue": _dlq(1200, resolved_every=10)}
    store = _store(base)
    try:
        rows = [
            r async for r in store.job_events("sync-worker", NOW - timedelta(hours=1), NOW, max_rows=5000)
        ]
        dlq = await store.unresolved_dlq(5000)
    finally:
        await store.aclose()
    assert len(rows) == 2500
    assert [r.id for r in rows] == [e["id"] for e in _events(2500)]
    assert len(dlq) == 1080 and not any(d.resolved for d in dlq)
    offsets = [
        dict(parse_qsl(r["query"]))["offset"]
        for r in state.requests
        if r["path"].endswith("job_events") and r["method"] == "GET"
    ]
    step = min(server_cap, 1000)
    assert offsets == [str(o) for o in range(0, 2500, step)]


@pytest.mark.anyio
async def test_window_over_the_maximum_is_refused_with_the_count(fake: tuple[FakePostgrest, str]) -> None:
    state, base = fake
    state.tables = {"job_events": _events(1500)}
    store = _store(base)
    try:
        with pytest.raises(WindowTooLarge) as err:
            _ = [r async for r in store.job_events(None, NOW - timedelta(hours=1), NOW, max_rows=1000)]
    finally:
        await store.aclose()
    assert err.value.total == 1500 and "1,500 job_events rows" in str(err.value)


@pytest.mark.anyio
async def test_401_names_the_key_variable_never_the_key(fake: tuple[FakePostgrest, str]) -> None:
    _state, base = fake
    store = open_store(
        "supabase", environ={"SUPABASE_URL": base, "SUPABASE_SERVICE_ROLE_KEY": "wrong-key-123456"}
    )
    try:
        with pytest.raises(StoreError) as err:
            await store.unresolved_dlq(10)
    finally:
        await store.aclose()
    text = str(err.value)
    assert "HTTP 401" in text and "Invalid API key" in text and "SUPABASE_SERVICE_ROLE_KEY" in text
    assert "wrong-key-123456" not in text and f"supabase {base}" in text


@pytest.mark.anyio
async def test_transient_5xx_is_retried_then_reported(fake: tuple[FakePostgrest, str]) -> None:
    state, base = fake
    state.tables = {"dead_letter_queue": _dlq(2)}
    state.fail = [(503, "text/html", "<html>upstream busy</html>"), (502, "text/html", "bad gateway")]
    store = _store(base, pauses=(0.01, 0.01))
    try:
        assert len(await store.unresolved_dlq(10)) == 2  # two gateway errors, then the answer
        state.fail = [(500, "application/json", '{"code":"XX000","message":"internal error"}')]
        with pytest.raises(StoreError) as err:
            await store.unresolved_dlq(10)
        assert "HTTP 500" in str(err.value) and "internal error" in str(err.value)
        state.fail = [(503, "text/html", "down")] * 3
        with pytest.raises(StoreError) as err:
            await store.unresolved_dlq(10)
        assert "HTTP 503" in str(err.value)
    finally:
        await store.aclose()


@pytest.mark.anyio
async def test_timeout_is_an_error_naming_the_store(fake: tuple[FakePostgrest, str]) -> None:
    state, base = fake
    state.delay_s = 1.0
    store = _store(base, timeout=0.3)
    try:
        with pytest.raises(StoreError) as err:
            await store.get_job("00000000-0000-4000-8000-000000000001")
    finally:
        await store.aclose()
    assert (
        "timeout" in str(err.value)
        and "0.3 s" in str(err.value)
        and "supabase http://127.0.0.1" in str(err.value)
    )


@pytest.mark.anyio
async def test_missing_schema_and_non_json_answers(fake: tuple[FakePostgrest, str]) -> None:
    state, base = fake
    store = _store(base)
    try:
        state.fail = [
            (406, "application/json", '{"code":"PGRST106","message":"The schema must be one of: public"}')
        ]
        with pytest.raises(StoreError, match="exposed schemas"):
            await store.unresolved_dlq(10)
        state.fail = [(200, "text/html", "<html>captive portal</html>")]
        with pytest.raises(StoreError, match="JSON rows"):
            await store.unresolved_dlq(10)
    finally:
        await store.aclose()


@pytest.mark.anyio
async def test_wrong_column_types_are_reported_not_raised(fake: tuple[FakePostgrest, str]) -> None:
    from aiops_mcp.server.store import collect_row_problems

    state, base = fake
    rows = _dlq(3)
    rows[1]["retry_count"] = "three"
    rows[2]["failed_at"] = "yesterday-ish"
    state.tables = {"dead_letter_queue": rows}
    store = _store(base)
    try:
        with collect_row_problems() as problems:
            got = await store.unresolved_dlq(10)
    finally:
        await store.aclose()
    assert [r.id for r in got] == [rows[0]["id"], rows[1]["id"]]
    assert got[1].retry_count == 0
    assert {(p.column, p.action) for p in problems} == {
        ("retry_count", "defaulted"),
        ("failed_at", "skipped"),
    }


@pytest.mark.anyio
async def test_audit_write_and_purge(fake: tuple[FakePostgrest, str]) -> None:
    state, base = fake
    store = _store(base)
    old = AuditRecord(
        time=NOW - timedelta(days=100),
        tool="triage_dlq",
        model="xai/grok-3",
        outcome="ok",
        latency_ms=812.5,
        prompt_tokens=900,
        completion_tokens=120,
        prompt_hash="abc",
        prompt="DLQ for <EMAIL_1>",
        answer="{}",
    )
    new = old.model_copy(update={"time": NOW})
    try:
        await store.write_audit([old, new])
        purged = await store.purge_audit(NOW - timedelta(days=90))
    finally:
        await store.aclose()
    post = next(r for r in state.requests if r["method"] == "POST")
    sent = json.loads(post["body"])
    assert post["path"] == "/rest/v1/ai_call_log" and post["headers"]["content-profile"] == "mcp_jobs"
    assert sent[0]["created_at"] == iso_z(old.time) and sent[0]["prompt"] == "DLQ for <EMAIL_1>"
    assert "time" not in sent[0]
    delete = next(r for r in state.requests if r["method"] == "DELETE")
    assert delete["query"] == "created_at=lt.2025-12-02T12%3A00%3A00.000000Z"
    assert purged == 1 and len(state.tables["ai_call_log"]) == 1


@pytest.mark.anyio
async def test_unreachable_server_is_an_error_naming_the_store() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = _store(f"http://127.0.0.1:{port}", pauses=(0.01, 0.01))
    try:
        with pytest.raises(StoreError) as err:
            await store.unresolved_dlq(5)
    finally:
        await store.aclose()
    text = str(err.value)
    assert f"supabase http://127.0.0.1:{port}" in text and "refused" in text.lower() and KEY not in text


def test_missing_environment_names_both_variables() -> None:
    with pytest.raises(StoreError) as err:
        open_store("supabase", environ={})
    assert "SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY not set" in str(err.value)
    with pytest.raises(StoreError, match="https://"):
        open_store("supabase", environ={"SUPABASE_URL": "db.example", "SUPABASE_SERVICE_ROLE_KEY": "k"})
