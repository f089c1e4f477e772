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
    summary: str | None = None

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


@dataclass
class Override:
    """Labels a model may set on a group whose offline evidence is weak (see llm.py)."""

    action: str | None = None
    root_cause: str | None = None
    summary: str | None = None


def item_facts(items: list[DlqItem]) -> list[ItemFacts]:
    for it in items:
        it.failed_at = _aware(it.failed_at)
        it.created_at = _aware(it.created_at)
    return [facts_for(it) for it in items]


def partition(facts: list[ItemFacts]) -> list[tuple[tuple[str, ...], list[ItemFacts]]]:
    buckets: dict[tuple[str, ...], list[ItemFacts]] = {}
    for f in facts:
        buckets.setdefault(group_key(f), []).append(f)
    return _join_dependency_aliases(buckets)


def _join_dependency_aliases(
    buckets: dict[tuple[str, ...], list[ItemFacts]],
) -> list[tuple[tuple[str, ...], list[ItemFacts]]]:
    """One unhealthy dependency named two ways (a URL host in one message, the payload's integration in
    another) is one group: join dependency buckets whose items share a name."""
    out: list[tuple[tuple[str, ...], list[ItemFacts]]] = []
    joined: list[tuple[set[str], tuple[str, ...], list[ItemFacts]]] = []
    for key, members in buckets.items():
        if key[0] != "dependency_unhealthy":
            out.append((key, members))
            continue
        names = set().union(*(m.aliases for m in members))
        for entry in joined:
            if entry[0] & names:
                entry[0].update(names)
                entry[2].extend(members)
                break
        else:
            joined.append((names, key, list(members)))
    return out + [(key, members) for _, key, members in joined]


def triage(items: list[DlqItem], *, as_of: datetime) -> DlqTriage:
    """Group, label and rank DLQ items. `as_of` is the triage time (deadlines are compared with it)."""
    return assemble(partition(item_facts(items)), as_of=as_of, n_items=len(items))


def assemble(
    parts: list[tuple[tuple[str, ...], list[ItemFacts]]],
    *,
    as_of: datetime,
    n_items: int,
    overrides: dict[tuple[str, ...], Override] | None = None,
) -> DlqTriage:
    """Label, rank and render a partition of the items (the offline one, or one a model refined)."""
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    overrides = overrides or {}
    groups = [_Group(k, v) for k, v in parts]
    for g in groups:
        o = overrides.get(g.key, Override())
        g.action = o.action or group_action(g.members)
        g.category = group_category(g.members)
        g.root_cause = o.root_cause or group_root_cause(g.members)
        g.severity, g.rule = group_severity(g.members, g.action, as_of)
        g.summary = o.summary
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
        summary = g.summary or _summary_line(g)
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
    return DlqTriage(items=out_items, groups=out_groups, summary=_summary(out_groups, n_items))


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
