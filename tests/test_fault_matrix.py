"""The fault matrix: every fault the loopback server plays x every tool that calls a model, alone and 50 at once.

Each call must answer (never an MCP error), within its deadline, from the next model or offline, with
the trail in `meta.attempts` saying what happened, and no planted secret may reach the model server.
Then, as named tests, the failures users report in other gateways.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import statistics
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from pydantic import BaseModel

from aiops_mcp.server.config import Settings
from aiops_mcp.server.gateway import gateway as gateway_module
from aiops_mcp.server.gateway.errors import AllModelsFailed
from aiops_mcp.server.gateway.gateway import Gateway
from tests.fake_openai import FakeOpenAI
from tests.fault_matrix_support import (
    MODEL_TOOLS,
    PLACEHOLDER,
    SECRETS,
    importable_tools,
    matrix_settings,
    model_name,
    schema_responder,
    sent_secrets,
    server_for,
    tool_args,
    vault_placeholders,
)

TOOLS, MISSING = importable_tools()
ALONE_DEADLINE_S = 3.0
LOAD_DEADLINE_S = 8.0  # 50 calls at once on 2 shared cores: room to reach the second model
DEADLINE_S = ALONE_DEADLINE_S
HARD_STOP_S = DEADLINE_S + 1.0  # the runtime's own cut-off past the gateway deadline
ATTEMPT_TIMEOUT_S = 0.2
LOAD_ATTEMPT_TIMEOUT_S = 0.6
LOAD_RETRIES = 1  # fewer requests per call keeps the bursts quick; the retry counts are checked alone
BURST = 50
RETRIES = 2

# Fault → (outcome in the trail, attempts on the faulty model when alone).
FAULTS: dict[str, tuple[str, int]] = {
    "500": ("http_500", RETRIES + 1),
    "502": ("http_502", RETRIES + 1),
    "503": ("http_503", RETRIES + 1),
    "429": ("http_429", RETRIES + 1),
    "429:0.05": ("http_429", RETRIES + 1),
    "400": ("http_400", 1),
    "401": ("http_401", 1),
    "404": ("http_404", 1),
    "hang": ("timeout", RETRIES + 1),
    "refused": ("connection", RETRIES + 1),
    "drop": ("connection", RETRIES + 1),
    "malformed": ("invalid_response", RETRIES + 1),
    "bad_schema": ("schema", 2),  # one repair try, then the next model
    "empty": ("empty", 1),
}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    server.start()
    server.hang_s = 1.0
    yield server
    server.stop()


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    return tmp_path / "audit.jsonl"


@pytest.fixture
def settings(fake: FakeOpenAI, audit_path: Path) -> Settings:
    fake.reset()
    fake.responder = schema_responder
    return matrix_settings(fake.base_url, TOOLS, str(audit_path), attempt_timeout_s=ATTEMPT_TIMEOUT_S)


def fault_settings(
    fake: FakeOpenAI, audit_path: Path, fault: str, *, down: bool, deadline_s: float
) -> Settings:
    """Every tool's chain: its own model playing `fault`, then m2 (healthy) or a second faulty model."""
    chains = {}
    for tool in TOOLS:
        first, second = model_name(fault, tool), model_name(fault, tool, second=True)
        fake.script(first, fault)
        if down:
            fake.script(second, fault)
        chains[tool] = [f"fake:{first}", f"fake:{second}" if down else "fake:m2"]
    return matrix_settings(
        fake.base_url,
        TOOLS,
        str(audit_path),
        chains=chains,
        deadline_s=deadline_s,
        attempt_timeout_s=ATTEMPT_TIMEOUT_S,
    )


async def _call(client: Client, tool: str, n: int) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    result = await client.call_tool(tool, tool_args(tool, n))
    elapsed = time.monotonic() - started
    assert not result.is_error, (tool, [getattr(c, "text", c) for c in result.content])
    return result.structured_content, elapsed


def _trail(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(a["model"], a["outcome"]) for a in data["meta"]["attempts"]]


def _no_placeholder_left(tool: str, data: dict[str, Any], sent: set[str]) -> None:
    """None of the placeholders this call's prompt carried is left in its answer."""
    body = json.dumps({k: v for k, v in data.items() if k != "meta"})
    left = sorted(p for p in set(PLACEHOLDER.findall(body)) if p in sent)
    assert not left, (tool, left[:3])


def check_fallback_alone(tool: str, data: dict[str, Any], elapsed: float, fault: str, sent: set[str]) -> None:
    """The primary plays `fault` and m2 is healthy: exactly the expected attempts, then m2 answers
    (or the tool's merge rejects m2's generic answer and the offline result stands, saying so)."""
    outcome, count = FAULTS[fault]
    primary = f"fake:{model_name(fault, tool)}"
    trail = _trail(data)
    meta = data["meta"]
    assert trail[:count] == [(primary, outcome)] * count, (tool, fault, trail)
    rest = trail[count:]
    if meta["engine"] == "model":
        assert meta["model"] == "fake:m2" and rest == [("fake:m2", "ok")], (tool, fault, trail)
        _no_placeholder_left(tool, data, sent)
    else:
        assert rest == [("fake:m2", "ok"), ("fake:m2", "rejected")], (tool, fault, trail)
        assert meta["degraded_reason"].startswith("model answer rejected"), meta
    assert elapsed < ALONE_DEADLINE_S + 1.0, (tool, fault, elapsed)


def check_under_load(
    tool: str, data: dict[str, Any], elapsed: float, fault: str, *, down: bool, sent: set[str]
) -> None:
    """50 at once: the breaker may open mid-way (later calls skip the primary without sending anything),
    and on a busy machine a call may reach its deadline; the trail must say which, and nothing else."""
    outcome = FAULTS[fault][0]
    primary = f"fake:{model_name(fault, tool)}"
    second = f"fake:{model_name(fault, tool, second=True)}" if down else "fake:m2"
    trail = _trail(data)
    meta = data["meta"]
    # `timeout`: on a busy box any attempt may outlive the attempt timeout, whatever the fault; enough
    # such timeouts of the healthy second model open its breaker too, which is the breaker doing its job.
    allowed = {
        primary: {outcome, "breaker_open", "deadline", "timeout"},
        second: {outcome, "breaker_open", "deadline", "timeout"}
        if down
        else {"ok", "rejected", "deadline", "timeout", "breaker_open"},
    }
    for model, got in trail:
        assert got in allowed.get(model, set()), (tool, fault, trail)
    for model in (primary, second):
        tries = [o for m, o in trail if m == model and o not in ("breaker_open", "deadline", "rejected")]
        # Transient retries plus at most one repair try per model; never more than max_attempts overall.
        assert len(tries) <= LOAD_RETRIES + 2, (tool, fault, trail)
    assert sum(1 for _, o in trail if o not in ("breaker_open", "deadline", "rejected")) <= 6, trail
    assert trail and trail[0][0] == primary, trail
    if down or meta["engine"] == "offline":
        assert meta["engine"] == "offline" and meta["degraded_reason"], meta
        if not down and ("fake:m2", "ok") in trail:
            assert trail[-1] == ("fake:m2", "rejected"), trail
    else:
        assert meta["model"] == "fake:m2" and trail[-1] == ("fake:m2", "ok"), (tool, fault, trail)
        _no_placeholder_left(tool, data, sent)
    # The tool's own clock (meta.latency_ms) is bounded by the deadline plus the runtime's 1 s hard stop;
    # the caller's clock also counts the queue in front of the tool on a busy machine.
    assert meta["latency_ms"] <= (LOAD_DEADLINE_S + 1.2) * 1000, (tool, fault, meta["latency_ms"])
    assert elapsed < LOAD_DEADLINE_S + 4.0, (tool, fault, elapsed)


def _sent_placeholders(fake: FakeOpenAI) -> set[str]:
    return {p for body in list(fake.requests) for p in vault_placeholders(body)}


def check_nothing_leaked(fake: FakeOpenAI, audit_path: Path) -> None:
    assert sent_secrets(fake.raw_bodies) == []
    if audit_path.exists():
        text = audit_path.read_text()
        assert not [name for name, value in SECRETS.items() if value in text]


def test_every_model_tool_is_in_the_matrix() -> None:
    if MISSING:
        pytest.skip(f"tool modules that do not import yet (not in the matrix): {MISSING}")
    assert set(TOOLS) == set(MODEL_TOOLS)


@pytest.mark.anyio
@pytest.mark.parametrize("fault", list(FAULTS))
async def test_fault_alone_every_tool(fault: str, fake: FakeOpenAI, audit_path: Path) -> None:
    """One call at a time: each tool's primary plays `fault`, m2 answers."""
    if not TOOLS:
        pytest.skip("no model tool imports yet")
    fake.reset()
    fake.responder = schema_responder
    settings = fault_settings(fake, audit_path, fault, down=False, deadline_s=ALONE_DEADLINE_S)
    async with server_for(settings) as server, Client(server, cache=None) as client:
        for n, tool in enumerate(TOOLS):
            data, elapsed = await _call(client, tool, n)
            check_fallback_alone(tool, data, elapsed, fault, _sent_placeholders(fake))
    check_nothing_leaked(fake, audit_path)


async def _burst(
    fake: FakeOpenAI, audit_path: Path, *, down: bool, limit: int | None = None
) -> list[tuple[str, str, dict[str, Any], float]]:
    """(tool, fault) pairs, in bursts of 50 calls at once; one server per fault, all open together."""
    fake.reset()
    fake.responder = schema_responder
    pairs = [(tool, fault) for fault in FAULTS for tool in TOOLS]
    if limit is not None:
        # Every fault, with the tools in rotation.
        pairs = [(TOOLS[i % len(TOOLS)], fault) for i, fault in enumerate(list(FAULTS) * len(TOOLS))][:limit]
    results: list[tuple[str, str, dict[str, Any], float]] = []
    async with AsyncExitStack() as stack:
        clients = {}
        for fault in FAULTS:
            settings = fault_settings(fake, audit_path, fault, down=down, deadline_s=LOAD_DEADLINE_S)
            settings.gateway.attempt_timeout_s = LOAD_ATTEMPT_TIMEOUT_S
            settings.gateway.retries_per_model = LOAD_RETRIES
            server = await stack.enter_async_context(server_for(settings))
            clients[fault] = await stack.enter_async_context(Client(server, cache=None))

        async def one(n: int, tool: str, fault: str) -> None:
            data, elapsed = await _call(clients[fault], tool, n)
            results.append((tool, fault, data, elapsed))

        for start in range(0, len(pairs), BURST):
            async with anyio.create_task_group() as tg:
                for n, (tool, fault) in enumerate(pairs[start : start + BURST], start):
                    tg.start_soon(one, n, tool, fault)
    assert len(results) == len(pairs)
    return results


@pytest.mark.anyio
async def test_every_fault_every_tool_50_at_once(fake: FakeOpenAI, audit_path: Path) -> None:
    if not TOOLS:
        pytest.skip("no model tool imports yet")
    results = await _burst(fake, audit_path, down=False)
    sent = _sent_placeholders(fake)
    for tool, fault, data, elapsed in results:
        check_under_load(tool, data, elapsed, fault, down=False, sent=sent)
    # Under load most calls still reach m2 within the deadline: the fallback is real, not all deadlines.
    assert sum(1 for *_, d, _e in results if ("fake:m2", "ok") in _trail(d)) >= len(results) // 2
    check_nothing_leaked(fake, audit_path)


@pytest.mark.anyio
async def test_whole_chain_down_50_at_once_answers_offline(fake: FakeOpenAI, audit_path: Path) -> None:
    if not TOOLS:
        pytest.skip("no model tool imports yet")
    results = await _burst(fake, audit_path, down=True, limit=BURST)
    for tool, fault, data, elapsed in results:
        check_under_load(tool, data, elapsed, fault, down=True, sent=set())
    check_nothing_leaked(fake, audit_path)


@pytest.mark.anyio
async def test_planted_secrets_are_redacted_not_dropped(
    fake: FakeOpenAI, settings: Settings, audit_path: Path
) -> None:
    """Non-vacuous: every tool whose prompt carries free text did send the planted values, as placeholders."""
    if not TOOLS:
        pytest.skip("no model tool imports yet")
    async with server_for(settings) as server, Client(server, cache=None) as client:
        for n, tool in enumerate(TOOLS):
            if tool == "predict_incidents":
                continue  # it sends statistics and detections only: no free text to redact
            fake.reset()
            fake.responder = schema_responder
            data, _ = await _call(client, tool, n)
            assert fake.raw_bodies, f"{tool}: the model was not asked"
            sent = b"".join(fake.raw_bodies).decode()
            assert PLACEHOLDER.search(sent), (
                f"{tool}: no placeholder in the prompt; were the planted values sent?"
            )
            assert data["meta"]["redactions"] > 0, tool
            check_nothing_leaked(fake, audit_path)


# ---- named tests: failures users hit in other gateways -----------------------------------------------


def _first_tool() -> str:
    if not TOOLS:
        pytest.skip("no model tool imports yet")
    return "analyze_failure" if "analyze_failure" in TOOLS else TOOLS[0]


@pytest.mark.anyio
async def test_retry_after_is_honoured_on_every_retry_not_only_the_first(fake, settings, audit_path):
    tool = _first_tool()
    fake.script("m1", ["429:0.3", "429:0.3", "ok"])
    async with server_for(settings) as server, Client(server, cache=None) as client:
        data, _ = await _call(client, tool, 0)
    stamps = [r["_received_at"] for r in fake.requests if r["model"] == "m1"]
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert len(gaps) == 2 and min(gaps) >= 0.29, gaps
    assert _trail(data)[:3] == [("fake:m1", "http_429"), ("fake:m1", "http_429"), ("fake:m1", "ok")]


@pytest.mark.anyio
async def test_fallback_does_not_restart_the_retry_cycle_or_loop(fake, settings, audit_path):
    """A chain that names models twice (or a fallback that re-enters the chain) must not multiply attempts."""
    tool = _first_tool()
    settings.tools[tool].models = ["fake:m1", "fake:m2", "fake:m1", "fake:m2"]
    settings.gateway.breaker_threshold = 100  # the breaker must not be what stops the loop
    fake.script("m1", "503")
    fake.script("m2", "502")
    async with server_for(settings) as server, Client(server, cache=None) as client:
        data, elapsed = await _call(client, tool, 0)
    assert fake.calls_for("m1") == RETRIES + 1 and fake.calls_for("m2") == RETRIES + 1
    assert len(fake.requests) <= settings.gateway.max_attempts
    assert data["meta"]["engine"] == "offline" and elapsed < HARD_STOP_S
    assert [m for m, _ in _trail(data)] == ["fake:m1"] * 3 + ["fake:m2"] * 3


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["429", "429:3600"])
async def test_429_goes_down_the_chain_instead_of_failing_the_call(fake, settings, audit_path, mode):
    tool = _first_tool()
    fake.script("m1", mode)
    async with server_for(settings) as server, Client(server, cache=None) as client:
        data, elapsed = await _call(client, tool, 0)
    assert fake.calls_for("m2") >= 1, "the 429 skipped the rest of the chain"
    m1 = [o for m, o in _trail(data) if m == "fake:m1"]
    # A Retry-After past the cap moves on at once; a bare 429 is retried, then the next model.
    assert m1 == (["http_429"] if mode == "429:3600" else ["http_429"] * (RETRIES + 1))
    assert ("fake:m2", "ok") in _trail(data) and elapsed < HARD_STOP_S


@pytest.mark.anyio
async def test_connection_cut_mid_answer_is_reported_as_failure_not_success(fake, settings, audit_path):
    tool = _first_tool()
    fake.script("m1", "drop")
    async with server_for(settings) as server, Client(server, cache=None) as client:
        data, _ = await _call(client, tool, 0)
    trail = _trail(data)
    assert ("fake:m1", "ok") not in trail
    assert [o for m, o in trail if m == "fake:m1"] == ["connection"] * (RETRIES + 1)
    assert data["meta"]["model"] in ("fake:m2", None)


@pytest.mark.anyio
@pytest.mark.parametrize("fail_on", [1, 2])
async def test_redaction_fails_closed(fake, settings, audit_path, monkeypatch, fail_on):
    """If redaction raises (on the system or the user message), nothing is sent; the offline answer stands."""
    real = gateway_module.Vault

    class Flaky(real):  # type: ignore[misc, valid-type]
        calls = 0

        def redact(self, text: str) -> str:
            Flaky.calls += 1
            if Flaky.calls == fail_on:
                raise RuntimeError("pattern engine crashed")
            return super().redact(text)

    monkeypatch.setattr(gateway_module, "Vault", Flaky)
    tool = _first_tool()
    async with server_for(settings) as server, Client(server, cache=None) as client:
        data, _ = await _call(client, tool, 0)
    assert fake.requests == []
    assert data["meta"]["engine"] == "offline" and "redaction failed" in data["meta"]["degraded_reason"]


class Note(BaseModel):
    verdict: str
    notes: list[str]
    detail: dict[str, str]


@pytest.mark.anyio
async def test_placeholders_are_restored_everywhere_in_the_answer(fake, settings):
    """Nested answers (lists, objects) get the caller's values back; the model only saw placeholders."""

    def echo(body: dict[str, Any]) -> str:
        found = sorted(set(PLACEHOLDER.findall(body["messages"][-1]["content"])))
        return json.dumps({"verdict": found[0], "notes": found, "detail": {p.strip("<>"): p for p in found}})

    fake.responder = echo
    user = f"mail {SECRETS['email']} token {SECRETS['github']} dsn postgresql://app:{SECRETS['dsn_password']}@h/db"
    async with Gateway(settings) as gw:
        done = await gw.complete(
            "t", ["fake:m1"], "sys", user, Note, deadline=anyio.current_time() + DEADLINE_S
        )
    text = done.answer.model_dump_json()
    assert not PLACEHOLDER.search(text), text
    assert SECRETS["email"] in done.answer.notes and SECRETS["github"] in done.answer.detail.values()
    assert sent_secrets(fake.raw_bodies) == []


@pytest.mark.anyio
async def test_redacted_values_never_reach_the_logs(fake, settings, audit_path, caplog):
    """Every logger at DEBUG (ours, openai, httpx) plus the audit trail: no planted value anywhere."""
    caplog.set_level(logging.DEBUG)
    for name in ("openai", "httpx", "httpcore", "aiops_mcp"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    tool = _first_tool()
    fake.script("m1", ["503", "bad_schema", "ok"])
    try:
        async with server_for(settings) as server, Client(server, cache=None) as client:
            await _call(client, tool, 0)
    finally:
        for name in ("openai", "httpx", "httpcore", "aiops_mcp"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    # Every record of every logger (ours, the SDKs', the MCP server's), message and arguments.
    gateway_logs = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "HTTP Response" in gateway_logs and "503" in gateway_logs, "DEBUG logging was not on"
    leaked = [name for name, value in SECRETS.items() if value in gateway_logs]
    assert leaked == []
    audit = audit_path.read_text()
    assert audit.count("\n") >= 2 and not [n for n, v in SECRETS.items() if v in audit]


@pytest.mark.anyio
async def test_retries_are_jittered_so_concurrent_callers_do_not_bunch(fake, settings):
    """50 callers fail at once; their retries spread over the backoff window instead of arriving together."""
    settings.gateway.backoff_base_s = 0.4
    settings.gateway.backoff_cap_s = 0.4
    settings.gateway.breaker_threshold = 1000
    settings.gateway.attempt_timeout_s = 2.0
    fake.script("m1", ["503"] * 50 + ["ok"])
    fake.responder = lambda body: json.dumps({"verdict": "ok", "notes": [], "detail": {}})
    async with Gateway(settings) as gw:

        async def one(n: int) -> None:
            # The 50 failing slots are shared: a late first attempt may fail more than once; only timing matters.
            with contextlib.suppress(AllModelsFailed):
                await gw.complete(
                    "t", ["fake:m1"], "sys", f"call {n}", Note, deadline=anyio.current_time() + 5
                )

        async with anyio.create_task_group() as tg:
            for n in range(50):
                tg.start_soon(one, n)
    arrivals: dict[str, list[float]] = {}
    for r in fake.requests:
        arrivals.setdefault(r["messages"][-1]["content"], []).append(r["_received_at"])
    gaps = [times[1] - times[0] for times in arrivals.values() if len(times) >= 2]
    # Under load a quick retry can take one of the 50 failing slots, so a few calls succeed first time.
    assert len(gaps) >= 30, len(gaps)
    # Full jitter: uniform over [0, 0.4] s, standard deviation ~0.115 s. A fixed delay would give ~0.
    assert statistics.pstdev(gaps) > 0.06, statistics.pstdev(gaps)
    assert max(gaps) - min(gaps) > 0.2
