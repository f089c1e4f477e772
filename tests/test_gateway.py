"""The gateway against a real loopback OpenAI-compatible server with fault modes."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from pydantic import BaseModel

from aiops_mcp.server.config import Settings
from aiops_mcp.server.gateway import gateway as gateway_module
from aiops_mcp.server.gateway.audit import AuditLog
from aiops_mcp.server.gateway.backoff import full_jitter, parse_retry_after
from aiops_mcp.server.gateway.errors import AllModelsFailed, RedactionFailed
from aiops_mcp.server.gateway.gateway import Gateway
from tests.fake_openai import FakeOpenAI

SECRETS = {
    "email": "maria.santos@acme.ph",
    "github": "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "dsn": "postgresql://app:Sup3rS3cret!@db.internal:5432/ledger",
    "tin": "123-456-789-000",
}


class Verdict(BaseModel):
    verdict: str
    note: str


def echo_placeholders(body: dict) -> str:
    """Answer with the placeholders the prompt contained, as a model that quotes its input would."""
    user = body["messages"][-1]["content"] if body.get("messages") else ""
    found = sorted(set(re.findall(r"<[A-Z_]+_\d+>", " ".join(m["content"] for m in body["messages"]))))
    return json.dumps({"verdict": "retry", "note": f"seen {' '.join(found)} in {len(user)} chars"})


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    server.hang_s = 5.0
    yield server
    server.stop()


@pytest.fixture
def settings(fake: FakeOpenAI) -> Settings:
    fake.reset()
    fake.responder = echo_placeholders
    return Settings.model_validate(
        {
            "endpoints": {"fake": {"base_url": fake.base_url}},
            "gateway": {
                "deadline_s": 6,
                "attempt_timeout_s": 1.0,
                "retries_per_model": 2,
                "backoff_base_s": 0.01,
                "backoff_cap_s": 0.05,
                "breaker_threshold": 3,
                "breaker_cooldown_s": 60,
            },
        }
    )


def prompt_with_secrets() -> str:
    return (
        f"Job failed for {SECRETS['email']} using {SECRETS['dsn']}; token {SECRETS['github']}; "
        f"vendor TIN {SECRETS['tin']}; contact {SECRETS['email']} again."
    )


async def ask(gw: Gateway, chain: list[str], deadline_s: float = 6.0, user: str | None = None):
    return await gw.complete(
        "analyze_failure",
        chain,
        "system",
        user or prompt_with_secrets(),
        Verdict,
        deadline=anyio.current_time() + deadline_s,
    )


def assert_no_secret_sent(fake: FakeOpenAI) -> None:
    for raw in fake.raw_bodies:
        text = raw.decode()
        for value in SECRETS.values():
            assert value not in text, f"{value!r} reached the model server"


@pytest.mark.anyio
async def test_first_model_503_second_answers_and_secrets_never_leave(fake, settings):
    fake.script("m1", "503")
    async with Gateway(settings) as gw:
        done = await ask(gw, ["fake:m1", "fake:m2"])
        assert done.model == "fake:m2"
        assert [a.outcome for a in done.attempts] == ["http_503", "http_503", "http_503", "ok"]
        assert_no_secret_sent(fake)
        assert fake.calls_for("m2") == 1
        # Placeholders are restored in the answer: the model quoted them, the caller sees real values.
        assert SECRETS["email"] in done.answer.note and SECRETS["tin"] in done.answer.note
        assert done.redactions >= 4


@pytest.mark.anyio
async def test_same_value_same_placeholder_within_a_call(fake, settings):
    async with Gateway(settings) as gw:
        await ask(gw, ["fake:m1"])
        user = fake.requests[-1]["messages"][-1]["content"]
        emails = re.findall(r"<EMAIL_\d+>", user)
        assert len(emails) == 2 and len(set(emails)) == 1


@pytest.mark.anyio
async def test_all_models_fail_raises_with_trail_within_deadline(fake, settings):
    fake.script("m1", "500")
    fake.script("m2", "502")
    async with Gateway(settings) as gw:
        started = anyio.current_time()
        with pytest.raises(AllModelsFailed) as info:
            await ask(gw, ["fake:m1", "fake:m2"], deadline_s=3)
        assert anyio.current_time() - started < 3.5
        outcomes = [(a.model, a.outcome) for a in info.value.attempts]
        assert ("fake:m1", "http_500") in outcomes and ("fake:m2", "http_502") in outcomes


@pytest.mark.anyio
async def test_breaker_skips_dead_model_on_next_call(fake, settings):
    fake.script("m1", "503")
    async with Gateway(settings) as gw:
        await ask(gw, ["fake:m1", "fake:m2"])
        calls_before = fake.calls_for("m1")
        second = await ask(gw, ["fake:m1", "fake:m2"], user="another prompt")
        assert fake.calls_for("m1") == calls_before
        assert second.attempts[0].outcome == "breaker_open"
        assert gw.breakers.snapshot()["fake:m1"] == "open"


@pytest.mark.anyio
async def test_breaker_half_opens_after_cooldown(fake, settings):
    settings.gateway.breaker_cooldown_s = 0.2
    fake.script("m1", ["503", "503", "503", "ok"])
    async with Gateway(settings) as gw:
        await ask(gw, ["fake:m1", "fake:m2"])
        await anyio.sleep(0.3)
        assert gw.breakers.state("fake:m1") == "half_open"
        done = await ask(gw, ["fake:m1", "fake:m2"], user="after cool-down")
        assert done.model == "fake:m1"
        assert gw.breakers.state("fake:m1") == "closed"


@pytest.mark.anyio
async def test_retry_after_is_honoured_on_every_retry(fake, settings):
    fake.script("m1", ["429:0.4", "429:0.4", "ok"])
    async with Gateway(settings) as gw:
        done = await ask(gw, ["fake:m1", "fake:m2"])
        assert done.model == "fake:m1"
        stamps = [r["_received_at"] for r in fake.requests if r["model"] == "m1"]
        gaps = [b - a for a, b in itertools.pairwise(stamps)]
        assert len(gaps) == 2 and all(gap >= 0.38 for gap in gaps), gaps


@pytest.mark.anyio
async def test_429_exhausted_moves_down_the_chain(fake, settings):
    fake.script("m1", "429")
    async with Gateway(settings) as gw:
        done = await ask(gw, ["fake:m1", "fake:m2"])
        assert done.model == "fake:m2"
        assert fake.calls_for("m1") == settings.gateway.retries_per_model + 1


@pytest.mark.anyio
async def test_retry_after_longer_than_cap_moves_on_at_once(fake, settings):
    fake.script("m1", "429:3600")
    async with Gateway(settings) as gw:
        done = await ask(gw, ["fake:m1", "fake:m2"])
        assert done.model == "fake:m2" and fake.calls_for("m1") == 1


@pytest.mark.anyio
@pytest.mark.parametrize("status", ["400", "401", "403", "404", "422"])
async def test_client_errors_are_not_retried(fake, settings, status):
    fake.script("m1", status)
    async with Gateway(settings) as gw:
        done = await ask(gw, ["fake:m1", "fake:m2"])
        assert fake.calls_for("m1") == 1
        assert done.attempts[0].outcome == f"http_{status}" and done.model == "fake:m2"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("mode", "outcome"),
    [
        ("malformed", "invalid_response"),
        ("drop", "connection"),
        ("refused", "connection"),
        ("empty", "empty"),
    ],
)
async def test_broken_answers_fall_back(fake, settings, mode, outcome):
    fake.script("m1", mode)
    async with Gateway(settings) as gw:
        done = await ask(gw, ["fake:m1", "fake:m2"])
        assert done.model == "fake:m2"
        assert done.attempts[0].outcome == outcome


@pytest.mark.anyio
async def test_schema_violation_gets_one_repair_then_next_model(fake, settings):
    fake.script("m1", "bad_schema")
    async with Gateway(settings) as gw:
        done = await ask(gw, ["fake:m1", "fake:m2"])
        assert [a.outcome for a in done.attempts] == ["schema", "schema", "ok"]
        repair = [r for r in fake.requests if r["model"] == "m1"][1]
        assert repair["messages"][-1]["role"] == "user" and "not valid" in repair["messages"][-1]["content"]


@pytest.mark.anyio
async def test_repair_succeeds_on_the_same_model(fake, settings):
    fake.script("m1", ["not_json", "ok"])
    async with Gateway(settings) as gw:
        done = await ask(gw, ["fake:m1", "fake:m2"])
        assert done.model == "fake:m1" and [a.outcome for a in done.attempts] == ["invalid_json", "ok"]


@pytest.mark.anyio
async def test_json_schema_refused_falls_back_to_json_mode(fake, settings):
    fake.script("m1", "refuse_schema")
    async with Gateway(settings) as gw:
        done = await ask(gw, ["fake:m1"])
        assert done.model == "fake:m1"
        formats = [r["response_format"]["type"] for r in fake.requests]
        assert formats == ["json_schema", "json_object"]
        await ask(gw, ["fake:m1"], user="second call remembers JSON mode")
        assert fake.requests[-1]["response_format"]["type"] == "json_object"


@pytest.mark.anyio
async def test_hang_past_timeout_then_deadline_holds(fake, settings):
    fake.script("m1", "hang")
    fake.script("m2", "hang")
    settings.gateway.retries_per_model = 0
    async with Gateway(settings) as gw:
        started = anyio.current_time()
        with pytest.raises(AllModelsFailed) as info:
            await ask(gw, ["fake:m1", "fake:m2"], deadline_s=1.5)
        assert anyio.current_time() - started < 2.5
        assert info.value.attempts[0].outcome == "timeout"


@pytest.mark.anyio
async def test_total_attempts_are_bounded_so_a_chain_cannot_loop(fake, settings):
    chain = [f"fake:dead{i}" for i in range(10)]
    for entry in chain:
        fake.script(entry.split(":")[1], "503")
    async with Gateway(settings) as gw:
        with pytest.raises(AllModelsFailed):
            await ask(gw, chain)
        assert len(fake.requests) <= settings.gateway.max_attempts


@pytest.mark.anyio
async def test_cache_hit_sends_nothing_and_restores(fake, settings):
    async with Gateway(settings) as gw:
        first = await ask(gw, ["fake:m1"])
        sent = len(fake.requests)
        second = await ask(gw, ["fake:m1"])
        assert len(fake.requests) == sent and second.cache == "hit"
        assert second.answer == first.answer


@pytest.mark.anyio
async def test_redaction_failure_sends_nothing(fake, settings, monkeypatch):
    class Exploding:
        count = 0

        def redact(self, text: str) -> str:
            raise RuntimeError("boom")

        def close(self) -> None:
            pass

    monkeypatch.setattr(gateway_module, "Vault", Exploding)
    async with Gateway(settings) as gw:
        with pytest.raises(RedactionFailed):
            await ask(gw, ["fake:m1"])
        assert fake.requests == []


@pytest.mark.anyio
async def test_audit_trail_holds_only_redacted_text(fake, settings, tmp_path: Path):
    fake.script("m1", ["503", "ok"])
    audit = AuditLog(tmp_path / "audit.jsonl", retention_days=90)
    async with Gateway(settings, audit=audit) as gw:
        await ask(gw, ["fake:m1"])
        text = (tmp_path / "audit.jsonl").read_text()
        lines = [json.loads(line) for line in text.splitlines()]
        assert [r["outcome"] for r in lines] == ["http_503", "ok"]
        for value in SECRETS.values():
            assert value not in text


def test_audit_retention_drops_old_records(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    path.write_text(
        json.dumps({"time": "2001-01-01T00:00:00+00:00"})
        + "\n"
        + json.dumps({"time": "2999-01-01T00:00:00+00:00"})
        + "\n"
    )
    assert AuditLog(path, retention_days=90).purge() == 1
    assert "2999" in path.read_text() and "2001" not in path.read_text()


def test_full_jitter_spreads_retries():
    delays = [full_jitter(3, 0.5, 10.0) for _ in range(200)]
    assert all(0 <= d <= 4.0 for d in delays)
    assert len({round(d, 3) for d in delays}) > 150


def test_retry_after_parses_seconds_and_dates():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("garbage") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_audit_creates_its_folder_and_appends(tmp_path: Path):
    from datetime import UTC, datetime

    from aiops_mcp.server.gateway.audit import AuditEntry

    path = tmp_path / "new" / "dir" / "audit.jsonl"
    audit = AuditLog(path, retention_days=1)
    for outcome in ("ok", "http_503"):
        audit.record(
            AuditEntry(
                time=datetime.now(UTC),
                tool="t",
                model="m",
                outcome=outcome,
                latency_ms=1,
                prompt_hash="x",
                prompt="p",
            )
        )
    audit.close()
    assert [json.loads(line)["outcome"] for line in path.read_text().splitlines()] == ["ok", "http_503"]


@pytest.mark.anyio
async def test_vault_is_closed_when_the_call_ends(fake, settings, monkeypatch):
    from aiops_mcp.server.gateway.redaction import Vault

    closed: list[bool] = []

    class Recording(Vault):  # type: ignore[misc, valid-type]
        def close(self) -> None:
            closed.append(True)
            super().close()

    monkeypatch.setattr(gateway_module, "Vault", Recording)
    fake.script("m1", "500")
    async with Gateway(settings) as gw:
        done = await ask(gw, ["fake:m1", "fake:m2"])
        with pytest.raises(AllModelsFailed):
            fake.script("m2", "500")
            await ask(gw, ["fake:m2"], user="another")
    assert SECRETS["email"] in done.answer.note and closed == [True, True]
