"""MCP wrapper of `classify_job`: which job type a payload is, from its fields and values."""

from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from aiops_mcp.server.runtime import Runtime
from aiops_mcp.tools.wiring import ToolDef, annotations, check_size, guarded, tool

if TYPE_CHECKING:
    from aiops_mcp.tools.classify.llm import ClassifyAssist
    from aiops_mcp.tools.classify.models import ClassifyResult
    from aiops_mcp.tools.classify.taxonomy import Taxonomy

RESULT = "aiops_mcp.tools.classify.models:ClassifyResult"

DESCRIPTION = """Classify a job payload into a job type (default taxonomy: discovery, sync, report,
bir_filing, month_end_close; teams add their own in aiops.toml). Labels by the job's main effect,
not by the nouns it mentions. Returns job_type, a calibrated confidence (>= 0.8 is reliable), the reason,
and ranked alternatives. Pass job_types to restrict the candidates."""


def register(target: MCPServer | list[ToolDef], rt: Runtime) -> None:
    @cache
    def taxonomy_and_assist() -> "tuple[Taxonomy, ClassifyAssist]":
        # Loaded on the first call, not at start-up: the taxonomy is only needed to answer one.
        from aiops_mcp.tools.classify.llm import ClassifyAssist
        from aiops_mcp.tools.classify.taxonomy import load_taxonomy

        taxonomy = load_taxonomy(rt.settings.job_types or None)
        # The model must see (and may answer with) the team's own job types too.
        return taxonomy, ClassifyAssist(taxonomy)

    @tool(
        target,
        name="classify_job",
        description=DESCRIPTION,
        annotations=annotations("Classify a job", open_world=True),
        result=RESULT,
    )
    @guarded("classify_job", rt.usage)
    async def classify_job(
        payload: Annotated[dict[str, Any], Field(description="The job payload (any JSON object).")],
        job_types: Annotated[list[str] | None, Field(description="Restrict to these job types.")] = None,
    ) -> "ClassifyResult":
        check_size("payload", payload, rt.settings.limits.max_input_bytes)
        taxonomy, assist = taxonomy_and_assist()
        if job_types:
            unknown = sorted(set(job_types) - set(taxonomy.names()))
            if unknown:
                raise ValueError(f"job_types: unknown {unknown}; known: {sorted(taxonomy.names())}")
        from aiops_mcp.tools.classify.engine import classify
        from aiops_mcp.tools.classify.models import ClassifyInput

        inp = ClassifyInput(payload=payload, job_types=job_types)
        return await rt.answer("classify_job", inp, classify(payload, taxonomy, job_types), assist)
