"""The chain: redact → cache → for each model (breaker, retries, deadline, validation) → restore → audit.

`Gateway.complete()` looks like one model to its callers (the FallbackModel idea): it returns one
validated answer or raises AllModelsFailed with the whole trail.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import anyio
from pydantic import BaseModel, ValidationError

from aiops_mcp.server.config import Settings, endpoint_key
from aiops_mcp.server.gateway.audit import AuditEntry, AuditLog, prompt_hash
from aiops_mcp.server.gateway.backoff import full_jitter
from aiops_mcp.server.gateway.breaker import BreakerBoard
from aiops_mcp.server.gateway.cache import ResponseCache
from aiops_mcp.server.gateway.errors import (
    AllModelsFailed,
    ModelCallError,
    RedactionFailed,
    SchemaModeRefused,
)
from aiops_mcp.server.gateway.provider import ChatResult, Provider
from aiops_mcp.tools.meta import Attempt, Usage

log = logging.getLogger(__name__)

# The redaction engine loads with the first prompt, not at start-up; tests may replace the class here.
Vault: Any = None


def _vault_class() -> Any:
    global Vault
    if Vault is None:
        from aiops_mcp.server.gateway.redaction import Vault as vault_class

        Vault = vault_class
    return Vault


# USD per million tokens (input, output): rough list prices, for the estimate in aiops://usage only.
PRICES: dict[str, tuple[float, float]] = {
    "openai/gpt-4o-mini": (0.15, 0.60),
    "openai/gpt-4o": (2.50, 10.0),
    "anthropic/claude-sonnet-4.5": (3.0, 15.0),
    "xai/grok-3": (3.0, 15.0),
    "groq/llama-3.1-8b": (0.05, 0.08),
    "groq/llama-3.1-70b": (0.59, 0.79),
}


@dataclass
class Completion:
    answer: BaseModel
    model: str
    attempts: list[Attempt]
    usage: Usage
    redactions: int
    cache: str


@dataclass
class GatewayStats:
    calls: int = 0
    answered: int = 0
    exhausted: int = 0
    cache_hits: int = 0
    fallbacks: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    per_model: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, model: str, outcome: str) -> None:
        bucket = self.per_model.setdefault(model, {})
        bucket[outcome] = bucket.get(outcome, 0) + 1


def _resolve(entry: str, settings: Settings) -> tuple[str, str]:
    """'name:model' → (endpoint name, model); 'provider/model' → ('default', entry)."""
    name, sep, model = entry.partition(":")
    if sep and name in settings.endpoints:
        return name, model
    return "default", entry


class Gateway:
    """The only code that talks to models."""

    def __init__(
        self,
        settings: Settings,
        *,
        audit: AuditLog | None = None,
        env: Mapping[str, str] | None = None,
        breakers: Any = None,
        cache: Any = None,
    ) -> None:
        """`breakers`/`cache`: anything with the async interface of BreakerBoard/ResponseCache; by default
        in memory, or shared through Redis when `redis_url` is set (replicas agree on which model is down)."""
        self.settings = settings
        g = settings.gateway
        if settings.redis_url and (breakers is None or cache is None):
            from aiops_mcp.server.gateway.shared_state import DEFAULT_PREFIX, shared_state

            # Replicas that must agree share a prefix; separate deployments on one Redis use their own.
            prefix = (env if env is not None else os.environ).get("AIOPS_REDIS_PREFIX") or DEFAULT_PREFIX
            shared_breakers, shared_cache = shared_state(
                settings.redis_url,
                g.breaker_threshold,
                g.breaker_cooldown_s,
                g.cache_ttl_s,
                g.cache_size,
                trial_lease_s=g.attempt_timeout_s + 1.0,
                prefix=prefix,
            )
            breakers = shared_breakers if breakers is None else breakers
            cache = shared_cache if cache is None else cache
        # `is None`, not `or`: an empty cache has len() 0 and is falsy.
        self.breakers = (
            BreakerBoard(g.breaker_threshold, g.breaker_cooldown_s) if breakers is None else breakers
        )
        self.cache = ResponseCache(g.cache_ttl_s, g.cache_size) if cache is None else cache
        self.audit = audit or AuditLog(None, g.audit_retention_days)
        self.stats = GatewayStats()
        self._providers: dict[str, Provider] = {}
        self._json_mode_models: set[str] = set()
        self._schemas: dict[type[BaseModel], tuple[dict[str, Any], str]] = {}
        self._client_lock = anyio.Lock()
        self._env = env

    def _schema(self, answer_model: type[BaseModel]) -> tuple[dict[str, Any], str]:
        """The JSON schema of an answer model and its canonical text, built once per model class."""
        found = self._schemas.get(answer_model)
        if found is None:
            schema = answer_model.model_json_schema()
            found = self._schemas[answer_model] = (schema, json.dumps(schema, sort_keys=True))
        return found

    def _provider(self, endpoint: str) -> Provider:
        prov = self._providers.get(endpoint)
        if prov is None:
            if endpoint == "default":
                key = self.settings.api_key.get_secret_value() if self.settings.api_key else "missing"
                prov = Provider("default", self.settings.gateway.base_url, key)
            else:
                ep = self.settings.endpoints[endpoint]
                prov = Provider(endpoint, ep.base_url, endpoint_key(self.settings, ep, self._env))
            self._providers[endpoint] = prov
        return prov

    async def _load_client(self, provider: Provider) -> None:
        """The openai SDK loads on first use (about a second): in a worker thread and outside any attempt's
        timeout, so the first call's first attempt does not time out on an import and other calls keep running."""
        async with self._client_lock:
            if provider._client is None:
                await anyio.to_thread.run_sync(provider._get_client)

    def usable(self, entry: str) -> bool:
        endpoint, _ = _resolve(entry, self.settings)
        return endpoint != "default" or self.settings.api_key is not None

    async def aclose(self) -> None:
        for prov in self._providers.values():
            await prov.aclose()
        await self.breakers.aclose()
        await self.cache.aclose()
        self.audit.close()

    async def __aenter__(self) -> Gateway:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def complete(
        self,
        tool: str,
        chain: list[str],
        system: str,
        user: str,
        answer_model: type[BaseModel],
        *,
        deadline: float,
    ) -> Completion:
        """Ask the chain for `answer_model`. `deadline` is an absolute anyio.current_time()."""
        self.stats.calls += 1
        vault = _vault_class()()
        try:
            return await self._complete(vault, tool, chain, system, user, answer_model, deadline)
        finally:
            # The vault (value <-> placeholder map) never outlives its call.
            vault.close()

    async def _complete(
        self,
        vault: Any,
        tool: str,
        chain: list[str],
        system: str,
        user: str,
        answer_model: type[BaseModel],
        deadline: float,
    ) -> Completion:
        try:
            # The system prompt goes through the vault too, even though it is a constant: the vault
            # reserves the example placeholders it quotes, so the user's values never reuse their numbers.
            red_system = vault.redact(system)
            red_user = vault.redact(user)
        except Exception as exc:
            # Fail closed: if we cannot prove the prompt is clean, it does not leave the machine.
            log.error("redaction failed for %s (%s); nothing sent", tool, type(exc).__name__)
            raise RedactionFailed(type(exc).__name__) from None
        # A chain that names a model twice would restart that model's retry cycle: each model once.
        chain = list(dict.fromkeys(chain))
        schema, schema_json = self._schema(answer_model)
        key = hashlib.sha256(
            "\x00".join((json.dumps(chain), red_system, red_user, schema_json)).encode()
        ).hexdigest()
        cached = await self.cache.aget(key)
        if cached is not None:
            model, redacted_answer = cached
            self.stats.cache_hits += 1
            answer = answer_model.model_validate(vault.restore_json(redacted_answer))
            return Completion(answer, model, [], Usage(), vault.count, "hit")

        attempts: list[Attempt] = []
        usage = Usage()
        total = 0
        max_attempts = self.settings.gateway.max_attempts
        for index, entry in enumerate(chain):
            if not self.usable(entry):
                attempts.append(Attempt(model=entry, outcome="no_credentials"))
                continue
            if not await self.breakers.aallow(entry):
                attempts.append(Attempt(model=entry, outcome="breaker_open"))
                self.stats.count(entry, "breaker_open")
                continue
            if index > 0 and attempts:
                self.stats.fallbacks += 1
            try:
                result = await self._try_model(
                    tool,
                    entry,
                    red_system,
                    red_user,
                    answer_model,
                    schema,
                    deadline,
                    attempts,
                    usage,
                    budget=max_attempts - total,
                )
            except BaseException:
                # Cancelled mid-call (the caller's hard stop): a half-open trial must not stay taken forever.
                with anyio.CancelScope(shield=True):
                    await self.breakers.arelease(entry)
                raise
            total = len([a for a in attempts if a.outcome not in ("breaker_open", "no_credentials")])
            if result is not None:
                self.stats.answered += 1
                redacted_answer = result.model_dump(mode="json")
                await self.cache.aput(key, (entry, redacted_answer))
                answer = answer_model.model_validate(vault.restore_json(redacted_answer))
                return Completion(answer, entry, attempts, usage, vault.count, "miss")
            if total >= max_attempts or anyio.current_time() >= deadline:
                break
        self.stats.exhausted += 1
        reason = (
            "no model answered: " + ", ".join(f"{a.model} {a.outcome}" for a in attempts)
            if attempts
            else "empty chain"
        )
        raise AllModelsFailed(attempts, reason)

    def _add_usage(self, model: str, chat: ChatResult, usage: Usage) -> None:
        """Rejected answers cost tokens too, so every answer counts, valid or not."""
        price_in, price_out = PRICES.get(model, (0.0, 0.0))
        cost = (chat.prompt_tokens * price_in + chat.completion_tokens * price_out) / 1e6
        usage.prompt_tokens += chat.prompt_tokens
        usage.completion_tokens += chat.completion_tokens
        usage.estimated_cost_usd = round(usage.estimated_cost_usd + cost, 6)
        self.stats.prompt_tokens += chat.prompt_tokens
        self.stats.completion_tokens += chat.completion_tokens
        self.stats.cost_usd += cost

    async def _try_model(
        self,
        tool: str,
        entry: str,
        system: str,
        user: str,
        answer_model: type[BaseModel],
        schema: dict[str, Any],
        deadline: float,
        attempts: list[Attempt],
        usage: Usage,
        *,
        budget: int,
    ) -> BaseModel | None:
        """Retries of one model; None means move on. Never sleeps or calls past the deadline."""
        g = self.settings.gateway
        endpoint, model = _resolve(entry, self.settings)
        provider = self._provider(endpoint)
        if provider._client is None:
            await self._load_client(provider)
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        repaired = False
        retry = 0
        used = 0
        while used < budget:
            remaining = deadline - anyio.current_time()
            if remaining <= 0.05:
                attempts.append(Attempt(model=entry, outcome="deadline"))
                await self.breakers.arelease(entry)
                return None
            json_mode = entry in self._json_mode_models
            fmt = _response_format(answer_model, schema, json_mode)
            used += 1
            started = time.perf_counter()
            try:
                with anyio.fail_after(min(g.attempt_timeout_s, remaining) + 0.5):
                    chat = await provider.chat(
                        model, messages, response_format=fmt, timeout=min(g.attempt_timeout_s, remaining)
                    )
            except SchemaModeRefused as exc:
                # Not the model's fault: ask it again in JSON mode, and remember that for next time.
                self._json_mode_models.add(entry)
                self._note(tool, entry, attempts, "json_schema_refused", started, exc.detail, messages)
                continue
            except ModelCallError as exc:
                self._note(tool, entry, attempts, exc.outcome, started, exc.detail, messages)
                await self.breakers.arecord_failure(entry)
                if not exc.transient or retry >= g.retries_per_model:
                    return None
                delay = full_jitter(retry, g.backoff_base_s, g.backoff_cap_s)
                if exc.retry_after is not None:
                    if exc.retry_after > g.retry_after_cap_s:
                        return None
                    delay = max(delay, exc.retry_after)
                if anyio.current_time() + delay >= deadline - 0.05:
                    return None
                retry += 1
                await anyio.sleep(delay)
                continue
            except TimeoutError:
                self._note(tool, entry, attempts, "timeout", started, "attempt timed out", messages)
                await self.breakers.arecord_failure(entry)
                return None

            self._add_usage(entry, chat, usage)
            answer, problem = _parse(chat, answer_model)
            if answer is not None:
                self._note(tool, entry, attempts, "ok", started, None, messages, chat)
                await self.breakers.arecord_success(entry)
                return answer
            outcome, detail = problem
            self._note(tool, entry, attempts, outcome, started, detail, messages, chat)
            if repaired or outcome == "empty":
                await self.breakers.arecord_failure(entry)
                return None
            # One repair try: show the model its own answer and what was wrong with it.
            repaired = True
            messages = [
                *messages[:2],
                {"role": "assistant", "content": chat.content[:4000]},
                {
                    "role": "user",
                    "content": f"That answer was not valid ({detail}). Reply with one JSON object "
                    "that matches the schema, nothing else.",
                },
            ]
        attempts.append(Attempt(model=entry, outcome="attempt_budget"))
        await self.breakers.arelease(entry)
        return None

    def _note(
        self,
        tool: str,
        entry: str,
        attempts: list[Attempt],
        outcome: str,
        started: float,
        detail: str | None,
        messages: list[dict[str, str]],
        chat: ChatResult | None = None,
    ) -> None:
        latency = round((time.perf_counter() - started) * 1000, 2)
        attempts.append(Attempt(model=entry, outcome=outcome, latency_ms=latency, detail=detail or None))
        self.stats.count(entry, outcome)
        if self.audit.path is None and getattr(self.audit, "pending", None) is None:
            return  # nothing keeps the record: skip building it (hashing and joining a 4 KB prompt)
        prompt = "\n\n".join(m["content"] for m in messages)
        self.audit.record(
            AuditEntry(
                time=datetime.now(UTC),
                tool=tool,
                model=entry,
                outcome=outcome,
                latency_ms=latency,
                prompt_tokens=chat.prompt_tokens if chat else 0,
                completion_tokens=chat.completion_tokens if chat else 0,
                prompt_hash=prompt_hash(prompt),
                prompt=prompt,
                answer=chat.content if chat else None,
            )
        )


def _response_format(
    answer_model: type[BaseModel], schema: dict[str, Any], json_mode: bool
) -> dict[str, Any]:
    if json_mode:
        return {"type": "json_object"}
    return {
        "type": "json_schema",
        "json_schema": {"name": answer_model.__name__, "schema": schema, "strict": False},
    }


def _parse(chat: ChatResult, answer_model: type[BaseModel]) -> tuple[BaseModel | None, tuple[str, str]]:
    text = chat.content.strip()
    if not text:
        return None, ("empty", "empty content")
    if text.startswith("```"):
        # Some models fence JSON even in JSON mode; the fence is not part of the answer.
        text = text.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, ("invalid_json", f"not JSON at char {exc.pos}")
    fields = answer_model.model_fields
    names = fields.keys() | {f.alias for f in fields.values() if f.alias}
    if names and isinstance(data, dict) and data and not names & data.keys():
        # Every field has a default, so `{"anything": 1}` would validate as an empty answer: an object that
        # names none of the schema's fields is another shape, not an answer.
        return None, ("schema", f"none of the fields {sorted(fields)[:5]} in the answer")
    try:
        return answer_model.model_validate(data), ("ok", "")
    except ValidationError as exc:
        first = exc.errors(include_url=False)[:3]
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'root'}: {e['msg']}" for e in first)
        return None, ("schema", detail[:300])
