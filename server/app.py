"""`create_server()`: the MCP surface (tools, resources, prompts). No analysis logic lives here."""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

import anyio
from mcp.server.mcpserver import MCPServer, UserMessage

from aiops_mcp.server.config import Settings, load_settings
from aiops_mcp.server.runtime import Runtime
from aiops_mcp.tools.schemas import build_tools
from aiops_mcp.tools.wiring import ToolDef

log = logging.getLogger(__name__)

# One module per tool; each has `register(target, runtime)`. A new tool is one file and one line here.
TOOL_MODULES = (
    "classify_job",
    "analyze_failure",
    "triage_dlq",
    "extract_dependencies",
    "summarize_logs",
    "redact_text",
    "validate_job_payload",
    "predict_incidents",
)

INSTRUCTIONS = """AI-ops tools for the mcp-jobs job system. Start with triage_dlq (no arguments reads the
store's dead-letter queue) or analyze_failure for one failed job; summarize_logs condenses logs into
templates and error patterns; predict_incidents looks for degradation in metrics. Every result has a
`meta` block: meta.engine says whether a model or the offline engine answered. Secrets and personal data
are redacted before any model sees them."""


def _version() -> str:
    try:
        return version("aiops-mcp")
    except PackageNotFoundError:
        return "0.0.0"


def tool_defs(rt: Runtime) -> list[ToolDef]:
    defs: list[ToolDef] = []
    for name in TOOL_MODULES:
        importlib.import_module(f"aiops_mcp.tools.{name}").register(defs, rt)
    return defs


def create_server(settings: Settings | None = None, *, runtime: Runtime | None = None) -> MCPServer:
    settings = settings or (runtime.settings if runtime else load_settings())
    rt = runtime or Runtime.create(settings)

    @asynccontextmanager
    async def lifespan(_server: MCPServer) -> AsyncIterator[Runtime]:
        async with anyio.create_task_group() as tg:
            if settings.slack_webhook_url is not None and rt.alerts is None:
                from aiops_mcp.server.alerts import AlertSender
                from aiops_mcp.server.gateway.redaction import redact_text

                rt.alerts = AlertSender(
                    settings.slack_webhook_url.get_secret_value(),
                    quiet_period_s=settings.alert_quiet_period_s,
                    redact=lambda text: redact_text(text)[0],
                )
            if rt.alerts is not None:
                tg.start_soon(rt.alerts.run)
            try:
                yield rt
            finally:
                if rt.alerts is not None:
                    await rt.alerts.aclose()
                # Clients and pools reopen on next use, so a later connection to this server still works.
                await rt.aclose()
                tg.cancel_scope.cancel()

    server = MCPServer(
        "aiops-mcp",
        title="AI-ops tools for mcp-jobs",
        version=_version(),
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
        log_level="WARNING",
        # Output schemas shipped precomputed (tools/schemas.py): result models load on first call.
        tools=build_tools(tool_defs(rt)),
    )
    server.runtime = rt  # type: ignore[attr-defined]
    _register_resources(server, rt)
    _register_prompts(server)
    return server


def _register_resources(server: MCPServer, rt: Runtime) -> None:
    @server.resource(
        "aiops://config",
        name="config",
        mime_type="application/json",
        description="Effective configuration and model chains (no secrets).",
    )
    def config_resource() -> str:
        return json.dumps(rt.settings.public_view(), indent=2)

    @server.resource(
        "aiops://usage",
        name="usage",
        mime_type="application/json",
        description="Since start: calls per tool, engines, fallbacks, breakers, tokens, cost.",
    )
    def usage_resource() -> str:
        g = rt.gateway.stats
        data = {
            "tools": rt.usage.snapshot(),
            "gateway": {
                "calls": g.calls,
                "answered": g.answered,
                "exhausted": g.exhausted,
                "cache_hits": g.cache_hits,
                "fallbacks": g.fallbacks,
                "prompt_tokens": g.prompt_tokens,
                "completion_tokens": g.completion_tokens,
                "estimated_cost_usd": round(g.cost_usd, 6),
                "per_model": g.per_model,
            },
            "breakers": rt.gateway.breakers.snapshot(),
            "alerts": _alert_stats(rt),
        }
        return json.dumps(data, indent=2)

    @server.resource(
        "aiops://dlq/unresolved",
        name="dlq-unresolved",
        mime_type="application/json",
        description="Unresolved dead-letter-queue rows from the store, newest first (max 100).",
    )
    async def dlq_resource() -> str:
        rows = await rt.store.unresolved_dlq(100)
        return json.dumps([row.model_dump(mode="json") for row in rows], indent=2)


def _alert_stats(rt: Runtime) -> object:
    if rt.alerts is None:
        return {"configured": False}
    stats = rt.alerts.stats
    return stats.model_dump() if hasattr(stats, "model_dump") else dict(stats)


def _register_prompts(server: MCPServer) -> None:
    @server.prompt(name="investigate_failed_job", title="Investigate a failed job")
    def investigate_failed_job(job_id: str) -> list[UserMessage]:
        """Walk a failed job from its error to a retry decision and a fix."""
        return [
            UserMessage(
                f"Investigate failed job {job_id}. 1) Call analyze_failure with job_id={job_id}. "
                "2) If the root cause is infra or external, call summarize_logs for the job's worker source over "
                "the last hour to confirm. 3) Say whether to retry (and when), the fix, and what to watch."
            )
        ]

    @server.prompt(name="triage_dead_letter_queue", title="Triage the dead-letter queue")
    def triage_dead_letter_queue(limit: str = "50") -> list[UserMessage]:
        """Triage the unresolved DLQ and propose actions, critical items first."""
        return [
            UserMessage(
                f"Call triage_dlq with limit={limit} and no items. For each group, critical first: state the "
                "root cause, the action (retry / manual_fix / redeploy / ignore), who should act, and any "
                "statutory deadline at risk. For groups with action retry, say which can be retried now."
            )
        ]

    @server.prompt(name="incident_review", title="Look for incidents coming")
    def incident_review(names: str = "queue_depth,error_rate", window: str = "last 6h") -> list[UserMessage]:
        """Check metrics for degradation and correlate with job events."""
        return [
            UserMessage(
                f"Call predict_incidents with names={names.split(',')} and window={window!r}. Report each "
                "prediction by urgency with its time to incident and evidence, then suggest mitigations."
            )
        ]
