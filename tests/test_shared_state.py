"""Breaker board and response cache shared through the Redis on this machine (127.0.0.1:6379)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import anyio
import pytest
from pydantic import BaseModel

from aiops_mcp.server.config import Settings
from aiops_mcp.server.gateway.shared_state import (
    RedisBreakerBoard,
    RedisResponseCache,
    connect,
)
from tests.fake_openai import FakeOpenAI

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.3).ping())
    except Exception:
        return False


pytestmark = pytest.mark.skipif(not _redis_reachable(), reason=f"no Redis answering at {REDIS_URL}")


@pytest.fixture
def prefix() -> Iterator[str]:
    """A fresh key prefix per test; every key under it is deleted afterwards."""
    import redis

    value = f"aiops-test-{uuid.uuid4().hex[:12]}:"
    yield value
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{value}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
async def clients() -> AsyncIterator[tuple[object, object]]:
    """Two clients = two replicas."""
    a, b = connect(REDIS_URL), connect(REDIS_URL)
    yield a, b
    await a.aclose()
    await b.aclose()


@pytest.mark.anyio
async def test_failures_on_one_replica_open_the_breaker_for_all(clients, prefix):
    a = RedisBreakerBoard(clients[0], threshold=3, cooldown_s=60, prefix=prefix)
    b = RedisBreakerBoard(clients[1], threshold=3, cooldown_s=60, prefix=prefix)
    for _ in range(2):
        await a.arecord_failure("gw/m1")
    assert await b.aallow("gw/m1")  # two failures: still closed
    await b.arecord_failure("gw/m1")  # the third, seen by the other replica
    assert not await a.aallow("gw/m1") and not await b.aallow("gw/m1")
    assert a.state("gw/m1") == "open" and b.snapshot() == {"gw/m1": "open"}
    assert await a.aallow("gw/other")


@pytest.mark.anyio
async def test_success_closes_for_all_and_resets_the_count(clients, prefix):
    a = RedisBreakerBoard(clients[0], threshold=2, cooldown_s=60, prefix=prefix)
    b = RedisBreakerBoard(clients[1], threshold=2, cooldown_s=60, prefix=prefix)
    await a.arecord_failure("m")
    await b.arecord_success("m")
    await a.arecord_failure("m")
    assert await b.aallow("m")  # consecutive failures only: the success in between reset the count


@pytest.mark.anyio
async def test_half_open_grants_one_trial_across_replicas(clients, prefix):
    a = RedisBreakerBoard(clients[0], threshold=1, cooldown_s=0.2, prefix=prefix)
    b = RedisBreakerBoard(clients[1], threshold=1, cooldown_s=0.2, prefix=prefix)
    await a.arecord_failure("m")
    assert not await b.aallow("m")
    await anyio.sleep(0.3)
    verdicts = [await a.aallow("m"), await b.aallow("m"), await a.aallow("m")]
    assert verdicts.count(True) == 1
    # The trial fails: open again, for everyone, for another cool-down.
    await a.arecord_failure("m")
    assert not await b.aallow("m")
    await anyio.sleep(0.3)
    assert await b.aallow("m")
    await b.arecord_success("m")
    assert await a.aallow("m") and a.state("m") == "closed"


@pytest.mark.anyio
async def test_a_released_trial_can_be_taken_again(clients, prefix):
    a = RedisBreakerBoard(clients[0], threshold=1, cooldown_s=0.05, prefix=prefix)
    await a.arecord_failure("m")
    await anyio.sleep(0.1)
    assert await a.aallow("m")
    assert not await a.aallow("m")
    await a.arelease("m")
    assert await a.aallow("m")


@pytest.mark.anyio
async def test_trial_lease_expires_if_its_holder_dies(clients, prefix):
    a = RedisBreakerBoard(clients[0], threshold=1, cooldown_s=0.05, prefix=prefix, trial_lease_s=0.2)
    b = RedisBreakerBoard(clients[1], threshold=1, cooldown_s=0.05, prefix=prefix, trial_lease_s=0.2)
    await a.arecord_failure("m")
    await anyio.sleep(0.1)
    assert await a.aallow("m")  # a takes the trial and never reports back
    assert not await b.aallow("m")
    await anyio.sleep(0.3)
    assert await b.aallow("m")


@pytest.mark.anyio
async def test_cache_is_shared_and_expires(clients, prefix):
    a = RedisResponseCache(clients[0], ttl_s=0.3, max_entries=10, prefix=prefix)
    b = RedisResponseCache(clients[1], ttl_s=0.3, max_entries=10, prefix=prefix)
    await a.aput("k1", ("fake:m1", {"verdict": "<EMAIL_1>"}))
    assert await b.aget("k1") == ("fake:m1", {"verdict": "<EMAIL_1>"})
    assert await b.aget("missing") is None
    await anyio.sleep(0.45)
    c = RedisResponseCache(clients[1], ttl_s=0.3, max_entries=10, prefix=prefix)
    assert await c.aget("k1") is None


@pytest.mark.anyio
async def test_cache_off_when_ttl_is_zero(clients, prefix):
    cache = RedisResponseCache(clients[0], ttl_s=0, max_entries=10, prefix=prefix)
    await cache.aput("k", ("m", {}))
    assert await cache.aget("k") is None and not cache.enabled


@pytest.mark.anyio
async def test_unreachable_redis_falls_back_to_memory_without_failing_calls(prefix):
    dead = connect("redis://127.0.0.1:1/0")  # nothing listens on port 1
    board = RedisBreakerBoard(dead, threshold=2, cooldown_s=60, prefix=prefix)
    cache = RedisResponseCache(dead, ttl_s=60, max_entries=10, prefix=prefix)
    assert await board.aallow("m")
    await board.arecord_failure("m")
    await board.arecord_failure("m")
    assert not await board.aallow("m") and board.state("m") == "open"
    await cache.aput("k", ("m", {"a": 1}))
    assert await cache.aget("k") == ("m", {"a": 1})
    await board.aclose()


class Verdict(BaseModel):
    verdict: str
    note: str


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    server.responder = lambda body: '{"verdict": "retry", "note": "ok"}'
    yield server
    server.stop()


def _settings(fake: FakeOpenAI, **gateway: object) -> Settings:
    return Settings.model_validate(
        {
            "endpoints": {"fake": {"base_url": fake.base_url}},
            "redis_url": REDIS_URL,
            "gateway": {
                "attempt_timeout_s": 1.0,
                "retries_per_model": 2,
                "backoff_base_s": 0.01,
                "backoff_cap_s": 0.02,
                "breaker_threshold": 3,
                "breaker_cooldown_s": 60,
                **gateway,
            },
        }
    )


@pytest.mark.anyio
async def test_replicas_agree_on_which_model_is_down(fake, prefix):
    from aiops_mcp.server.gateway.gateway import Gateway

    fake.reset()
    fake.script("m1", "503")
    settings = _settings(fake)
    replicas = []
    for _ in range(2):
        client = connect(REDIS_URL)
        replicas.append(
            Gateway(
                settings,
                breakers=RedisBreakerBoard(client, 3, 60, prefix=prefix),
                cache=RedisResponseCache(client, 600, 64, prefix=prefix),
            )
        )
    a, b = replicas
    async with a, b:
        first = await a.complete(
            "t", ["fake:m1", "fake:m2"], "s", "u1", Verdict, deadline=anyio.current_time() + 5
        )
        assert first.model == "fake:m2" and [x.outcome for x in first.attempts][:3] == ["http_503"] * 3
        sent_to_m1 = fake.calls_for("m1")
        # Replica b never called m1 itself, and skips it: the breaker it reads is a's.
        second = await b.complete(
            "t", ["fake:m1", "fake:m2"], "s", "u2", Verdict, deadline=anyio.current_time() + 5
        )
        assert second.attempts[0].outcome == "breaker_open" and fake.calls_for("m1") == sent_to_m1
        # And b answers a's question from the shared cache without sending anything.
        sent = len(fake.requests)
        third = await b.complete(
            "t", ["fake:m1", "fake:m2"], "s", "u1", Verdict, deadline=anyio.current_time() + 5
        )
        assert third.cache == "hit" and len(fake.requests) == sent


@pytest.mark.anyio
async def test_redis_url_in_settings_selects_the_shared_state(fake):
    from aiops_mcp.server.gateway.gateway import Gateway

    async with Gateway(_settings(fake)) as gw:
        assert isinstance(gw.breakers, RedisBreakerBoard) and isinstance(gw.cache, RedisResponseCache)
