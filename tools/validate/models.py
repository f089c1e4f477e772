"""Boundary models of `validate_job_payload`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..meta import Meta


class Problem(BaseModel):
    path: str = Field(
        description="Where, dotted from the payload root (e.g. 'job.params.form'); '' = the whole payload."
    )
    message: str = Field(description="What is wrong and how to fix it.")


class ValidateInput(BaseModel):
    payload: dict[str, Any]
    job_type: str


class ValidationResult(BaseModel):
    valid: bool
    problems: list[Problem] = Field(default_factory=list)
    meta: Meta = Field(default_factory=Meta)
