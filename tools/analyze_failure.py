"""MCP wrapper of `analyze_failure`: should this failed job be retried, and why."""

from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from aiops_mcp.server.runtime import Runtime
from aiops_mcp.tools.wiring import ToolDef, annotations, check_size, guarded, tool

if TYPE_CHECKING:
    from aiops_mcp.tools.failures.models import FailureAnalysis

RESULT = "aiops_mcp.tools.failures.models:FailureAnalysis"

DESCRIPTION = """Decide whether a failed job is worth a retry and what to fix.
Give the error message (and the stack trace if you have it) or a job_id to load the job from the store.
Returns should_retry, category (transient | permanent | unknown), root_cause (infra | code | data |
external), a specific suggested_fix, retry_after_seconds when the error says how long to wait, and a
confidence. Respects retry_count/max_retries: an exhausted job is never retried."""


def register(target: MCPServer | list[ToolDef], rt: Runtime) -> None:
    @tool(
        target,
        name="analyze_failure",
        description=DESCRIPTION,
        annotations=annotations("Analyze a job failure", open_world=True),
        result=RESULT,
    )
    @guarded("analyze_failure", rt.usage)
    async def analyze_failure(
        error: Annotated[
            str | None, Field(description="The error message (first line of the failure).")
        ] = None,
        error_stack: Annotated[
            str | None, Field(description="Full stack trace or error chain, if any.")
        ] = None,
        job_type: Annotated[str | None, Field(description="Job type, e.g. sync or bir_filing.")] = None,
        retry_count: Annotated[int, Field(ge=0, description="Retries already spent.")] = 0,
        max_retries: Annotated[int, Field(ge=0, description="Retries the job is allowed.")] = 3,
        payload: Annotated[
            dict[str, Any] | None, Field(description="The job's payload, for context.")
        ] = None,
        job_id: Annotated[
            str | None, Field(description="Load error, stack and counts of this job from the store.")
        ] = None,
    ) -> "FailureAnalysis":
        limit = rt.settings.limits.max_input_bytes
        for name, value in (("error", error), ("error_stack", error_stack), ("payload", payload)):
            check_size(name, value, limit)
        if job_id:
            job = await rt.store.get_job(job_id)
            if job is None:
                raise ToolError(f"job {job_id} not found in the store")
            error = error or job.error
            error_stack = error_stack or job.error_stack
            job_type = job_type or job.job_type
            retry_count = retry_count or job.retry_count
            max_retries = job.max_retries if max_retries == 3 else max_retries
            payload = payload or job.payload
        if not error:
            raise ToolError("error is required (or a job_id whose job has an error)")
        from aiops_mcp.tools.failures.engine import analyze_failure as offline_analysis
        from aiops_mcp.tools.failures.llm import ASSIST
        from aiops_mcp.tools.failures.models import FailureInput

        inp = FailureInput(
            error=error,
            error_stack=error_stack,
            job_type=job_type,
            retry_count=retry_count,
            max_retries=max_retries,
            payload=payload,
        )
        return await rt.answer("analyze_failure", inp, offline_analysis(inp), ASSIST)
