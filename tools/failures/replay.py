"""Replays: a duplicate/already-exists error on the key the job derives from its own idempotency key.

An earlier attempt already did the work (it committed before the client timed out, or the queue
redelivered the job). Not retryable, but nothing is broken either: the job can be marked done.
"""

from __future__ import annotations

import re
from typing import Any

_IDEMPOTENCY_KEYS = ("idempotency_key", "dedupe_key", "dedup_key", "request_id", "source_ref", "external_id")
# Tenant scoping columns (company_id ...) are part of most unique keys; they say nothing about whose row it is.
_SCOPE_SUFFIXES = ("company_id", "tenant_id", "org_id", "organization_id", "account_id", "workspace_id")


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def _tokens(s: str) -> set[str]:
    return {t for t in re.split(r"[\s:|/,#;=]+", s.lower()) if t}


def _conflict_values(text: str) -> list[str]:
    if m := re.search(r"Key \(([^)]*)\)=\((.*?)\) already exists", text):
        return [v.strip().strip("'\"").lower() for v in m[2].split(",")]
    return []


_EXISTING = re.compile(r"Already Exists:?\s+(?:[A-Za-z]+\s+)?([\w:./-]{8,})", re.I)


def replay_evidence(text: str, payload: dict[str, Any]) -> str | None:
    """A duplicate/already-exists error on the key the job derives from its own idempotency key."""
    own = [str(payload[k]) for k in _IDEMPOTENCY_KEYS if payload.get(k)]
    if m := _EXISTING.search(text):
        # "409 Already Exists: Job <id>": the existing resource's id is one this job's payload names.
        rid = _norm(m[1])
        for value in [*own, *(v for v in payload.values() if isinstance(v, str))]:
            nv = _norm(value)
            if len(nv) >= 8 and nv in rid:
                return f"the existing resource ({m[1][:60]}) is the one this job creates"
    if not own:
        return None
    values = _conflict_values(text)
    scope = {str(v).lower() for k, v in payload.items() if k.endswith(_SCOPE_SUFFIXES) and v}
    for key in own:
        tokens, low = _tokens(key), key.lower()
        own_values = [v for v in values if v not in scope]
        if own_values and all(v in tokens or v == low or (len(v) >= 4 and v in low) for v in own_values):
            return f"the conflicting key equals the job's own idempotency key ({key[:60]})"
        if len(_norm(key)) >= 8 and _norm(key) in _norm(text):
            return "the existing resource carries the job's own idempotency key"
    return None
