"""MCP wrapper of `validate_job_payload`: check a payload against its job type's schema."""

from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from aiops_mcp.server.runtime import Runtime
from aiops_mcp.tools.wiring import ToolDef, annotations, check_size, guarded, tool

if TYPE_CHECKING:
    from aiops_mcp.tools.validate.models import ValidationResult

RESULT = "aiops_mcp.tools.validate.models:ValidationResult"

DESCRIPTION = """Check a job payload against the JSON schema of its job type (shipped for discovery, sync,
report, bir_filing, month_end_close; overridable in aiops.toml) plus semantic checks (a sync whose
source equals its destination, a BIR return for a period that has not ended). Returns valid and a list
of problems {path, message} an agent can fix."""


def register(target: MCPServer | list[ToolDef], rt: Runtime) -> None:
    schemas = rt.settings.payload_schemas or None

    @tool(
        target,
        name="validate_job_payload",
        description=DESCRIPTION,
        annotations=annotations("Validate a job payload", open_world=True),
        result=RESULT,
    )
    @guarded("validate_job_payload", rt.usage)
    async def validate_job_payload(
        payload: Annotated[dict[str, Any], Field(description="The job payload.")],
        job_type: Annotated[str, Field(description="The job type whose schema applies.")],
    ) -> "ValidationResult":
        check_size("payload", payload, rt.settings.limits.max_input_bytes)
        from aiops_mcp.tools.validate.engine import validate_payload
        from aiops_mcp.tools.validate.llm import ASSIST
        from aiops_mcp.tools.validate.models import ValidateInput

        inp = ValidateInput(payload=payload, job_type=job_type)
        return await rt.answer(
            "validate_job_payload", inp, validate_payload(payload, job_type, schemas), ASSIST
        )
