"""Action, severity (deadline-aware) and priority of a group, per the DLQ triage rules (R2-R4)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from .facts import DEADLINE_JOB_TYPES, ItemFacts

CRITICAL_WINDOW = timedelta(hours=72)
RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
PRIORITY_BAND = {"critical": (10, 9), "high": (8, 7), "medium": (6, 4), "low": (3, 1)}


def majority(values: list[str]) -> str:
    return Counter(values).most_common(1)[0][0]


def group_category(members: list[ItemFacts]) -> str:
    return majority([m.verdict.category for m in members])


def group_root_cause(members: list[ItemFacts]) -> str:
    return majority([m.verdict.root_cause for m in members])


def group_action(members: list[ItemFacts]) -> str:
    """R2: ignore (nothing left to do) > retry (transient) > redeploy (code) > manual_fix."""
    if sum(1 for m in members if m.ignore_reason) * 2 > len(members):
        return "ignore"
    category = group_category(members)
    if category == "transient":
        return "retry"
    if category == "permanent" and group_root_cause(members) == "code":
        return "redeploy"
    return "manual_fix"


def group_severity(members: list[ItemFacts], action: str, as_of: datetime) -> tuple[str, str]:
    """R3, first matching rule wins. Returns (severity, rule)."""
    if action == "ignore":
        return "low", "S4: nothing left to do (ignore)"
    if any(m.corruption for m in members):
        return "critical", "S1b: data loss/corruption signalled"
    deadline_items = [m for m in members if (m.item.job_type or "") in DEADLINE_JOB_TYPES]
    near = [
        m.deadline for m in deadline_items if m.deadline is not None and m.deadline - as_of <= CRITICAL_WINDOW
    ]
    if near:
        d = min(near)
        when = "overdue" if d < as_of else f"due {d.date().isoformat()} (PHT)"
        return "critical", f"S1a: statutory/close deadline within 72 h ({when})"
    if deadline_items:
        return "high", "S2a: filing/close job (deadline further out)"
    if any(m.verdict.flags & {"auth", "quota"} for m in members):
        return "high", "S2b: credential/permission/quota failure blocks the whole integration"
    if len(members) >= 10 and action in {"redeploy", "manual_fix"}:
        return "high", "S2c: 10 or more items need a fix"
    if action in {"redeploy", "manual_fix"}:
        return "medium", "S3a: needs a fix (redeploy/manual_fix)"
    if action == "retry" and len(members) >= 5:
        return "medium", "S3b: retry group with 5 or more items"
    return "low", "S4: small retry group"


def earliest(values: list[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None
