"""Group DLQ items by root cause (one fix or one recovery resolves the group), not by surface text.

Different messages of one incident share a key: pool saturation seen as "too many clients",
PGRST003 and "remaining connection slots"; a missing migration seen as UndefinedColumn and
PGRST204 for the same column; throttling and 5xx of one dependency. The same error class with
different causes gets different keys: a 23505 replay of the job's own idempotency key is not a
23505 between two different records.
"""

from __future__ import annotations

from aiops_mcp.tools.failures.signature import mask

from .facts import ItemFacts

# Transient database availability problems: one database incident, whatever the symptom.
_DB_AVAILABILITY = {"db_capacity", "db_connection"}


def group_key(f: ItemFacts) -> tuple[str, ...]:
    v = f.verdict
    if f.ignore_reason:
        return ("ignore", f.ignore_reason.split(":", 1)[0], v.error_class, v.subject or f.service)
    if v.category == "transient":
        if v.family in _DB_AVAILABILITY:
            return ("database_unavailable",)
        if v.family == "db_concurrency":
            return ("db_concurrency", f.item.job_type or "")
        if v.family == "dns":
            return ("dns_temporary", f.service)
        return ("dependency_unhealthy", f.service)
    if v.family == "schema_drift":
        return ("schema_drift", (v.subject or v.error_class).lower())
    if "quota" in v.flags:
        return ("quota_exhausted", f.service)
    if "auth" in v.flags:
        return ("auth", v.error_class.split(".")[0], f.service)
    if v.family == "tls":
        return ("tls", v.error_class, f.service)
    if v.category == "unknown":
        return ("unknown", mask(f.parsed.root.message if f.parsed.root else f.item.error)[:120])
    subject = v.subject
    if v.root_cause == "code" and v.error_class.startswith("py.") and subject:
        # The same bug: the same exception on the same key/attribute, wherever it was raised from.
        return ("bug", v.error_class, subject.lower())
    if subject:
        return ("fault", v.error_class, subject.lower())
    if v.error_class.split(".")[0] in {"http", "grpc", "aws", "llm"}:
        return ("fault", v.error_class, f.service)
    return ("fault", v.error_class, mask(f.parsed.root.message if f.parsed.root else f.item.error)[:120])


def describe_key(key: tuple[str, ...]) -> str:
    return ":".join(k for k in key if k)
