"""Input and output of `triage_dlq`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aiops_mcp.tools.meta import Meta

Severity = Literal["critical", "high", "medium", "low"]
Action = Literal["retry", "manual_fix", "redeploy", "ignore"]
RootCause = Literal["infra", "code", "data", "external"]


class DlqItem(BaseModel):
    """One dead-letter-queue row (store table `dead_letter_queue`); extra columns are kept and ignored."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(description="DLQ row id.")
    job_id: str | None = Field(None, description="The failed job's id.")
    job_type: str | None = Field(
        None, description="e.g. sync, report, discovery, bir_filing, month_end_close."
    )
    error: str = Field(description="The error line(s) as logged.")
    error_stack: str | None = Field(None, description="Traceback / stack, if any.")
    retry_count: int = Field(0, ge=0)
    max_retries: int = Field(3, ge=0)
    payload: dict[str, Any] | None = Field(
        None,
        description="Job payload. Read for: deadline (a date: statutory/close deadline, end of that day in "
        "Philippine time), idempotency_key, source_event (e.g. contact.deleted), superseded_by.",
    )
    resolved: bool = Field(False, description="Resolved rows are normally not sent for triage.")
    created_at: datetime | None = None
    failed_at: datetime | None = None


class TriageInput(BaseModel):
    """What the model-assist half receives: the items and the triage time."""

    items: list[DlqItem]
    as_of: datetime = Field(description="Triage time (timezone-aware).")


class TriagedItem(BaseModel):
    id: str
    severity: Severity
    root_cause: RootCause
    action: Action = Field(
        description="retry (transient; requeue once healthy), manual_fix (fix record, "
        "credential, grant, quota, config), redeploy (code/schema fix), ignore (nothing left to do)."
    )
    priority: int = Field(
        ge=1, le=10, description="10 = handle first. The list is sorted by it, highest first."
    )
    group_id: str
    reason: str
    deadline: datetime | None = Field(None, description="Statutory/close deadline (end of day, PHT), if any.")


class DlqGroup(BaseModel):
    id: str
    signature: str = Field(description="Root-cause key plus a masked example message.")
    ids: list[str]
    count: int
    severity: Severity
    action: Action
    root_cause: RootCause
    category: Literal["transient", "permanent", "unknown"] = "unknown"
    summary: str = Field("", description="One line: what failed, why, what to do.")
    severity_rule: str = Field(
        "", description="Which rule set the severity (S1a deadline, S2b auth/quota, ...)."
    )
    earliest_deadline: datetime | None = None


class DlqTriage(BaseModel):
    """Items sorted by priority (highest first), their root-cause groups, and a summary."""

    items: list[TriagedItem]
    groups: list[DlqGroup]
    summary: str
    meta: Meta = Field(default_factory=Meta)
