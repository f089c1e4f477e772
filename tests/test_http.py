"""Streamable HTTP for more than one machine: stateless replicas, bearer token, DNS-rebinding protection,
body size limit, and 200 concurrent tool calls with no errors and no placeholder crossing between calls."""

from __future__ import annotations

import json
import re
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from aiops_mcp.server.config import Settings
from aiops_mcp.server.gateway.gateway import Gateway
from aiops_mcp.server.runtime import Runtime
from aiops_mcp.server.serve import allowed_hosts, build_http_app
from tests.fake_openai import FakeOpenAI
from tests.fault_matrix_support import PLACEHOLDER, schema_responder

TOKEN = "test-token-" + "x" * 24
OFF_LOOPBACK_ENV = {"AIOPS_HTTP_ALLOWED_HOSTS": "127.0.0.1:*"}  # bound to 0.0.0.0, reached as 127.0.0.1
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Run the ASGI app under uvicorn on a free loopback port; yields the /mcp URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", backlog=512))
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve, [sock])
        with anyio.fail_after(10):
            while not server.started:
                await anyio.sleep(0.02)
        try:
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            server.should_exit = True


@asynccontextmanager
async def replica(
    settings: Settings,
    host: str = "127.0.0.1",
    env: dict[str, str] | None = None,
    runtime: Runtime | None = None,
) -> AsyncIterator[str]:
    """One replica: its own runtime (closed afterwards: its model clients must not outlive the loop)."""
    rt = runtime or Runtime.create(settings)
    try:
        async with serving(build_http_app(settings, host, env=env or {}, runtime=rt)) as url:
            yield url
    finally:
        await rt.aclose()


def http_client(token: str | None = TOKEN) -> httpx2.AsyncClient:
    return create_mcp_http_client(headers={"authorization": f"Bearer {token}"} if token else None)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


def model_settings(fake: FakeOpenAI, tmp_path: Path, **extra: Any) -> Settings:
    fake.reset()
    fake.responder = schema_responder
    return Settings.model_validate(
        {
            "endpoints": {"fake": {"base_url": fake.base_url}},
            "tools": {
                "analyze_failure": {"models": ["fake:m1", "fake:m2"], "llm": "always", "deadline_s": 20}
            },
            "gateway": {
                "attempt_timeout_s": 5,
                "backoff_base_s": 0.01,
                "backoff_cap_s": 0.02,
                "audit_path": str(tmp_path / "audit.jsonl"),
            },
            "http": {"token": TOKEN, "max_body_bytes": 256 * 1024},
            **extra,
        }
    )


def test_refuses_to_serve_off_loopback_without_a_token() -> None:
    with pytest.raises(SystemExit, match="AIOPS_HTTP_TOKEN"):
        build_http_app(Settings(offline=True), "0.0.0.0")
    assert build_http_app(Settings(offline=True), "127.0.0.1") is not None  # loopback: no token needed


def test_allowed_hosts_follow_the_bind_address_and_the_environment() -> None:
    assert "localhost:*" in allowed_hosts("127.0.0.1", {})
    assert allowed_hosts("10.1.2.3", {}) == ["10.1.2.3", "10.1.2.3:*"]
    hosts = allowed_hosts("0.0.0.0", {"AIOPS_HTTP_ALLOWED_HOSTS": "mcp.internal:*, lb.example.com"})
    assert hosts[:2] == ["mcp.internal:*", "lb.example.com"] and socket.gethostname() in hosts
    assert "evil.example" not in allowed_hosts("0.0.0.0", {})


@pytest.mark.anyio
async def test_bearer_token_is_checked_on_every_request() -> None:
    settings = Settings(offline=True, http={"token": TOKEN})
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    async with replica(settings, "0.0.0.0", OFF_LOOPBACK_ENV) as url, httpx2.AsyncClient() as raw:
        for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": TOKEN}):
            resp = await raw.post(url, json=body, headers={**MCP_HEADERS, **headers})
            assert resp.status_code == 401, headers
            assert TOKEN not in resp.text
        # The right token: a real MCP session works, twice (each request checked, none remembered).
        for _ in range(2):
            async with Client(streamable_http_client(url, http_client=http_client()), cache=None) as client:
                result = await client.call_tool("redact_text", {"text": "mail maria@acme.ph"})
                assert not result.is_error and "<EMAIL_1>" in result.structured_content["text"]
        assert (await raw.get(url.replace("/mcp", "/health"))).status_code == 200  # for load balancers


@pytest.mark.anyio
@pytest.mark.parametrize("bind", ["127.0.0.1", "0.0.0.0"])
async def test_dns_rebinding_protection_is_on(bind: str) -> None:
    settings = Settings(offline=True, http={"token": TOKEN})
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    auth = {**MCP_HEADERS, "authorization": f"Bearer {TOKEN}"}
    env = OFF_LOOPBACK_ENV if bind == "0.0.0.0" else {}
    async with replica(settings, bind, env) as url, httpx2.AsyncClient() as raw:
        evil_host = await raw.post(url, json=body, headers={**auth, "host": "evil.example:80"})
        assert evil_host.status_code == 421
        evil_origin = await raw.post(url, json=body, headers={**auth, "origin": "http://evil.example"})
        assert evil_origin.status_code == 403


@pytest.mark.anyio
async def test_request_body_size_is_limited(fake: FakeOpenAI, tmp_path: Path) -> None:
    huge = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "redact_text", "arguments": {"text": "x" * 400_000}},
    }
    async with replica(model_settings(fake, tmp_path)) as url, httpx2.AsyncClient() as raw:
        resp = await raw.post(
            url, content=json.dumps(huge), headers={**MCP_HEADERS, "authorization": f"Bearer {TOKEN}"}
        )
        assert resp.status_code == 413
    assert fake.requests == []


@pytest.mark.anyio
async def test_stateless_any_replica_answers_any_request(fake: FakeOpenAI, tmp_path: Path) -> None:
    """No session: a request initialised on replica A can be followed by one on replica B."""
    settings = model_settings(fake, tmp_path)
    auth = {**MCP_HEADERS, "authorization": f"Bearer {TOKEN}"}
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}}
    async with (
        replica(settings) as url_a,
        replica(settings) as url_b,
        httpx2.AsyncClient() as raw,
    ):
        first = await raw.post(url_a, json=init, headers=auth)
        assert first.status_code == 200 and "mcp-session-id" not in first.headers
        second = await raw.post(url_b, json=listing, headers={**auth, "mcp-protocol-version": "2025-11-25"})
        assert second.status_code == 200 and "analyze_failure" in second.text


@pytest.mark.anyio
async def test_200_concurrent_calls_no_errors_and_no_placeholder_crosses_calls(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    """Two replicas, 200 calls in flight, each with its own secret: every answer quotes its own value only."""
    settings = model_settings(fake, tmp_path)
    n_calls = 200
    results: dict[int, dict[str, Any]] = {}
    errors: list[str] = []

    def secret(i: int) -> str:
        return f"user{i:03d}.owner@example-{i:03d}.ph"

    async def one(client: Client, i: int) -> None:
        result = await client.call_tool(
            "analyze_failure",
            {"error": f"upstream said something odd in call {i} for {secret(i)}", "retry_count": 0},
        )
        if result.is_error:
            errors.append(str(result.content)[:200])
        else:
            results[i] = result.structured_content

    async with (
        replica(settings) as url_a,
        replica(settings) as url_b,
        AsyncExitStackClients([url_a, url_b, url_a, url_b]) as clients,
        anyio.create_task_group() as tg,
    ):
        for i in range(n_calls):
            tg.start_soon(one, clients[i % len(clients)], i)
    assert errors == [] and len(results) == n_calls
    pattern = re.compile(r"user\d{3}\.owner@example-\d{3}\.ph")
    for i, data in results.items():
        assert data["meta"]["engine"] == "model", data["meta"]
        text = json.dumps({k: v for k, v in data.items() if k != "meta"})
        assert set(pattern.findall(text)) == {secret(i)}, (i, text[:600], data["meta"])
        assert not PLACEHOLDER.search(data["reason"]), data["reason"]
    for raw in fake.raw_bodies:
        assert not pattern.search(raw.decode()), "a planted address reached the model server"


@asynccontextmanager
async def AsyncExitStackClients(urls: list[str]) -> AsyncIterator[list[Client]]:
    from contextlib import AsyncExitStack

    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                Client(streamable_http_client(u, http_client=http_client()), cache=None)
            )
            for u in urls
        ]
        yield clients


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=0.3).ping())
    except Exception:
        return False


@pytest.mark.anyio
@pytest.mark.skipif(not _redis_reachable(), reason="no Redis answering at 127.0.0.1:6379")
async def test_replicas_share_the_breaker_through_redis(fake: FakeOpenAI, tmp_path: Path) -> None:
    """m1 dies: replica A's calls open its breaker; replica B, which never called m1, skips it too."""
    import redis

    from aiops_mcp.server.gateway.shared_state import RedisBreakerBoard, RedisResponseCache, connect

    prefix = f"aiops-test-{uuid.uuid4().hex[:12]}:"
    settings = model_settings(fake, tmp_path, redis_url="redis://127.0.0.1:6379/0")
    fake.script("m1", "503")

    def shared_runtime() -> Runtime:
        client = connect("redis://127.0.0.1:6379/0")
        g = settings.gateway
        gateway = Gateway(
            settings,
            breakers=RedisBreakerBoard(client, g.breaker_threshold, g.breaker_cooldown_s, prefix=prefix),
            cache=RedisResponseCache(client, g.cache_ttl_s, g.cache_size, prefix=prefix),
        )
        return Runtime(settings=settings, gateway=gateway)

    try:
        async with (
            replica(settings, runtime=shared_runtime()) as url_a,
            replica(settings, runtime=shared_runtime()) as url_b,
        ):
            async with Client(streamable_http_client(url_a, http_client=http_client()), cache=None) as a:
                first = await a.call_tool("analyze_failure", {"error": "odd failure one", "retry_count": 0})
            trail_a = [x["outcome"] for x in first.structured_content["meta"]["attempts"]]
            assert trail_a[:3] == ["http_503"] * 3
            sent_to_m1 = fake.calls_for("m1")
            async with Client(streamable_http_client(url_b, http_client=http_client()), cache=None) as b:
                second = await b.call_tool("analyze_failure", {"error": "odd failure two", "retry_count": 0})
            trail_b = [(x["model"], x["outcome"]) for x in second.structured_content["meta"]["attempts"]]
            assert trail_b[0] == ("fake:m1", "breaker_open") and fake.calls_for("m1") == sent_to_m1
    finally:
        r = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        keys = list(r.scan_iter(match=f"{prefix}*"))
        if keys:
            r.delete(*keys)
        r.close()
