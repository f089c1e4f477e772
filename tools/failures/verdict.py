"""The intermediate result of a rule: what the error is, who has to act, and what to do."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Verdict:
    category: str  # transient | permanent | unknown
    root_cause: str  # infra | code | data | external
    error_class: str  # stable id of the error class, e.g. "pg.23505", "http.503", "net.dns_nxdomain"
    reason: str
    fix: str
    confidence: float = 0.85
    family: str = ""  # grouping family for DLQ triage: upstream | db_capacity | db_concurrency | ...
    subject: str | None = None  # the thing affected: constraint, column, host, key name ...
    flags: set[str] = field(default_factory=set)  # auth | quota | data_loss | replay_candidate
    backoff_base: float = 10.0  # seconds before the first retry when the server gave no hint


def internal_host(host: str | None) -> bool:
    """Our own platform: private addresses, cluster-local names, Supabase/database/Redis endpoints."""
    if not host:
        return False
    h = host.lower()
    return (
        h in {"localhost", "127.0.0.1", "::1"}
        or h.startswith(("10.", "192.168.", "172.16.", "172.17.", "172.18.", "172.2", "172.3"))
        or h.endswith(
            (".internal", ".local", ".svc", ".cluster.local", ".lan", ".supabase.co", ".supabase.com")
        )
        or any(
            k in h
            for k in ("redis", "postgres", "pgbouncer", "pooler", "db.", "database", "worker", "renderer")
        )
    )
