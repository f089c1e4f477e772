"""Helpers for the fault matrix: a schema-driven fake model, tool inputs with planted secrets, servers.

The fake model answers any tool from the JSON schema in the request's `response_format`, and quotes
the placeholders it was sent (as a model that cites its input does), so restoration is exercised. For
the tools whose merge checks ids against the offline facts it picks ids from the prompt, the way a
real model would; where that fails the tool answers offline with a `rejected` attempt, which the
matrix accepts as long as the trail says so.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from aiops_mcp.server.config import Settings

PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*?_\d{1,6}>")

SECRETS = {
    "email": "maria.santos@acme.ph",
    "github": "ghp_" + "Zq4Rt7Yu1Io9Pa3Sd6Fg2Hj5Kl8Zx0Cv4Bn7M",
    "dsn_password": "Sup3rS3cretPw!x",
    "tin": "123-456-789-000",
}
DSN = f"postgresql://app:{SECRETS['dsn_password']}@db.internal:5432/ledger"

NOW = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)

# Every tool that may call a model (redact_text never does).
MODEL_TOOLS = (
    "classify_job",
    "analyze_failure",
    "triage_dlq",
    "extract_dependencies",
    "summarize_logs",
    "validate_job_payload",
    "predict_incidents",
)


def tool_args(tool: str, n: int = 0) -> dict[str, Any]:
    """Arguments for `tool` with the secrets planted where the tool's prompt carries text; `n` varies them."""
    e, tok, tin = SECRETS["email"], SECRETS["github"], SECRETS["tin"]
    if tool == "classify_job":
        return {
            "payload": {
                "source": {"system": "odoo", "dsn": DSN},
                "destination": {"table": f"invoices_{n}"},
                "mode": "incremental",
                "notify": e,
                "api_token": tok,
                "vendor_tin": tin,
            }
        }
    if tool == "analyze_failure":
        return {
            "error": f"upstream said something odd (call {n}) for {e} with token {tok}",
            "error_stack": f'Traceback (most recent call last):\n  File "job.py", line {n + 3}\n'
            f"RuntimeError: connect {DSN} failed for vendor TIN {tin}",
            "retry_count": 0,
        }
    if tool == "triage_dlq":
        return {
            "items": [
                {"id": f"d{n}a", "error": f"weird failure {n} mailing {e} token {tok}", "job_type": "sync"},
                {"id": f"d{n}b", "error": f"odd state at {DSN} for TIN {tin}", "job_type": "report"},
            ],
            "as_of": NOW.isoformat(),
        }
    if tool == "extract_dependencies":
        return {
            "nodes": [
                {
                    "id": f"api{n}",
                    "type": "service",
                    "name": "api",
                    "properties": {"env": {"DATABASE_URL": DSN, "ADMIN_EMAIL": e, "GH_TOKEN": tok}},
                },
                {"id": "db", "type": "service", "name": "db", "properties": {"image": "postgres:16"}},
            ]
        }
    if tool == "summarize_logs":
        return {
            "lines": [
                f"2025-01-06 10:00:{i:02d} ERROR worker-{i % 3} login failed for {e} token {tok} run {n}"
                for i in range(20)
            ]
            + [f"2025-01-06 10:01:00 WARN db {DSN} slow; vendor TIN {tin}", "2025-01-06 10:01:01 INFO done"]
        }
    if tool == "validate_job_payload":
        return {
            "payload": {"source": DSN, "destination": DSN, "notify": e, "token": tok, "n": n},
            "job_type": "sync",
        }
    if tool == "predict_incidents":
        points = [
            {
                "timestamp": (NOW + timedelta(minutes=i)).isoformat(),
                "value": 100 + i * (1 if i < 50 else 30) + n,
            }
            for i in range(80)
        ]
        return {
            "metrics": [{"name": "queue_depth", "points": points}],
            "events": [
                {"timestamp": NOW.isoformat(), "level": "ERROR", "message": f"login failed for {e} {tok}"}
            ],
            "limits": {"queue_depth": 5000},
        }
    raise KeyError(tool)


def model_name(fault: str, tool: str, second: bool = False) -> str:
    """The faulty model of `tool` under `fault`: one name per (fault, tool) keeps their breakers apart."""
    return f"{fault.replace(':', '_')}~{tool}" + ("~b" if second else "")


def matrix_settings(
    base_url: str,
    tools: list[str],
    audit_path: str,
    *,
    chains: dict[str, list[str]] | None = None,
    deadline_s: float = 3.0,
    **gateway: Any,
) -> Settings:
    chains = chains or {t: ["fake:m1", "fake:m2"] for t in tools}
    return Settings.model_validate(
        {
            "endpoints": {"fake": {"base_url": base_url}},
            "tools": {t: {"models": chains[t], "llm": "always", "deadline_s": deadline_s} for t in tools},
            "gateway": {
                "attempt_timeout_s": 0.3,
                "retries_per_model": 2,
                "backoff_base_s": 0.01,
                "backoff_cap_s": 0.02,
                "breaker_threshold": 3,
                "breaker_cooldown_s": 60,
                "cache_ttl_s": 0,
                "audit_path": audit_path,
                **gateway,
            },
        }
    )


def importable_tools() -> tuple[list[str], dict[str, str]]:
    """Model tools whose modules import today, and why the others do not (they are being written)."""
    ok, missing = [], {}
    for tool in MODEL_TOOLS:
        try:
            importlib.import_module(f"aiops_mcp.tools.{tool}")
            ok.append(tool)
        except ImportError as exc:
            missing[tool] = f"{type(exc).__name__}: {exc}"
    return ok, missing


@asynccontextmanager
async def server_for(settings: Settings) -> AsyncIterator[Any]:
    """`create_server(settings)`; while some tool module does not import yet, a server of those that do."""
    from aiops_mcp.server.app import create_server

    try:
        server = create_server(settings)
    except ImportError:
        from mcp.server.mcpserver import MCPServer

        from aiops_mcp.server.runtime import Runtime

        rt = Runtime.create(settings)
        server = MCPServer("aiops-mcp-partial", log_level="WARNING")
        server.runtime = rt  # type: ignore[attr-defined]
        for tool in importable_tools()[0]:
            importlib.import_module(f"aiops_mcp.tools.{tool}").register(server, rt)
    try:
        yield server
    finally:
        await server.runtime.aclose()  # type: ignore[attr-defined]


# ---- the fake model ---------------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def generate(schema: dict[str, Any], defs: dict[str, Any], text: str) -> Any:
    """A value valid for `schema` (the subset pydantic emits); strings quote `text`."""
    schema = _resolve(schema, defs)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if _resolve(o, defs).get("type") != "null"] or schema[key]
            return generate(options[0], defs, text)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: generate(sub, defs, text) for name, sub in props.items()}
    if kind == "array":
        return [generate(schema.get("items", {}), defs, text) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        value = text
        if "maxLength" in schema:
            value = value[: schema["maxLength"]]
        return value.ljust(schema.get("minLength", 0), ".")
    if kind in ("number", "integer"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        high = schema.get("maximum", schema.get("exclusiveMaximum", low + 1))
        mid = (low + high) / 2
        return int(mid) if kind == "integer" else round(mid, 3)
    if kind == "boolean":
        return False
    return None


def _prompt(body: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content", "")) for m in body.get("messages", []))


def vault_placeholders(body: dict[str, Any]) -> set[str]:
    """Placeholders the redaction put into the non-system messages (the system prompt quotes an example)."""
    messages = body.get("messages", [])
    system = {
        p for m in messages if m.get("role") == "system" for p in PLACEHOLDER.findall(str(m.get("content")))
    }
    found = {
        p for m in messages if m.get("role") != "system" for p in PLACEHOLDER.findall(str(m.get("content")))
    }
    return found - system


def schema_responder(body: dict[str, Any]) -> str:
    """Any tool's answer, from its schema; ids picked from the prompt where the merge checks them."""
    fmt = body.get("response_format") or {}
    spec = (fmt.get("json_schema") or {}).get("schema") or {}
    prompt = _prompt(body)
    placeholders = sorted(vault_placeholders(body))
    text = "checked " + " ".join(placeholders) if placeholders else "checked the facts"
    answer = generate(spec, spec.get("$defs", {}), text) if spec else {"note": text}
    name = (fmt.get("json_schema") or {}).get("name", "")
    if name == "ClassifyAnswer":
        candidates = re.findall(r"^- ([a-z_][a-z0-9_]*):", prompt, flags=re.M)
        if candidates:
            answer["job_type"] = candidates[0]
    elif name == "DlqAnswer":
        ids = list(dict.fromkeys(re.findall(r'"group_id": "([^"]+)"', prompt)))
        if ids:
            answer["groups"] = [
                {"group_ids": [gid], "action": "manual_fix", "root_cause": "code", "summary": text}
                for gid in ids
            ]
    elif name == "IncidentNarrative":
        answer = {"summary": "The trend above needs a look.", "metrics_mentioned": []}
    return json.dumps(answer)


def sent_secrets(raw_bodies: list[bytes]) -> list[str]:
    """Planted values found in what reached the model server (must stay empty)."""
    found = []
    for raw in raw_bodies:
        text = raw.decode("utf-8", "replace")
        found += [name for name, value in SECRETS.items() if value in text]
    return sorted(set(found))
