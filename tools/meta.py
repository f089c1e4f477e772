"""The `meta` block every tool result carries: which engine answered and what it cost."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Attempt(BaseModel):
    """One try of one model in the gateway's chain."""

    model: str = Field(description="Chain entry, e.g. 'openai/gpt-4o-mini' or 'ollama:llama3.1'.")
    outcome: str = Field(
        description="ok | http_<status> | timeout | connection | invalid_json | schema | empty | "
        "breaker_open | deadline | rejected (answer contradicted the facts) | error"
    )
    latency_ms: float = 0.0
    detail: str | None = Field(None, description="Short redacted reason, never a secret.")


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated_cost_usd: float = 0.0


class Meta(BaseModel):
    """How this answer was produced. `engine` is "offline" whenever the deterministic engine answered."""

    engine: Literal["offline", "model"] = "offline"
    model: str | None = Field(None, description="The model that answered, when engine is 'model'.")
    attempts: list[Attempt] = Field(default_factory=list, description="The gateway trail, in order.")
    redactions: int = Field(0, description="Values replaced by placeholders before anything was sent.")
    cache: Literal["hit", "miss", "off"] = "off"
    latency_ms: float = 0.0
    usage: Usage | None = None
    degraded_reason: str | None = Field(
        None, description="Why the offline engine answered although a model was allowed."
    )
    data_problems: list[str] = Field(
        default_factory=list,
        description="Store rows that did not match the schema (skipped or defaulted), so nothing is hidden.",
    )
