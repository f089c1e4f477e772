"""Turning the summarizer's counters into a `LogSummary`: ranking, statistics, actions and the text.

The offline summary text and actions are written only from the facts computed here (counts, levels,
line numbers, percentiles, bursts), the same facts a model is given, so both can be checked alike.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .models import Burst, ErrorPattern, LogSummary, ParameterStats, Pattern, SummaryStats
from .stats import classify, is_identifier, percentile

if TYPE_CHECKING:
    from .summary import LogSummarizer, TemplateStats

MAX_PERFORMANCE = 20
_SEVERITY = {"CRITICAL": 4, "ERROR": 3, "WARNING": 2}
ERROR_WORDS = re.compile(
    r"\b(error|errors|exception|fail(?:ed|ure|ing)?|fatal|panic|denied|refused|timed? ?out|timeout|unable|"
    r"cannot|can't|could not|couldn't|invalid|corrupt(?:ed)?|abort(?:ed)?|killed|died|crash(?:ed)?|severe|"
    r"unreachable|lost|rejected|deadlock|overflow|out of memory|oom|not found|unavailable|broken)\b",
    re.I,
)
# General advice keyed to error wording (not to any particular system).
_ADVICE = [
    (re.compile(r"time(?:d)? ?out|deadline", re.I), "check the latency and health of the dependency that timed out"),
    (re.compile(r"refused|unreachable|reset by peer|connection", re.I), "check that the target service is up and reachable (DNS, ports, firewall)"),
    (re.compile(r"denied|permission|unauthori[sz]ed|forbidden|credential", re.I), "check credentials and permissions of the failing component"),
    (re.compile(r"out of memory|\boom\b|heap|memory", re.I), "check memory limits and usage of the process"),
    (re.compile(r"no space|disk|quota|full", re.I), "check free disk space and quotas"),
    (re.compile(r"not found|no such|missing", re.I), "check that the referenced file, resource or record exists"),
    (re.compile(r"invalid|corrupt|parse|malformed|format", re.I), "check the input data that failed validation"),
]  # fmt: skip


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _level(st: TemplateStats) -> str | None:
    return st.levels.most_common(1)[0][0] if st.levels else None


def _pattern(tid: int, text: str, st: TemplateStats, lines_in: int) -> dict:
    return {
        "template_id": tid,
        "template": text,
        "count": st.count,
        "share": round(st.count / lines_in, 4) if lines_in else 0.0,
        "level": _level(st),
        "example": st.example,
        "first_line": st.first_line,
        "last_line": st.last_line,
        "first_seen": st.first_ts,
        "last_seen": st.last_ts,
    }


def error_patterns(s: LogSummarizer, texts: dict[int, str], limit: int) -> list[ErrorPattern]:
    ranked = []
    for tid, st in s.templates.items():
        level = _level(st)
        sev = _SEVERITY.get(level or "", 0)
        words = sorted({w.lower() for w in ERROR_WORDS.findall(texts[tid])})
        if sev < 2 and not words:
            continue
        if level in ("DEBUG", "TRACE") and not sev:
            continue
        reasons = []
        if sev:
            reasons.append(f"level {level} ({st.levels[level]} of {st.count} lines)")
        if words:
            reasons.append("words: " + ", ".join(words[:5]))
        # words alone rank between WARNING and ERROR
        score = sev if sev else 2.5
        if sev == 2 and words:
            score = 2.7
        ranked.append((score, st.count, st.last_line, tid, "; ".join(reasons)))
    ranked.sort(key=lambda r: (-r[0], -r[1], -r[2]))
    return [
        ErrorPattern(**_pattern(tid, texts[tid], s.templates[tid], s.lines_in), rank=i + 1, reason=reason)
        for i, (_, _, _, tid, reason) in enumerate(ranked[:limit])
    ]


def performance(s: LogSummarizer, texts: dict[int, str]) -> list[ParameterStats]:
    out = []
    for tid, st in s.templates.items():
        for pos, slot in enumerate(st.slots):
            r = slot.values
            if (
                r.count < 3
                or slot.non_numeric > 0.1 * (r.count + slot.non_numeric)
                or is_identifier(slot.name)
            ):
                continue
            unit = (
                slot.units.most_common(1)[0][0]
                if slot.units
                else slot.template_unit or _unit_after(st, slot.token)
            )
            kind = classify(slot.name, unit)
            if kind is None:
                continue
            vals = sorted(r.sample)
            q1, q3 = percentile(vals, 25), percentile(vals, 75)
            fence = q3 + 3 * (q3 - q1)
            outliers_in_sample = sum(1 for v in vals if v > fence)
            outliers = round(outliers_in_sample * r.count / len(vals)) if vals else 0
            out.append(
                ParameterStats(
                    template_id=tid,
                    template=texts[tid],
                    position=pos,
                    name=slot.name,
                    kind=kind,
                    unit=unit,
                    count=r.count,
                    min=r.min,
                    p50=round(percentile(vals, 50), 6),
                    p95=round(percentile(vals, 95), 6),
                    max=r.max,
                    mean=round(r.total / r.count, 6),
                    outliers=outliers,
                    outlier_examples=[{"value": v, "line": ln} for v, ln in r.top if v > fence and q3 > q1],
                )
            )
    order = {"duration": 0, "size": 1, "count": 2, "number": 3}
    out.sort(key=lambda p: (order[p.kind], -(p.outliers > 0), -(p.max / p.p50 if p.p50 > 0 else 0), -p.count))
    return out[:MAX_PERFORMANCE]


def _unit_after(st: TemplateStats, token: int) -> str | None:
    toks = st.tokens or []
    if token + 1 < len(toks):
        nxt = toks[token + 1].strip(".,;:()").lower()
        if nxt in {
            "ms",
            "s",
            "sec",
            "secs",
            "seconds",
            "us",
            "ns",
            "bytes",
            "b",
            "kb",
            "mb",
            "gb",
            "minutes",
            "min",
        }:
            return nxt
    return None


def actions(errors: list[ErrorPattern], perf: list[ParameterStats], bursts: list[Burst]) -> list[str]:
    out: list[str] = []
    for e in errors[:3]:
        advice = next(
            (a for rx, a in _ADVICE if rx.search(e.template)), "find what changed before its first line"
        )
        out.append(
            f"Investigate '{_short(e.template)}' ({e.count} lines, {e.reason}; lines {e.first_line}-{e.last_line}): {advice}."
        )
    for b in bursts[:2]:
        out.append(
            f"Look at the burst from {b.start.isoformat()} to {b.end.isoformat()} ({b.lines} lines, "
            f"{b.factor}x the usual rate; templates {b.top_templates})."
        )
    for p in perf:
        if p.kind == "duration" and p.outliers:
            unit = f" {p.unit}" if p.unit else ""
            out.append(
                f"Check slow cases of '{_short(p.template)}' ({p.name or 'value'}: p50 {p.p50:g}{unit}, p95 {p.p95:g}{unit}, "
                f"max {p.max:g}{unit}, {p.outliers} outliers)."
            )
            break
    if not out:
        out.append("No errors, bursts or slow outliers found; nothing urgent.")
    return out


def summary_text(
    stats: SummaryStats,
    patterns: list[Pattern],
    errors: list[ErrorPattern],
    perf: list[ParameterStats],
    bursts: list[Burst],
) -> str:
    parts = [
        f"{stats.lines_in} lines fold into {stats.patterns} patterns (reduction {stats.reduction_ratio:.1%})."
    ]
    if stats.levels:
        parts.append(
            "Levels: "
            + ", ".join(f"{k} {v}" for k, v in sorted(stats.levels.items(), key=lambda kv: -kv[1]))
            + "."
        )
    if patterns:
        top = patterns[0]
        parts.append(f"Most frequent: '{_short(top.template)}' ({top.count} lines, {top.share:.0%}).")
    if errors:
        e = errors[0]
        parts.append(
            f"{len(errors)} error patterns; first: '{_short(e.template)}' ({e.count} lines, {e.reason})."
        )
    else:
        parts.append("No error patterns.")
    durations = [p for p in perf if p.kind == "duration"]
    if durations:
        p = durations[0]
        unit = f" {p.unit}" if p.unit else ""
        parts.append(
            f"'{p.template}' {p.name or 'value'}: p50 {p.p50:g}{unit}, p95 {p.p95:g}{unit}, max {p.max:g}{unit}."
        )
    if bursts:
        b = bursts[0]
        parts.append(
            f"{len(bursts)} bursts; largest {b.lines} lines from {b.start.isoformat()} ({b.factor}x usual rate)."
        )
    return " ".join(parts)


def build_summary(s: LogSummarizer, texts: dict[int, str], max_patterns: int) -> LogSummary:
    order = sorted(s.templates, key=lambda t: (-s.templates[t].count, s.templates[t].first_line))
    shown = order[:max_patterns]
    patterns = [Pattern(**_pattern(t, texts[t], s.templates[t], s.lines_in)) for t in shown]
    errors = error_patterns(s, texts, max_patterns)
    perf = performance(s, texts)
    bursts = [Burst(**b) for b in s.rate.bursts()]
    n = len(s.templates)
    stats = SummaryStats(
        lines_in=s.lines_in,
        patterns=n,
        patterns_returned=len(shown),
        patterns_left_out=n - len(shown),
        lines_left_out=sum(s.templates[t].count for t in order[max_patterns:]),
        reduction_ratio=round(1 - n / s.lines_in, 4) if s.lines_in else 0.0,
        levels=dict(s.levels),
        first_timestamp=s.first_ts,
        last_timestamp=s.last_ts,
    )
    return LogSummary(
        summary=summary_text(stats, patterns, errors, perf, bursts),
        patterns=patterns,
        error_patterns=errors,
        performance=perf,
        bursts=bursts,
        recommended_actions=actions(errors, perf, bursts),
        stats=stats,
    )
