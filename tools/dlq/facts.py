"""Per-item facts for triage: the failure analysis, the dependency involved, deadline, and ignore evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from aiops_mcp.tools.failures.engine import analyze
from aiops_mcp.tools.failures.models import FailureAnalysis, FailureInput
from aiops_mcp.tools.failures.parse import ParsedError
from aiops_mcp.tools.failures.replay import replay_evidence
from aiops_mcp.tools.failures.rules_cloud import S3_OPS
from aiops_mcp.tools.failures.verdict import Verdict

from .models import DlqItem

PHT = timezone(timedelta(hours=8), "PHT")
# Job types whose payload deadline is statutory (BIR filings) or a close deadline (RULES.md S1a/S2a).
DEADLINE_JOB_TYPES = frozenset({"bir_filing", "month_end_close"})
_DEADLINE_KEYS = ("deadline", "statutory_deadline", "filing_deadline", "close_deadline", "due_date")
_SERVICE_KEYS = ("integration", "source", "provider", "service", "vendor", "api")
_DELETED = re.compile(r"delet|remov|trash|archiv|purg|destroy|void", re.I)
_CORRUPTION = re.compile(
    r"checksum mismatch|DATA_LOSS|data corruption|corrupt(ed)? (page|block|index|data)|invalid page in block|"
    r"transaction resolution unknown",
    re.I,
)


@dataclass
class ItemFacts:
    item: DlqItem
    analysis: FailureAnalysis
    verdict: Verdict
    parsed: ParsedError
    service: str
    deadline: datetime | None
    ignore_reason: str | None
    corruption: bool
    aliases: frozenset[str] = frozenset()  # every name this item gives its dependency (host, integration)


def end_of_day_pht(value: Any) -> datetime | None:
    """A payload deadline: a date is read as the end of that day in Philippine time (UTC+08:00)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=PHT)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59, 999999), PHT)
    s = str(value).strip()
    try:
        if len(s) == 10:
            return datetime.combine(date.fromisoformat(s), time(23, 59, 59, 999999), PHT)
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        return dt if dt.tzinfo else dt.replace(tzinfo=PHT)
    except ValueError:
        return None


def _deadline(payload: dict[str, Any]) -> datetime | None:
    for key in _DEADLINE_KEYS:
        if payload.get(key):
            return end_of_day_pht(payload[key])
    return None


_ALREADY = re.compile(r"already exists|ALREADY_EXISTS|AlreadyExists|duplicate key|Duplicate entry|409", re.I)


def ignore_evidence(item: DlqItem, v: Verdict, text: str) -> str | None:
    payload = item.payload or {}
    if payload.get("superseded_by"):
        return f"superseded: the job was superseded by {payload['superseded_by']}"
    if (v.error_class in {"pg.23505", "grpc.ALREADY_EXISTS", "http.409"} or _ALREADY.search(text)) and (
        reason := replay_evidence(text, payload)
    ):
        return "replay: " + reason + "; an earlier attempt already did the work"
    event = str(payload.get("source_event") or payload.get("event") or "")
    if v.error_class in {"http.404", "http.410", "grpc.NOT_FOUND", "aws.NoSuchKey"} and _DELETED.search(
        event
    ):
        return f"deleted upstream: the entity was deleted at the source ({event}); nothing left to sync"
    return None


def payload_service(item: DlqItem) -> str | None:
    payload = item.payload or {}
    for key in _SERVICE_KEYS:
        if isinstance(payload.get(key), str) and payload[key]:
            return str(payload[key]).lower()
    return None


def service_of(item: DlqItem, p: ParsedError) -> str:
    """The dependency involved: provider SDK, AWS service, URL host, payload integration, else the job type."""
    names = " ".join(p.names).lower()
    text = p.text
    for lib in ("openai", "anthropic", "genai", "cohere", "mistral", "groq"):
        if lib + "." in names or f"{lib}." in text[:200].lower():
            return lib
    if "botocore" in names or "boto3" in names or "An error occurred (" in text:
        if S3_OPS.search(text) or "s3." in text.lower():
            return "aws:s3"
        if m := re.search(r"calling the (\w+) operation", text):
            op = m[1]
            if op in {"InvokeModel", "Converse", "InvokeModelWithResponseStream"}:
                return "aws:bedrock"
            if re.search(r"Item|Query|Scan|Table", op):
                return "aws:dynamodb"
            if "Record" in op:
                return "aws:kinesis"
        return "aws"
    if p.hosts:
        h = p.hosts[0].lower()
        if h.endswith("googleapis.com"):
            return "google:" + h.split(".")[0]
        for provider in ("openai", "anthropic"):
            if provider in h:
                return provider
        return re.sub(r"^(api|www)\d*\.", "", h)
    if named := payload_service(item):
        return named
    if "google" in names or "grpc" in names:
        return "google"
    # Not the code module: one dependency is called from many modules, and the job type is stable.
    return item.job_type or "unknown"


def facts_for(item: DlqItem) -> ItemFacts:
    inp = FailureInput(
        error=item.error,
        error_stack=item.error_stack,
        job_type=item.job_type,
        retry_count=item.retry_count,
        max_retries=item.max_retries,
        payload=item.payload,
    )
    analysis, verdict, parsed = analyze(inp)
    payload = item.payload or {}
    service = service_of(item, parsed)
    return ItemFacts(
        item=item,
        analysis=analysis,
        verdict=verdict,
        parsed=parsed,
        service=service,
        deadline=_deadline(payload),
        ignore_reason=ignore_evidence(item, verdict, parsed.text),
        corruption=bool(_CORRUPTION.search(parsed.text)) or "data_loss" in verdict.flags,
        aliases=frozenset(a for a in (service, payload_service(item)) if a),
    )
