"""Boundary models of `classify_job`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..meta import Meta


class Alternative(BaseModel):
    job_type: str
    confidence: float = Field(ge=0.0, le=1.0)


class ClassifyInput(BaseModel):
    payload: dict[str, Any] = Field(description="The job payload, as the job system stores it.")
    job_types: list[str] | None = Field(None, description="Restrict the answer to these job types.")


class ClassifyResult(BaseModel):
    job_type: str
    confidence: float = Field(
        ge=0.0, le=1.0, description="Calibrated: >= 0.8 is right about 97% of the time."
    )
    reason: str
    alternatives: list[Alternative] = Field(
        default_factory=list, description="Other job types, most likely first."
    )
    meta: Meta = Field(default_factory=Meta)
