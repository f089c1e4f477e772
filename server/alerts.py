"""Alerts for critical findings: a Slack-compatible incoming webhook, sent in the background.

`predict_incidents` and `triage_dlq` call `AlertSender.submit(alert)` for critical findings. Submit
never blocks and never raises: it deduplicates (the same key is not re-sent within the quiet
period), enqueues, and returns. The server's lifespan runs `run()`, which posts each alert as
{"text": ...} after redaction, retrying 429/5xx/timeouts with exponential backoff (Retry-After is
honoured, capped). Failures are logged (never the webhook URL: it is a credential) and counted in
`stats`, which the server shows in `aiops://usage`.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Literal

import anyio
import httpx
from pydantic import BaseModel

from aiops_mcp.server.gateway.backoff import parse_retry_after

log = logging.getLogger(__name__)


class Alert(BaseModel):
    source: Literal["predict_incidents", "triage_dlq"]
    key: str  # dedup key: the same finding has the same key
    severity: str = "critical"
    title: str
    text: str


class AlertStats(BaseModel):
    submitted: int = 0
    sent: int = 0
    deduplicated: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0  # the queue was full (oldest alert dropped)
    last_error: str | None = None


class AlertSender:
    """Background, deduplicated, retried delivery of alerts to one webhook."""

    def __init__(
        self,
        webhook_url: str | None,
        *,
        quiet_period_s: float = 900,
        max_attempts: int = 4,
        redact: Callable[[str], str] | None = None,
        timeout_s: float = 5.0,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30.0,
        max_queue: int = 100,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self._url = webhook_url
        self._quiet = quiet_period_s
        self._max_attempts = max(1, max_attempts)
        self._redact = redact
        self._timeout = timeout_s
        self._backoff_base = backoff_base_s
        self._backoff_max = backoff_max_s
        self._queue: deque[Alert] = deque()
        self._max_queue = max_queue
        self._clock = clock
        self._sleep = sleep
        self._last_sent: dict[str, float] = {}
        self._wake: anyio.Event | None = None
        self._closing = False
        self._idle = True
        self._client: httpx.AsyncClient | None = None
        self.stats = AlertStats()

    @property
    def enabled(self) -> bool:
        return bool(self._url)

    def submit(self, finding: Alert) -> None:
        """Queue `finding` for delivery unless it was sent within the quiet period. Never blocks or raises."""
        try:
            if not self._url or self._closing:
                return
            self.stats.submitted += 1
            now = self._clock()
            last = self._last_sent.get(finding.key)
            if last is not None and now - last < self._quiet:
                self.stats.deduplicated += 1
                return
            self._last_sent[finding.key] = now
            if len(self._queue) >= self._max_queue:
                dropped = self._queue.popleft()
                self._last_sent.pop(dropped.key, None)
                self.stats.dropped += 1
            self._queue.append(finding)
            if self._wake is not None:
                self._wake.set()
        except Exception:  # an alert must never break the tool call that found the problem
            log.exception("alert submit failed")

    async def run(self) -> None:
        """Deliver queued alerts until `aclose()`; run it as a background task of the server."""
        self._client = self._client or httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        try:
            while not self._closing:
                if not self._queue:
                    self._idle = True
                    self._wake = anyio.Event()
                    if self._queue:  # submitted between the check and the new event
                        self._wake.set()
                    await self._wake.wait()
                    continue
                self._idle = False
                alert = self._queue.popleft()
                try:
                    await self._deliver(alert)
                except Exception as exc:  # keep the loop alive whatever one delivery does
                    self._failed(alert, f"{type(exc).__name__}")
                    log.exception("alert delivery crashed")
        finally:
            self._idle = True
            client, self._client = self._client, None
            if client is not None:
                with anyio.CancelScope(shield=True):
                    await client.aclose()

    async def drain(self, timeout_s: float = 5.0) -> None:
        """Wait (bounded) until the queue is empty and no delivery is in flight."""
        with anyio.move_on_after(timeout_s):
            while self._queue or not self._idle:
                await anyio.sleep(0.01)

    async def aclose(self, drain_s: float = 2.0) -> None:
        """Give queued alerts a short chance to go out, then stop `run()`."""
        if self._wake is not None and self._queue:
            await self.drain(drain_s)
        self._closing = True
        if self._wake is not None:
            self._wake.set()

    # ------------------------------------------------------------------ delivery
    def _message(self, alert: Alert) -> str:
        text = f"[{alert.severity.upper()}] {alert.title}\n{alert.text}\n(source: {alert.source})"
        return self._redact(text) if self._redact is not None else text

    def _failed(self, alert: Alert, reason: str) -> None:
        self.stats.failed += 1
        self.stats.last_error = reason
        self._last_sent.pop(alert.key, None)  # not delivered: the next occurrence may try again
        log.warning("alert %r from %s not delivered: %s", alert.title[:80], alert.source, reason)

    async def _deliver(self, alert: Alert) -> None:
        try:
            payload = {"text": self._message(alert)}
        except Exception as exc:  # unredacted text never leaves the machine
            self._failed(alert, f"redaction failed ({type(exc).__name__})")
            return
        assert self._client is not None and self._url is not None
        reason = "no attempt"
        for attempt in range(1, self._max_attempts + 1):
            delay: float | None = None
            try:
                r = await self._client.post(self._url, json=payload, timeout=self._timeout)
            except httpx.TimeoutException:
                reason = "timeout"
            except httpx.TransportError as exc:
                reason = f"connection ({type(exc).__name__})"
            else:
                if 200 <= r.status_code < 300:
                    self.stats.sent += 1
                    return
                reason = f"http_{r.status_code}"
                if r.status_code != 429 and r.status_code < 500:
                    break  # a 4xx other than 429 will not get better by retrying
                delay = parse_retry_after(r.headers.get("retry-after"))
            if attempt == self._max_attempts:
                break
            if delay is None:
                delay = self._backoff_base * 2 ** (attempt - 1)
            self.stats.retried += 1
            await self._sleep(min(delay, self._backoff_max))
        self._failed(alert, reason)
