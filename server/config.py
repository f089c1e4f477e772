"""Effective configuration: defaults, then `aiops.toml` (or the file named by AIOPS_CONFIG), then the environment.

Everything is a pydantic model so a misspelt key fails loudly with the key's path, and so
`aiops://config` can show the effective values without ever showing a secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

DEFAULT_BASE_URL = "https://ai-gateway.vercel.sh/v1"

# The plan's model matrix: the first entry is tried first; the offline engine always follows the chain.
DEFAULT_CHAINS: dict[str, list[str]] = {
    "classify_job": ["openai/gpt-4o-mini", "groq/llama-3.1-8b"],
    "validate_job_payload": ["openai/gpt-4o-mini", "groq/llama-3.1-8b"],
    "analyze_failure": ["anthropic/claude-sonnet-4.5", "openai/gpt-4o"],
    "triage_dlq": ["xai/grok-3", "anthropic/claude-sonnet-4.5"],
    "summarize_logs": ["groq/llama-3.1-70b", "openai/gpt-4o-mini"],
    "predict_incidents": ["anthropic/claude-sonnet-4.5", "xai/grok-3"],
    "extract_dependencies": ["anthropic/claude-sonnet-4.5", "openai/gpt-4o"],
    "generate_docs": ["openai/gpt-4o", "anthropic/claude-sonnet-4.5"],
}

LlmPolicy = Literal["auto", "always", "never"]


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file or variable and the fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolPolicy(_Strict):
    models: list[str] | None = Field(None, description="The chain, in order; default from the model matrix.")
    llm: LlmPolicy = Field(
        "auto", description="auto: ask a model only when the offline result is not confident."
    )
    deadline_s: float | None = Field(None, gt=0, description="Overrides gateway.deadline_s for this tool.")


class Endpoint(_Strict):
    base_url: str
    api_key_env: str | None = Field(
        None, description="Name of the environment variable holding the key (never the key itself)."
    )


class GatewaySettings(_Strict):
    base_url: str = DEFAULT_BASE_URL
    deadline_s: float = Field(25.0, gt=0, description="Whole tool call budget for model work.")
    attempt_timeout_s: float = Field(12.0, gt=0, description="One HTTP attempt at most this long.")
    retries_per_model: int = Field(2, ge=0, le=5, description="Retries of transient failures per model.")
    max_attempts: int = Field(6, ge=1, le=20, description="Attempts over the whole chain, never more.")
    backoff_base_s: float = Field(0.25, ge=0)
    backoff_cap_s: float = Field(4.0, ge=0)
    retry_after_cap_s: float = Field(
        30.0, ge=0, description="A longer Retry-After moves on to the next model."
    )
    breaker_threshold: int = Field(3, ge=1, description="Consecutive failures that open a model's breaker.")
    breaker_cooldown_s: float = Field(30.0, ge=0)
    cache_ttl_s: float = Field(600.0, ge=0, description="0 turns the response cache off.")
    cache_size: int = Field(512, ge=0)
    audit_path: str | None = Field(None, description="JSONL audit trail; default under the user data dir.")
    audit_retention_days: int = Field(90, ge=1)
    max_prompt_chars: int = Field(24_000, ge=1000, description="Token budget proxy for one prompt.")


class Limits(_Strict):
    max_input_bytes: int = Field(16 * 1024 * 1024, ge=1024, description="Largest tool arguments accepted.")
    max_lines: int = Field(2_000_000, ge=1, description="Most log lines one summarize_logs call reads.")
    max_store_rows: int = Field(200_000, ge=1, description="Most rows one store window may read.")


class HttpSettings(_Strict):
    token: SecretStr | None = Field(
        None, description="Bearer token; required off loopback (AIOPS_HTTP_TOKEN)."
    )
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024)


class Settings(_Strict):
    offline: bool = Field(False, description="AIOPS_OFFLINE=1: never call a model.")
    api_key: SecretStr | None = None
    gateway: GatewaySettings = Field(default_factory=GatewaySettings)
    tools: dict[str, ToolPolicy] = Field(default_factory=dict)
    endpoints: dict[str, Endpoint] = Field(default_factory=dict)
    store: str | None = Field(None, description="sqlite:///path | postgresql://... | supabase")
    limits: Limits = Field(default_factory=Limits)
    http: HttpSettings = Field(default_factory=HttpSettings)
    redis_url: str | None = None
    slack_webhook_url: SecretStr | None = None
    alert_quiet_period_s: float = Field(900.0, ge=0)
    job_types: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Extra or overridden job types for classify_job."
    )
    payload_schemas: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per job type JSON schema overrides for validate_job_payload."
    )
    source: str = Field("defaults", description="Where the settings came from.")

    def policy(self, tool: str) -> ToolPolicy:
        return self.tools.get(tool) or ToolPolicy()

    def chain(self, tool: str) -> list[str]:
        configured = self.policy(tool).models
        return list(configured if configured is not None else DEFAULT_CHAINS.get(tool, []))

    def deadline(self, tool: str) -> float:
        return self.policy(tool).deadline_s or self.gateway.deadline_s

    @property
    def models_enabled(self) -> bool:
        """A model may be called: not offline and some credential is present (default or custom endpoint)."""
        if self.offline:
            return False
        return self.api_key is not None or bool(self.endpoints)

    def public_view(self) -> dict[str, Any]:
        """The effective configuration with every secret replaced by whether it is set."""
        data = self.model_dump(mode="json", exclude={"api_key", "http", "slack_webhook_url"})
        data["api_key_set"] = self.api_key is not None
        data["http"] = {"token_set": self.http.token is not None, "max_body_bytes": self.http.max_body_bytes}
        data["slack_webhook_set"] = self.slack_webhook_url is not None
        data["store"] = _mask_url(self.store) if self.store else None
        data["redis_url"] = _mask_url(self.redis_url) if self.redis_url else None
        data["chains"] = {name: self.chain(name) for name in DEFAULT_CHAINS}
        data["policies"] = {name: self.policy(name).llm for name in DEFAULT_CHAINS}
        data["models_enabled"] = self.models_enabled
        return data


def _mask_url(url: str) -> str:
    """postgresql://user:secret@host/db -> postgresql://user:***@host/db."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    userinfo, _, hostpart = rest.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{hostpart}" if ":" in userinfo else url


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def find_config_file(env: Mapping[str, str], cwd: Path) -> Path | None:
    named = env.get("AIOPS_CONFIG")
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ConfigError(f"AIOPS_CONFIG names {path}, which is not a file")
        return path
    local = cwd / "aiops.toml"
    return local if local.is_file() else None


def load_settings(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Defaults < aiops.toml < environment. Raises ConfigError naming the file and the bad key."""
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else cwd
    data: dict[str, Any] = {}
    path = find_config_file(env, cwd)
    if path is not None:
        import tomllib  # only when a file is there: its parser costs ~5 ms of start-up otherwise

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from exc
        data["source"] = str(path)

    gateway = data.setdefault("gateway", {})
    if env.get("AI_GATEWAY_BASE_URL"):
        gateway["base_url"] = env["AI_GATEWAY_BASE_URL"]
    key = env.get("AI_GATEWAY_API_KEY") or env.get("VERCEL_OIDC_TOKEN") or env.get("VERCEL_GATEWAY_TOKEN")
    if key:
        data["api_key"] = key
    if "AIOPS_OFFLINE" in env:
        data["offline"] = _truthy(env["AIOPS_OFFLINE"])
    if env.get("AIOPS_STORE"):
        data["store"] = env["AIOPS_STORE"]
    if env.get("AIOPS_HTTP_TOKEN"):
        data.setdefault("http", {})["token"] = env["AIOPS_HTTP_TOKEN"]
    if env.get("AIOPS_REDIS_URL"):
        data["redis_url"] = env["AIOPS_REDIS_URL"]
    if env.get("AIOPS_SLACK_WEBHOOK_URL"):
        data["slack_webhook_url"] = env["AIOPS_SLACK_WEBHOOK_URL"]
    if env.get("AIOPS_AUDIT_PATH"):
        gateway["audit_path"] = env["AIOPS_AUDIT_PATH"]
    if env.get("AIOPS_DEADLINE_S"):
        gateway["deadline_s"] = env["AIOPS_DEADLINE_S"]
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        where = str(path) if path else "environment"
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors(include_url=False)
        )
        raise ConfigError(f"invalid configuration in {where}: {problems}") from exc


def endpoint_key(settings: Settings, endpoint: Endpoint, env: Mapping[str, str] | None = None) -> str:
    """The key for a custom endpoint; local servers (Ollama, vLLM) accept any non-empty key."""
    env = os.environ if env is None else env
    if endpoint.api_key_env:
        return env.get(endpoint.api_key_env, "") or "not-needed"
    return "not-needed"
