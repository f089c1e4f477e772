"""MCP wrapper of `redact_text`: the gateway's own redaction, for anyone who wants to check it."""

from typing import TYPE_CHECKING, Annotated

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from aiops_mcp.server.gateway.redaction import redact_text as redact  # light: the engine loads on first call
from aiops_mcp.server.runtime import Runtime
from aiops_mcp.tools.wiring import ToolDef, annotations, check_size, guarded, tool

if TYPE_CHECKING:
    from aiops_mcp.server.gateway.redaction.models import RedactResult

RESULT = "aiops_mcp.server.gateway.redaction.models:RedactResult"

DESCRIPTION = """Replace secrets and personal data in a text with numbered placeholders (<EMAIL_1>,
<GITHUB_TOKEN_1>, <TIN_1> ...): API keys and tokens, passwords in URLs/DSNs/headers, private keys,
emails, IPs, phone numbers (incl. +63/09xx), cards (Luhn), IBANs, Philippine TIN/SSS/PhilHealth/Pag-IBIG.
This is exactly what the gateway does before any model sees a prompt. Never calls a model."""


def register(target: MCPServer | list[ToolDef], rt: Runtime) -> None:
    @tool(
        target,
        name="redact_text",
        description=DESCRIPTION,
        annotations=annotations("Redact secrets and PII", open_world=False),
        result=RESULT,
    )
    @guarded("redact_text", rt.usage)
    async def redact_text(
        text: Annotated[str, Field(description="Any text: a log, a payload, a stack trace.")],
    ) -> "RedactResult":
        check_size("text", text, rt.settings.limits.max_input_bytes)
        from aiops_mcp.server.gateway.redaction.models import Finding, RedactResult

        clean, findings = redact(text)
        rt.usage.record("redact_text", engine="offline", attempts=0, degraded=False)
        return RedactResult(
            text=clean, findings=[Finding(kind=k, count=c) for k, c in sorted(findings.items())]
        )
