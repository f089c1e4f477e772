"""MCP wrapper of `extract_dependencies`: implicit edges of an infrastructure graph, with evidence."""

from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from aiops_mcp.server.runtime import Runtime
from aiops_mcp.tools.wiring import ToolDef, annotations, check_size, guarded, tool

if TYPE_CHECKING:
    from aiops_mcp.tools.deps.models import DepsResult

RESULT = "aiops_mcp.tools.deps.models:DepsResult"

DESCRIPTION = """Find dependencies a graph of services does not declare: from environment variables, URLs,
DSNs, hostnames, ports and images matched against the nodes. Returns only NEW edges {from_id, to_id,
type (database | cache | queue | http | storage | auth ...), confidence, evidence}, never to a node that
does not exist. Give nodes (+ the edges already known), or paths to docker-compose / Kubernetes files."""


def register(target: MCPServer | list[ToolDef], rt: Runtime) -> None:
    @tool(
        target,
        name="extract_dependencies",
        description=DESCRIPTION,
        annotations=annotations("Extract implicit dependencies", open_world=True),
        result=RESULT,
    )
    @guarded("extract_dependencies", rt.usage)
    async def extract_dependencies(
        nodes: Annotated[
            list[dict[str, Any]] | None,
            Field(
                description="Nodes {id, type, name, properties}; properties hold env, image, ports, urls..."
            ),
        ] = None,
        edges: Annotated[list[dict[str, Any]] | None, Field(description="Edges already known.")] = None,
        min_confidence: Annotated[float, Field(ge=0, le=1, description="Drop edges below this.")] = 0.5,
        paths: Annotated[
            list[str] | None,
            Field(description="docker-compose or Kubernetes YAML files to read instead of nodes."),
        ] = None,
    ) -> "DepsResult":
        check_size("nodes", nodes, rt.settings.limits.max_input_bytes)
        if paths:
            from aiops_mcp.tools.deps.discover import load_graph_from_paths  # YAML loads only when used

            graph = load_graph_from_paths(paths)
            nodes = (nodes or []) + graph["nodes"]
            edges = (edges or []) + graph.get("edges", [])
        if not nodes:
            raise ValueError("nodes: give at least one node, or paths to compose/k8s files")
        from aiops_mcp.tools.deps.engine import extract
        from aiops_mcp.tools.deps.llm import ASSIST
        from aiops_mcp.tools.deps.models import DepsInput

        inp = DepsInput.model_validate(
            {"nodes": nodes, "edges": edges or [], "min_confidence": min_confidence}
        )
        return await rt.answer("extract_dependencies", inp, extract(inp), ASSIST)
