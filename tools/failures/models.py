"""Input and output of `analyze_failure` (the tool's inputSchema and outputSchema)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aiops_mcp.tools.meta import Meta

Category = Literal["transient", "permanent", "unknown"]
RootCause = Literal["infra", "code", "data", "external"]


class FailureInput(BaseModel):
    """One failed job run, as the worker logged it."""

    model_config = ConfigDict(extra="ignore")

    error: str = Field(
        description='The error line(s) as logged, e.g. "psycopg2.errors.UniqueViolation: ...".'
    )
    error_stack: str | None = Field(
        None,
        description="Full traceback/stack (Python, Node, Java or Go), including chained causes. "
        "The whole stack is read, not only the first line.",
    )
    job_type: str | None = Field(
        None, description="The job's type, e.g. sync, report, bir_filing, month_end_close."
    )
    retry_count: int = Field(0, ge=0, description="Retries already spent on this job.")
    max_retries: int = Field(
        3, ge=0, description="The job's retry budget; no retry is advised once it is spent."
    )
    payload: dict[str, Any] | None = Field(None, description="The job payload (used for context only).")


class FailureAnalysis(BaseModel):
    """Whether to retry, why, who has to act, and what to change."""

    should_retry: bool = Field(
        description="True only when the failure is transient AND retry_count < max_retries."
    )
    category: Category = Field(
        description="transient: the same job can succeed later unchanged; permanent: it fails the same way until "
        "code, data or configuration changes (includes quotas exhausted until a distant reset); unknown: no rule "
        "recognised the error."
    )
    root_cause: RootCause = Field(
        description="Who has to act: infra (our platform, credentials, DB, network), code (job code or schema), "
        "data (this record/payload), external (a third-party service's outage, throttling, quota)."
    )
    reason: str = Field(
        description="One or two sentences: the error class recognised and the rule that decides."
    )
    suggested_fix: str = Field(description="A concrete next step specific to this error class.")
    retry_after_seconds: int | None = Field(
        None,
        description="When retrying: seconds to wait (from Retry-After / 'try again in' / rate-limit reset, "
        "else an exponential backoff suggestion). None when no retry is advised.",
    )
    confidence: float = Field(
        ge=0.0, le=1.0, description="How sure the engine is (explicit codes score highest)."
    )
    error_class: str | None = Field(
        None,
        description="Stable id of the recognised error class, e.g. 'pg.23505', 'http.503', 'rate_limited'.",
    )
    signature: str | None = Field(
        None, description="Normalised error signature (ids, numbers, timestamps and hex masked) for grouping."
    )
    retries_exhausted: bool = Field(False, description="True when retry_count >= max_retries.")
    app_frame: str | None = Field(
        None, description="Innermost frame of the job's own code (not library code)."
    )
    meta: Meta = Field(default_factory=Meta)
