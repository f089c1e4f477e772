"""Offline engine of `predict_incidents`: detections per metric, then one prediction per incident.

Per metric: anomaly episodes from the streaming detector (the same one `aiops-mcp metrics score`
runs, at the threshold chosen on the NAB development series), a trend toward a limit (time to
incident), or a change point. Across metrics and job events: signals that overlap in time
become one `correlated` prediction (three anomalous metrics and an error burst are one incident,
not four). Sorted by urgency: severity, then time to incident, then score.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .detector import StreamingDetector
from .models import EventIn, MetricSeries, Prediction, PredictResult
from .signals import error_bursts, find_change_point, fit_trend, infer_limit, trailing_flatline

# Standard-profile threshold from the exact sweep on the NAB development series (bench/incidents.py:
# 0.52193), rounded down so that the sweep's own threshold score still counts (the scorer uses >=).
DETECTION_THRESHOLD = 0.5219
EVENTS_METRIC = "events:errors"
MAX_EPISODES_PER_METRIC = 3
MIN_DEVIATION = 4.0  # robust standard deviations from the typical level before an anomaly is reported
SEVERITIES = ("low", "medium", "high", "critical")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass
class Signal:
    metrics: list[str]
    kind: str
    start: datetime
    end: datetime
    score: float
    severity: str
    evidence: list[str] = field(default_factory=list)
    tti: float | None = None


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _fmt(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def _num(x: float) -> str:
    return f"{x:.4g}"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _bump(severity: str, by: int = 1) -> str:
    return SEVERITIES[max(0, min(len(SEVERITIES) - 1, _RANK[severity] + by))]


def _tti_severity(tti: float) -> str:
    if tti <= 900:
        return "critical"
    if tti <= 3600:
        return "high"
    if tti <= 6 * 3600:
        return "medium"
    return "low"


def _clean(series: MetricSeries) -> tuple[list[datetime], list[float]]:
    by_time: dict[datetime, float] = {}
    for p in series.points:
        by_time[_utc(p.timestamp)] = float(p.value)  # a repeated timestamp keeps its last value
    ts = sorted(by_time)
    return ts, [by_time[t] for t in ts]


def _anomalies(name: str, ts: list[datetime], ys: list[float]) -> list[Signal]:
    n = len(ys)
    det = StreamingDetector(warmup=min(100, max(12, n // 4)))
    flagged: list[tuple[int, float, str]] = []
    for i, (t, y) in enumerate(zip(ts, ys, strict=True)):
        score, _ = det.update(t, y)
        if score >= DETECTION_THRESHOLD:
            ratios = det.last_ratios
            view = max(ratios, key=ratios.__getitem__) if ratios else "spike"
            flagged.append((i, score, view))
    episodes: list[list[tuple[int, float, str]]] = []
    for f in flagged:  # detections a few points apart belong to one episode
        if episodes and f[0] - episodes[-1][-1][0] <= 10:
            episodes[-1].append(f)
        else:
            episodes.append([f])
    out = []
    for ep in episodes:
        first, last = ep[0][0], ep[-1][0]
        top = max(ep, key=lambda f: f[1])
        before = ys[max(0, first - 100) : first] or ys[:first] or ys
        typical = statistics.median(before)
        spread = statistics.median([abs(v - typical) for v in before]) * 1.4826
        worst = max(range(first, last + 1), key=lambda i: abs(ys[i] - typical))
        if abs(ys[worst] - typical) < MIN_DEVIATION * spread:
            continue  # unusual for the detector, yet inside the normal band: not worth an operator's time
        # the episode starts where the values leave the normal band (an earlier weak detection may lead it)
        first = next(i for i in range(first, last + 1) if abs(ys[i] - typical) >= MIN_DEVIATION * spread)
        score = top[1]
        severity = "high" if score >= 0.75 else "medium" if score >= 0.6 else "low"
        out.append(
            Signal(
                metrics=[name],
                kind="anomaly",
                start=ts[first],
                end=ts[last],
                score=round(score, 3),
                severity=severity,
                evidence=[
                    f"{name}: {_num(ys[worst])} at {_fmt(ts[worst])} vs typical {_num(typical)} "
                    f"(±{_num(spread)}) over the previous {len(before)} points",
                    f"{name}: strongest signal '{top[2]}', {len(ep)} detection(s) from {_fmt(ts[first])} "
                    f"to {_fmt(ts[last])}",
                ],
            )
        )
    return out[-MAX_EPISODES_PER_METRIC:]


def _trend_or_shift(name: str, ts: list[datetime], ys: list[float], limit: float | None) -> Signal | None:
    trend = fit_trend(ts, ys)
    if trend is not None:
        per_hour = trend.slope_per_s * 3600
        evidence = [
            f"{name}: {'rising' if per_hour > 0 else 'falling'} {_num(abs(per_hour))}/h since "
            f"{_fmt(trend.start)} (r2 {trend.r2:.2f}), now about {_num(trend.current)}"
        ]
        tti = None
        if limit is not None and trend.slope_per_s > 0:
            if trend.current >= limit:
                tti = 0.0
                evidence.append(f"{name}: at or above its limit {_num(limit)}")
            else:
                tti = (limit - trend.current) / trend.slope_per_s
                evidence.append(
                    f"{name}: reaches its limit {_num(limit)} in about {_duration(tti)} at this rate"
                )
        level = max(abs(trend.current - trend.rise), 1e-12)
        relative = abs(trend.rise) / level
        score = min(1.0, 0.5 * trend.r2 + 0.5 * min(1.0, relative))
        if tti is not None:
            severity = _tti_severity(tti)
            score = max(score, 1.0 / (1.0 + tti / 3600.0))
        else:
            severity = "medium" if relative >= 0.5 else "low"
        return Signal([name], "trend", trend.start, ts[-1], round(score, 3), severity, evidence, tti)
    cp = find_change_point(ts, ys)
    if cp is None:
        return None
    relative = abs(cp.after - cp.before) / (max(abs(cp.before), abs(cp.after)) + 1e-12)
    severity = "medium" if relative >= 0.5 else "low"
    evidence = [
        f"{name}: level moved from {_num(cp.before)} to {_num(cp.after)} at {_fmt(cp.at)} (t={cp.t_stat:.1f})"
    ]
    if limit is not None and cp.after >= 0.9 * limit:
        severity = "high"
        evidence.append(f"{name}: new level is within 10% of its limit {_num(limit)}")
    return Signal([name], "changepoint", cp.at, ts[-1], round(min(1.0, relative), 3), severity, evidence)


def _age(signals: list[Signal], now: datetime, first_seen: datetime | None) -> None:
    """Episodes that ended well before the analysis time are history, not a forecast: reported low."""
    span = (now - first_seen).total_seconds() if first_seen is not None else 0.0
    cutoff = max(3600.0, 0.1 * span)
    for s in signals:
        age = (now - s.end).total_seconds()
        if s.kind != "trend" and age > cutoff and s.severity != "low":
            s.severity = "low"
            s.evidence.append(f"ended {_duration(age)} before the analysis time")


def _correlate(signals: list[Signal], window: timedelta) -> list[Signal]:
    """Anomalies, change points and error bursts that overlap in time (within `window`) are one incident."""
    mergeable = sorted((s for s in signals if s.kind != "trend"), key=lambda s: s.start)
    groups: list[list[Signal]] = []
    group_end: datetime | None = None
    for s in mergeable:
        if groups and group_end is not None and s.start <= group_end + window:
            groups[-1].append(s)
            group_end = max(group_end, s.end)
        else:
            groups.append([s])
            group_end = s.end
    out = [s for s in signals if s.kind == "trend"]
    for g in groups:
        names = sorted({m for s in g for m in s.metrics})
        if len(g) == 1 or len(names) == 1:
            out.extend(g)
            continue
        worst = max(g, key=lambda s: (_RANK[s.severity], s.score))
        severity = _bump(worst.severity, 1 if len(names) < 3 else 2)
        miss = 1.0
        for s in g:
            miss *= 1.0 - min(s.score, 0.99)
        evidence = [
            f"{len(names)} signals within {_duration(window.total_seconds())} of each other: {', '.join(names)}"
        ]
        for s in sorted(g, key=lambda s: s.start):
            evidence.extend(s.evidence[:1])
        out.append(
            Signal(
                names,
                "correlated",
                g[0].start,
                max(s.end for s in g),
                round(1.0 - miss, 3),
                severity,
                evidence,
            )
        )
    return out


def _summary(preds: list[Prediction], n_metrics: int, n_events: int) -> str:
    if not preds:
        return f"No incident predicted: {n_metrics} metric(s) and {n_events} event(s) look normal."
    counts = {s: sum(1 for p in preds if p.severity == s) for s in reversed(SEVERITIES)}
    head = ", ".join(f"{c} {s}" for s, c in counts.items() if c)
    lines = [f"{len(preds)} prediction(s) ({head}) from {n_metrics} metric(s) and {n_events} event(s)."]
    for p in preds[:3]:
        eta = (
            f", incident in about {_duration(p.time_to_incident_seconds)}"
            if p.time_to_incident_seconds is not None
            else ""
        )
        lines.append(
            f"{p.severity.upper()} {p.kind} on {', '.join(p.metrics)} since {_fmt(p.started_at)}{eta}: {p.evidence[0]}"
        )
    return "\n".join(lines)


def predict(
    metrics: list[MetricSeries],
    events: list[EventIn],
    *,
    as_of: datetime | None = None,
    limits: dict[str, float] | None = None,
) -> PredictResult:
    """Predictions for the given series and events, most urgent first (offline, deterministic)."""
    limits = limits or {}
    cleaned = [(m, *_clean(m)) for m in metrics]
    cleaned = [c for c in cleaned if c[1]]
    steps = []
    for _, ts, _ in cleaned:
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(ts)]
        if gaps:
            steps.append(statistics.median(gaps))
    step = statistics.median(steps) if steps else 60.0
    window = timedelta(seconds=max(300.0, 5.0 * step))
    last_seen = max((ts[-1] for _, ts, _ in cleaned), default=None)
    first_seen = min((ts[0] for _, ts, _ in cleaned), default=None)
    now = _utc(as_of) if as_of is not None else last_seen

    signals: list[Signal] = []
    for series, ts, ys in cleaned:
        if now is not None:  # the analysis time bounds what may be used
            keep = [i for i, t in enumerate(ts) if t <= now]
            ts, ys = [ts[i] for i in keep], [ys[i] for i in keep]
        if len(ys) < 3:
            continue
        limit = limits.get(series.name, series.limit)
        if limit is None:
            limit = infer_limit(series.name, ys)
        signals.extend(_anomalies(series.name, ts, ys))
        flat = trailing_flatline(ts, ys)
        if flat is not None:
            signals.append(
                Signal(
                    [series.name],
                    "anomaly",
                    flat.start,
                    ts[-1],
                    0.7,
                    "medium",
                    [
                        f"{series.name}: stuck at {_num(flat.value)} since {_fmt(flat.start)} ({flat.points} points; "
                        f"the longest constant stretch before was {flat.longest_before})"
                    ],
                )
            )
        shift = _trend_or_shift(series.name, ts, ys, limit)
        if shift is not None:
            # the anomaly that marked a lasting change point is the same event; the change point
            # says more (the new level persists up to now), so it absorbs the anomaly
            same = [
                s
                for s in signals
                if s.kind == "anomaly"
                and s.metrics == shift.metrics
                and s.start - window <= shift.start <= s.end + window
            ]
            if shift.kind == "changepoint" and same:
                for s in same:
                    signals.remove(s)
                    shift.evidence.append(s.evidence[0])
                    shift.score = max(shift.score, s.score)
                    shift.severity = max(shift.severity, s.severity, key=_RANK.__getitem__)
            signals.append(shift)

    rows = sorted((_utc(e.timestamp), e.level, e.message, e.source or "") for e in events)
    if now is not None:
        rows = [r for r in rows if r[0] <= now]
    observed = None
    starts = [t for t in (first_seen, rows[0][0] if rows else None) if t is not None]
    if now is not None and starts:
        observed = (min(starts), now)
    for b in error_bursts(rows, window=window, observed=observed):
        where = f" from {', '.join(b.sources[:5])}" if b.sources else ""
        ratio = b.count / max(b.baseline_per_window, 1e-9)
        evidence = [
            f"{b.count} error events{where} between {_fmt(b.start)} and {_fmt(b.end)} "
            f"(usual {b.baseline_per_window:.1f} per {_duration(window.total_seconds())})"
        ]
        evidence += [f"example: {x}" for x in b.examples]
        severity = "high" if b.count >= 10 else "medium"
        signals.append(
            Signal(
                [EVENTS_METRIC],
                "anomaly",
                b.start,
                b.end,
                round(min(1.0, 0.5 + ratio / 20), 3),
                severity,
                evidence,
            )
        )

    if now is not None:
        _age(signals, now, first_seen)
    merged = _correlate(signals, window)
    preds = [
        Prediction(
            metrics=s.metrics,
            kind=s.kind,
            severity=s.severity,
            started_at=s.start,  # type: ignore[arg-type]
            score=s.score,
            time_to_incident_seconds=None if s.tti is None else round(s.tti, 1),
            evidence=s.evidence,
        )
        for s in merged
    ]
    preds.sort(
        key=lambda p: (
            -_RANK[p.severity],
            p.time_to_incident_seconds if p.time_to_incident_seconds is not None else float("inf"),
            -p.score,
            -p.started_at.timestamp(),
        )
    )
    return PredictResult(predictions=preds, summary=_summary(preds, len(cleaned), len(rows)))
