"""Boundary models of `extract_dependencies`: the graph in, new typed edges with evidence out."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..meta import Meta

EDGE_TYPES = ("database", "cache", "queue", "http_api", "storage", "auth", "service")


class Node(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    type: str = "service"
    name: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)


class Edge(BaseModel):
    model_config = ConfigDict(extra="allow")

    from_id: str
    to_id: str
    type: str = "depends_on"


class DepsInput(BaseModel):
    """The graph as the discovery adapters and the benchmark write it (`input` of a case file)."""

    model_config = ConfigDict(extra="allow")

    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list, description="Known (declared) edges; never repeated.")
    min_confidence: float = Field(0.5, ge=0.0, le=1.0)
    paths: list[str] = Field(
        default_factory=list,
        description="docker-compose or Kubernetes YAML files; their graph is added to nodes/edges.",
    )


class FoundEdge(BaseModel):
    from_id: str = Field(description="The dependent node.")
    to_id: str = Field(description="The dependency.")
    type: str = Field(description="database | cache | queue | http_api | storage | auth | service")
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: str = Field(description="Where in the input: property path and value, or the rule used.")


class RejectedEdge(BaseModel):
    from_id: str
    to_id: str
    reason: str


class DepsResult(BaseModel):
    edges: list[FoundEdge] = Field(default_factory=list, description="New edges only.")
    rejected: list[RejectedEdge] = Field(
        default_factory=list, description="Model-suggested edges that failed validation, with the reason."
    )
    meta: Meta = Field(default_factory=Meta)
