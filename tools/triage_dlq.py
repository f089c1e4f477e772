"""MCP wrapper of `triage_dlq`: group, rank and route the dead-letter queue."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from aiops_mcp.server.runtime import Runtime
from aiops_mcp.tools.wiring import ToolDef, annotations, check_size, guarded, tool

if TYPE_CHECKING:
    from aiops_mcp.tools.dlq.models import DlqTriage

RESULT = "aiops_mcp.tools.dlq.models:DlqTriage"

DESCRIPTION = """Triage dead-letter-queue items: group them by root cause (not surface text), give each a
severity (critical | high | medium | low, deadline-aware in Philippine time), an action (retry |
manual_fix | redeploy | ignore) and a priority 1-10, sorted highest first, with one line per group.
Without items it reads the unresolved DLQ from the configured store (newest first, up to limit).
as_of is the triage time (default now)."""


def register(target: MCPServer | list[ToolDef], rt: Runtime) -> None:
    @tool(
        target,
        name="triage_dlq",
        description=DESCRIPTION,
        annotations=annotations("Triage the dead-letter queue", open_world=True),
        result=RESULT,
    )
    @guarded("triage_dlq", rt.usage)
    async def triage_dlq(
        items: Annotated[
            list[dict[str, Any]] | None,
            Field(
                description="DLQ items {id, error, error_stack?, job_type?, retry_count?, max_retries?, payload?, "
                "failed_at?}; omit to read the store."
            ),
        ] = None,
        limit: Annotated[int, Field(ge=1, le=5000, description="Most items read from the store.")] = 50,
        as_of: Annotated[datetime | None, Field(description="Triage time, ISO 8601 (default now).")] = None,
    ) -> "DlqTriage":
        check_size("items", items, rt.settings.limits.max_input_bytes)
        from aiops_mcp.tools.dlq.engine import triage
        from aiops_mcp.tools.dlq.llm import ASSIST
        from aiops_mcp.tools.dlq.models import DlqItem, TriageInput

        problems: list[str] = []
        if items is None:
            from aiops_mcp.server.store import collect_row_problems

            with collect_row_problems() as found:
                rows = await rt.store.unresolved_dlq(limit)
            problems = [str(p) for p in found]
            parsed = [DlqItem.model_validate(row.model_dump()) for row in rows]
        else:
            parsed = [DlqItem.model_validate(item) for item in items]
        when = as_of or datetime.now(UTC)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        inp = TriageInput(items=parsed, as_of=when)
        result = await rt.answer("triage_dlq", inp, triage(parsed, as_of=when), ASSIST)
        result.meta.data_problems = problems
        if items is None and await rt.store.is_demo():
            result.summary = (
                "[demo sample in the default store; set AIOPS_STORE for your own] " + result.summary
            )
        notify_critical(rt, result)
        return result


def notify_critical(rt: Runtime, result: "DlqTriage") -> None:
    if rt.alerts is None:
        return
    from aiops_mcp.server.alerts import Alert

    for group in result.groups:
        if group.severity == "critical":
            rt.alerts.submit(
                Alert(
                    source="triage_dlq",
                    key=f"dlq:{group.signature}",
                    severity="critical",
                    title=f"DLQ: {group.count} critical item(s)",
                    text=f"{group.signature} → {group.action} ({group.root_cause})",
                )
            )
