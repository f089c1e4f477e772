"""Breaker board and response cache shared through Redis, so replicas agree on which model is down.

Same interface as `BreakerBoard` / `ResponseCache` (the gateway calls the async methods `aallow`,
`arecord_success`, `arecord_failure`, `arelease`, `aget`, `aput`; `state()` / `snapshot()` stay sync
and answer from the last state this replica saw). Redis is an optimisation of agreement, never a
dependency of a tool call: when Redis errors or is slow, each call falls back to the in-memory board
and cache of this replica, logs it (at most once a minute) and retries Redis a few seconds later.

Breaker times are wall-clock seconds (`time.time()`): monotonic clocks are not comparable across
machines. Keys: `<prefix>breaker:<model>` (hash: failures, opened_at), `<prefix>trial:<model>` (the
half-open trial lease, one replica at a time), `<prefix>cache:<sha256>` (redacted answer, with TTL).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from aiops_mcp.server.gateway.breaker import BreakerBoard, State
from aiops_mcp.server.gateway.cache import ResponseCache

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "aiops-mcp:"

# allow(): 1 closed, 0 open, 2 half-open and this caller holds the trial, 3 half-open, trial taken.
_ALLOW = """
local opened = redis.call('HGET', KEYS[1], 'opened_at')
if not opened then return 1 end
if tonumber(ARGV[1]) - tonumber(opened) < tonumber(ARGV[2]) then return 0 end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[3]) then return 2 end
return 3
"""

# record_failure(): returns 1 when the breaker is (now) open.
_FAILURE = """
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local opened = redis.call('HGET', KEYS[1], 'opened_at')
redis.call('DEL', KEYS[2])
if opened or failures >= tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'opened_at', ARGV[1])
  opened = ARGV[1]
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
if opened then return 1 end
return 0
"""


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.RedisError, OSError, TimeoutError)


def connect(url: str, *, timeout_s: float = 0.5) -> Any:
    """A `redis.asyncio` client with short timeouts: a slow Redis must not stall tool calls."""
    import redis.asyncio as aioredis

    return aioredis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        health_check_interval=30,
        decode_responses=True,
    )


class _Fallback:
    """Remembers that Redis failed, so calls use local state for a while instead of waiting on it."""

    def __init__(self, what: str, retry_after_s: float = 5.0) -> None:
        self.what = what
        self.retry_after_s = retry_after_s
        self._down_until = 0.0
        self._last_log = -1e9

    @property
    def active(self) -> bool:
        return time.monotonic() < self._down_until

    def trip(self, exc: BaseException) -> None:
        now = time.monotonic()
        self._down_until = now + self.retry_after_s
        if now - self._last_log > 60:
            self._last_log = now
            log.warning(
                "Redis unavailable for the %s (%s); using this replica's memory",
                self.what,
                type(exc).__name__,
            )


class RedisBreakerBoard:
    """A `BreakerBoard` whose state lives in Redis: one replica's failures open the breaker for all."""

    def __init__(
        self,
        client: Any,
        threshold: int,
        cooldown_s: float,
        *,
        prefix: str = DEFAULT_PREFIX,
        trial_lease_s: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self.prefix = prefix
        self._client = client
        self._clock = clock
        self._lease_ms = max(1, int(trial_lease_s * 1000))
        # A closed breaker's failure count is forgotten after this long without news (bounded keys).
        self._ttl_s = max(3600, int(cooldown_s * 10))
        self._allow = client.register_script(_ALLOW)
        self._failure = client.register_script(_FAILURE)
        self._local = BreakerBoard(threshold, cooldown_s)
        self._seen: dict[str, tuple[State, float | None]] = {}
        self._fallback = _Fallback("circuit breakers")
        self._errors = _redis_errors()

    def _keys(self, model: str) -> list[str]:
        return [f"{self.prefix}breaker:{model}", f"{self.prefix}trial:{model}"]

    # The async interface the gateway uses.
    async def aallow(self, model: str) -> bool:
        if self._fallback.active:
            return self._local.allow(model)
        now = self._clock()
        try:
            code = int(await self._allow(keys=self._keys(model), args=[now, self.cooldown_s, self._lease_ms]))
        except self._errors as exc:
            self._fallback.trip(exc)
            return self._local.allow(model)
        self._seen[model] = {1: ("closed", None), 0: ("open", now)}.get(code, ("half_open", now))
        return code in (1, 2)

    async def arecord_success(self, model: str) -> None:
        self._local.record_success(model)
        self._seen[model] = ("closed", None)
        if self._fallback.active:
            return
        try:
            await self._client.delete(*self._keys(model))
        except self._errors as exc:
            self._fallback.trip(exc)

    async def arecord_failure(self, model: str) -> None:
        self._local.record_failure(model)
        if self._fallback.active:
            return
        now = self._clock()
        try:
            opened = await self._failure(keys=self._keys(model), args=[now, self.threshold, self._ttl_s])
        except self._errors as exc:
            self._fallback.trip(exc)
            return
        if int(opened):
            self._seen[model] = ("open", now)

    async def arelease(self, model: str) -> None:
        self._local.release(model)
        if self._fallback.active:
            return
        try:
            await self._client.delete(self._keys(model)[1])
        except self._errors as exc:
            self._fallback.trip(exc)

    # Sync views for `aiops://usage`: the last state this replica saw (Redis is not asked).
    def state(self, model: str) -> State:
        if self._fallback.active:
            return self._local.state(model)
        seen, opened_at = self._seen.get(model, ("closed", None))
        if seen == "closed" or opened_at is None:
            return "closed"
        return "half_open" if self._clock() - opened_at >= self.cooldown_s else "open"

    def snapshot(self) -> dict[str, State]:
        return {model: self.state(model) for model in self._seen}

    async def aclose(self) -> None:
        await self._client.aclose()


class RedisResponseCache:
    """A `ResponseCache` shared through Redis, with a small local copy in front (answers never change)."""

    def __init__(self, client: Any, ttl_s: float, max_entries: int, *, prefix: str = DEFAULT_PREFIX) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.prefix = prefix
        self._client = client
        self._local = ResponseCache(ttl_s, max_entries)
        self._fallback = _Fallback("response cache")
        self._errors = _redis_errors()

    @property
    def enabled(self) -> bool:
        return self._local.enabled

    async def aget(self, key: str) -> Any | None:
        if not self.enabled:
            return None
        hit = self._local.get(key)
        if hit is not None or self._fallback.active:
            return hit
        try:
            raw = await self._client.get(f"{self.prefix}cache:{key}")
        except self._errors as exc:
            self._fallback.trip(exc)
            return None
        if raw is None:
            return None
        try:
            model, answer = json.loads(raw)
        except (ValueError, TypeError):
            return None
        value = (model, answer)
        self._local.put(key, value)
        return value

    async def aput(self, key: str, value: Any) -> None:
        if not self.enabled:
            return
        self._local.put(key, value)
        if self._fallback.active:
            return
        try:
            await self._client.set(f"{self.prefix}cache:{key}", json.dumps(value), px=int(self.ttl_s * 1000))
        except self._errors as exc:
            self._fallback.trip(exc)

    async def aclose(self) -> None:
        # The client is shared with the breaker board, which closes it.
        return None

    def get(self, key: str) -> Any | None:
        return self._local.get(key)

    def put(self, key: str, value: Any) -> None:
        self._local.put(key, value)

    def __len__(self) -> int:
        return len(self._local)


def shared_state(
    url: str,
    threshold: int,
    cooldown_s: float,
    ttl_s: float,
    max_entries: int,
    *,
    prefix: str = DEFAULT_PREFIX,
    trial_lease_s: float = 30.0,
) -> tuple[RedisBreakerBoard, RedisResponseCache]:
    """Board and cache on one Redis client (connections are opened on first use, in the caller's loop)."""
    client = connect(url)
    board = RedisBreakerBoard(client, threshold, cooldown_s, prefix=prefix, trial_lease_s=trial_lease_s)
    return board, RedisResponseCache(client, ttl_s, max_entries, prefix=prefix)
