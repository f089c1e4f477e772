"""Offline DLQ triage: group by root cause, act per group, rank deadline-aware. Pure and deterministic."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from aiops_mcp.tools.failures.signature import signature

from .facts import ItemFacts, facts_for
from .grouping import describe_key, group_key
from .models import DlqGroup, DlqItem, DlqTriage, TriagedItem
from .severity import (
    PRIORITY_BAND,
    RANK,
    earliest,
    group_action,
    group_category,
    group_root_cause,
    group_severity,
)

_FAR = datetime.max.replace(tzinfo=UTC)


@dataclass
class _Group:
    key: tuple[str, ...]
    members: list[ItemFacts]
    action: str = "manual_fix"
    severity: str = "low"
    rule: str = ""
    category: str = "unknown"
    root_cause: str = "code"

    @property
    def deadline(self) -> datetime | None:
        return earliest([m.deadline for m in self.members])

    @property
    def first_failure(self) -> datetime:
        return earliest([m.item.failed_at for m in self.members]) or _FAR

    def sort_key(self) -> tuple:
        # R4: severity, earliest deadline, larger group, earliest first failure.
        return (RANK[self.severity], self.deadline or _FAR, -len(self.members), self.first_failure, self.key)


def _summary_line(g: _Group) -> str:
    lead = max(g.members, key=lambda m: m.verdict.confidence)
    what = lead.analysis.reason.split(" Raised from")[0].split(" Retries exhausted")[0]
    if lead.ignore_reason:
        what = lead.ignore_reason[0].upper() + lead.ignore_reason[1:] + "."
    return f"{len(g.members)} x {lead.verdict.error_class} ({lead.service}): {what} Action: {g.action}."


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def triage(items: list[DlqItem], *, as_of: datetime) -> DlqTriage:
    """Group, label and rank DLQ items. `as_of` is the triage time (deadlines are compared with it)."""
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    for it in items:
        it.failed_at = _aware(it.failed_at)
        it.created_at = _aware(it.created_at)
    facts = [facts_for(it) for it in items]
    buckets: dict[tuple[str, ...], list[ItemFacts]] = {}
    for f in facts:
        buckets.setdefault(group_key(f), []).append(f)
    groups = [_Group(k, v) for k, v in buckets.items()]
    for g in groups:
        g.action = group_action(g.members)
        g.category = group_category(g.members)
        g.root_cause = group_root_cause(g.members)
        g.severity, g.rule = group_severity(g.members, g.action, as_of)
    groups.sort(key=_Group.sort_key)

    out_groups: list[DlqGroup] = []
    out_items: list[TriagedItem] = []
    position: Counter[str] = Counter()
    for n, g in enumerate(groups, start=1):
        gid = f"g{n:02d}"
        top, floor = PRIORITY_BAND[g.severity]
        priority = max(floor, top - position[g.severity])
        if g.action == "ignore":
            priority = floor
        position[g.severity] += 1
        members = sorted(g.members, key=lambda m: (m.item.failed_at or _FAR, m.item.id))
        summary = _summary_line(g)
        example = signature(members[0].item.error)
        out_groups.append(
            DlqGroup(
                id=gid,
                signature=f"{describe_key(g.key)} | {example}"[:300],
                ids=[m.item.id for m in members],
                count=len(members),
                severity=g.severity,  # type: ignore[arg-type]
                action=g.action,  # type: ignore[arg-type]
                root_cause=g.root_cause,  # type: ignore[arg-type]
                category=g.category,  # type: ignore[arg-type]
                summary=summary,
                severity_rule=g.rule,
                earliest_deadline=g.deadline,
            )
        )
        for m in members:
            reason = f"{g.rule}. {m.analysis.reason}"
            if m.ignore_reason:
                reason = f"{g.rule}. {m.ignore_reason.split(': ', 1)[-1]}."
            out_items.append(
                TriagedItem(
                    id=m.item.id,
                    severity=g.severity,  # type: ignore[arg-type]
                    root_cause=g.root_cause,  # type: ignore[arg-type]
                    action=g.action,  # type: ignore[arg-type]
                    priority=priority,
                    group_id=gid,
                    reason=reason[:500],
                    deadline=m.deadline,
                )
            )
    return DlqTriage(items=out_items, groups=out_groups, summary=_summary(out_groups, len(items)))


def _summary(groups: list[DlqGroup], n: int) -> str:
    if not groups:
        return "The dead-letter queue is empty."
    by_sev = Counter()
    for g in groups:
        by_sev[g.severity] += g.count
    sev = ", ".join(f"{by_sev[s]} {s}" for s in ("critical", "high", "medium", "low") if by_sev[s])
    actions = Counter()
    for g in groups:
        actions[g.action] += g.count
    act = ", ".join(f"{c} {a}" for a, c in actions.most_common())
    head = groups[0]
    return (
        f"{n} items in {len(groups)} root-cause groups ({sev}; {act}). First: {head.summary} "
        f"[{head.severity_rule}]"
    )
