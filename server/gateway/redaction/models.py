"""Output model of the `redact_text` tool."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Finding(BaseModel):
    kind: str = Field(description="Placeholder kind, e.g. EMAIL, GITHUB_TOKEN, TIN.")
    count: int = Field(description="Distinct values of this kind that were replaced.")


class RedactResult(BaseModel):
    text: str = Field(description="The input with every secret and personal datum replaced by <KIND_N>.")
    findings: list[Finding] = Field(default_factory=list)
