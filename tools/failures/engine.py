"""Offline failure analysis: pure, deterministic, fast. The model (when any) is checked against this."""

from __future__ import annotations

import re

from . import rules_code, rules_db, rules_limits, rules_net
from .models import FailureAnalysis, FailureInput
from .parse import ParsedError, ceil_seconds, parse, retry_after
from .replay import replay_evidence
from .signature import signature
from .verdict import Verdict

MAX_BACKOFF_SECONDS = 900


def classify(p: ParsedError) -> Verdict | None:
    """The most specific rule wins: quotas/auth/TLS, then SQLSTATE/PostgREST, then protocols, then languages."""
    for module in (rules_limits, rules_db, rules_net, rules_code):
        if v := module.classify(p):
            return v
    return None


_GUESSES = [
    (
        re.compile(
            r"try again|temporar|unavailable|timed? ?out|overload|busy|maintenance|throttl|rate.?limit|"
            r"reset by peer|connection (closed|lost|reset|dropped)",
            re.I,
        ),
        "transient",
        "external",
        "Retry with backoff; the wording says the condition is temporary.",
    ),
    (
        re.compile(r"not found|does not exist|no such|unknown (id|record|entity)", re.I),
        "permanent",
        "data",
        "Check the referenced id/record in the payload; fix or drop the job.",
    ),
    (
        re.compile(
            r"invalid|malformed|missing required|must be|cannot be|not allowed|unsupported|mismatch", re.I
        ),
        "permanent",
        "data",
        "Fix the offending field of the record/payload named in the message, then replay.",
    ),
]


def _unknown(p: ParsedError) -> Verdict:
    name = p.root.name if p.root else "error"
    for rx, cat, root, fix in _GUESSES:
        if rx.search(p.text):
            return Verdict(
                cat,
                root,
                "guess." + cat,
                f"No specific rule recognised {name}; judged from its wording ({cat}). Low confidence.",
                fix,
                0.4,
                "upstream" if cat == "transient" else root,
                backoff_base=30.0,
            )
    return Verdict(
        "unknown",
        "code",
        "unknown",
        f"No rule recognised {name}; treat it as a bug until shown otherwise.",
        "Read the stack at the job's innermost frame; add a rule or a typed exception for this failure.",
        0.3,
        "unknown",
        backoff_base=30.0,
    )


def analyze(inp: FailureInput) -> tuple[FailureAnalysis, Verdict, ParsedError]:
    """Analysis plus the intermediate facts (used by DLQ triage and the model merge)."""
    p = parse(inp.error, inp.error_stack)
    v = classify(p) or _unknown(p)
    exhausted = inp.retry_count >= inp.max_retries
    # An unknown error gets one bounded retry: cheap, and the budget caps the waste.
    retryable = v.category == "transient" or (v.category == "unknown" and inp.retry_count == 0)
    should_retry = retryable and not exhausted
    wait: int | None = None
    if should_retry:
        hint = retry_after(p.text)
        if hint is not None:
            wait = ceil_seconds(hint)
        else:
            wait = int(min(MAX_BACKOFF_SECONDS, v.backoff_base * (2 ** min(inp.retry_count, 10))))
    reason = v.reason
    if p.app_frame and p.app_frame.short() not in reason:
        reason += f" Raised from {p.app_frame.short()}."
    if v.category == "transient" and exhausted:
        reason += (
            f" Retries exhausted ({inp.retry_count}/{inp.max_retries}): no further retry; requeue by hand "
            "once the dependency is healthy."
        )
    fix = v.fix
    replay = replay_evidence(p.text, inp.payload) if inp.payload and "replay_candidate" in v.flags else None
    if replay is None and inp.payload and v.error_class in {"grpc.ALREADY_EXISTS", "http.409"}:
        replay = replay_evidence(p.text, inp.payload)
    if replay:
        reason += f" It is a replay: {replay}; an earlier attempt already did the work."
        fix = (
            "Nothing to redo: mark the job done. Make the write idempotent (ON CONFLICT DO NOTHING / upsert "
            "on that key) so redeliveries succeed quietly."
        )
    if v.category == "transient" and exhausted:
        fix = "Requeue the job once the dependency recovers (budget spent). " + fix
    out = FailureAnalysis(
        should_retry=should_retry,
        category=v.category,  # type: ignore[arg-type]
        root_cause=v.root_cause,  # type: ignore[arg-type]
        reason=reason,
        suggested_fix=fix,
        retry_after_seconds=wait,
        confidence=round(v.confidence, 2),
        error_class=v.error_class,
        signature=signature(inp.error),
        retries_exhausted=exhausted,
        app_frame=p.app_frame.short() if p.app_frame else None,
    )
    return out, v, p


def analyze_failure(inp: FailureInput) -> FailureAnalysis:
    """Decide retry or not, category, root cause, a specific fix and a wait hint, from the error alone."""
    return analyze(inp)[0]
