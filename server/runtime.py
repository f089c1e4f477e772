"""What every tool call shares: settings, the gateway, the store, usage counters, alerts.

`Runtime.answer()` is steps 3-5 of the design's flow for any tool: given the offline result, ask the
chain when the policy says so, check the answer against the facts, and fill `meta`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import anyio
from pydantic import BaseModel

from aiops_mcp.server.config import Settings
from aiops_mcp.server.gateway.audit import AuditLog
from aiops_mcp.server.gateway.errors import AllModelsFailed, RedactionFailed
from aiops_mcp.server.gateway.gateway import Gateway
from aiops_mcp.server.prompting import system_prompt
from aiops_mcp.server.usage import UsageBook
from aiops_mcp.tools.meta import Attempt, Meta
from aiops_mcp.tools.spec import ModelAssist, Rejected

log = logging.getLogger(__name__)

Out = TypeVar("Out", bound=BaseModel)


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("aiops-mcp", appauthor=False))


@dataclass
class Runtime:
    settings: Settings
    gateway: Gateway
    usage: UsageBook = field(default_factory=UsageBook)
    _store: Any = None
    alerts: Any = None
    _last_store_purge: float = float("-inf")

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        g = settings.gateway
        audit_path = Path(g.audit_path) if g.audit_path else None
        if audit_path is None and settings.models_enabled:
            audit_path = default_data_dir() / "audit.jsonl"
        # With a store configured on purpose, the trail is also kept in its ai_call_log table.
        audit = AuditLog(audit_path, g.audit_retention_days, collect=settings.store is not None)
        return cls(settings=settings, gateway=Gateway(settings, audit=audit))

    @property
    def store(self) -> Any:
        """The job store, opened on first use (its client libraries load only then)."""
        if self._store is None:
            from aiops_mcp.server.store import open_store

            self._store = open_store(self.settings.store)
        return self._store

    async def aclose(self) -> None:
        await self.gateway.aclose()
        if self._store is not None:
            await self._store.aclose()

    def offline_reason(self, tool: str) -> str | None:
        """Why no model will be asked for this tool, or None when one may be."""
        if self.settings.offline:
            return "AIOPS_OFFLINE is set"
        if self.settings.policy(tool).llm == "never":
            return f'llm = "never" for {tool}'
        chain = self.settings.chain(tool)
        if not chain:
            return f"no models configured for {tool}"
        if not any(self.gateway.usable(entry) for entry in chain):
            return "no credentials: set AI_GATEWAY_API_KEY (or configure an [endpoints.<name>] table)"
        return None

    async def answer(self, tool: str, inp: Any, offline: Out, assist: ModelAssist[Any, Out] | None) -> Out:
        started = time.perf_counter()
        result, meta = await self._maybe_model(tool, inp, offline, assist)
        meta.latency_ms = round((time.perf_counter() - started) * 1000, 2)
        result.meta = meta  # type: ignore[attr-defined]
        self.usage.record(
            tool, engine=meta.engine, attempts=len(meta.attempts), degraded=meta.degraded_reason is not None
        )
        if meta.attempts:
            await self.flush_audit()
        return result

    async def flush_audit(self) -> None:
        """Copy pending audit entries to the store; a store failure is logged, never the call's failure."""
        entries = self.gateway.audit.drain()
        if not entries:
            return
        from aiops_mcp.server.store import AuditRecord

        # Same fields on both sides: the gateway's entry is the store's record.
        records = [AuditRecord.model_validate(e.model_dump()) for e in entries]
        try:
            with anyio.fail_after(5):
                await self.store.write_audit(records)
                now = time.monotonic()
                if now - self._last_store_purge > 86_400:
                    self._last_store_purge = now
                    cutoff = datetime.now(UTC) - timedelta(days=self.settings.gateway.audit_retention_days)
                    await self.store.purge_audit(cutoff)
        except Exception as exc:
            log.warning("audit records not written to the store (%d lost): %s", len(records), exc)

    async def _maybe_model(
        self, tool: str, inp: Any, offline: Out, assist: ModelAssist[Any, Out] | None
    ) -> tuple[Out, Meta]:
        if assist is None or self.offline_reason(tool) is not None:
            return offline, Meta(engine="offline")
        policy = self.settings.policy(tool).llm
        if policy == "auto" and assist.confident(offline):
            return offline, Meta(engine="offline")
        budget = self.settings.deadline(tool)
        deadline = anyio.current_time() + budget
        user = assist.build_prompt(inp, offline)
        limit = self.settings.gateway.max_prompt_chars
        if len(user) > limit:
            user = user[:limit] + "\n[prompt cut to the token budget]"
        try:
            # A hard stop a little past the gateway's own deadline: the call always ends.
            with anyio.fail_after(budget + 1.0):
                done = await self.gateway.complete(
                    tool,
                    self.settings.chain(tool),
                    system_prompt(tool),
                    user,
                    assist.answer_model,
                    deadline=deadline,
                )
        except AllModelsFailed as exc:
            return offline, Meta(engine="offline", attempts=exc.attempts, degraded_reason=exc.reason)
        except RedactionFailed:
            return offline, Meta(engine="offline", degraded_reason="redaction failed; nothing was sent")
        except TimeoutError:
            return offline, Meta(engine="offline", degraded_reason=f"deadline of {budget:.0f}s reached")
        try:
            merged = assist.merge(inp, offline, done.answer)
        except Rejected as exc:
            attempts = [*done.attempts, Attempt(model=done.model, outcome="rejected", detail=str(exc)[:300])]
            return offline, Meta(
                engine="offline",
                attempts=attempts,
                redactions=done.redactions,
                usage=done.usage,
                cache="hit" if done.cache == "hit" else "miss",
                degraded_reason=f"model answer rejected: {exc}",
            )
        return merged, Meta(
            engine="model",
            model=done.model,
            attempts=done.attempts,
            redactions=done.redactions,
            cache="hit" if done.cache == "hit" else "miss",
            usage=done.usage,
        )
