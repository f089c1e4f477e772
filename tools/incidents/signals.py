"""Batch signals over one window of a series (the streaming detector handles point anomalies):
trends toward a limit, change points, error bursts in events. Pure functions, pure Python."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

ERROR_LEVELS = frozenset(
    {"error", "err", "critical", "crit", "fatal", "emergency", "alert", "failed", "failure"}
)


@dataclass(frozen=True)
class Trend:
    slope_per_s: float
    start: datetime
    r2: float
    rise: float  # fitted change over the fitted span
    current: float  # fitted value at the last point


@dataclass(frozen=True)
class ChangePoint:
    at: datetime
    before: float
    after: float
    t_stat: float


@dataclass(frozen=True)
class Burst:
    start: datetime
    end: datetime
    count: int
    baseline_per_window: float
    sources: tuple[str, ...]
    examples: tuple[str, ...]


def _fit(ts: list[datetime], ys: list[float], k: int) -> Trend | None:
    xs = [(t - ts[-k]).total_seconds() for t in ts[-k:]]
    yy = ys[-k:]
    mx = sum(xs) / k
    my = sum(yy) / k
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in yy)
    if sxx <= 0 or syy <= 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, yy, strict=True))
    slope = sxy / sxx
    r2 = (sxy * sxy) / (sxx * syy)
    rise = slope * (xs[-1] - xs[0])
    sse_line = max(syy - slope * sxy, 0.0)
    resid_sd = math.sqrt(sse_line / max(k - 2, 1))
    if r2 < 0.6 or abs(rise) < 3.0 * resid_sd:
        return None
    if _best_split_sse(yy) < 0.5 * sse_line:
        return None  # a step, not a ramp: two flat levels explain it far better than a line
    return Trend(slope_per_s=slope, start=ts[-k], r2=r2, rise=rise, current=my + slope * (xs[-1] - mx))


def _best_split_sse(ys: list[float]) -> float:
    """Residual sum of squares of the best two-level (step) fit."""
    n = len(ys)
    ps = [0.0]
    ps2 = [0.0]
    for y in ys:
        ps.append(ps[-1] + y)
        ps2.append(ps2[-1] + y * y)
    best = math.inf
    for k in range(2, n - 1):
        left = ps2[k] - ps[k] ** 2 / k
        right = (ps2[n] - ps2[k]) - (ps[n] - ps[k]) ** 2 / (n - k)
        best = min(best, left + right)
    return best


def fit_trend(ts: list[datetime], ys: list[float], *, min_points: int = 8) -> Trend | None:
    """Least-squares lines over the recent half, quarter and eighth of the series. A trend counts
    when the line explains the data (r2) and the rise is large against the noise; among clean fits
    (r2 >= 0.8) the steepest wins, since a recent acceleration is what sets the time to incident."""
    n = len(ys)
    if n < min_points:
        return None
    fits = [f for k in sorted({max(min_points, n // d) for d in (2, 4, 8)}) if (f := _fit(ts, ys, k))]
    if not fits:
        return None
    clean = [f for f in fits if f.r2 >= 0.8]
    if clean:
        return max(clean, key=lambda f: abs(f.slope_per_s))
    return max(fits, key=lambda f: f.r2)


def find_change_point(ts: list[datetime], ys: list[float], *, min_seg: int = 8) -> ChangePoint | None:
    """The split that best separates two means (Welch t over prefix sums); significant splits only.
    Significant means t >= 8 and a shift of at least 10% of the level and of one standard
    deviation of the earlier segment (the quiet tail of a spiky series is no change).
    A steady trend also "splits", so the caller checks trends first."""
    n = len(ys)
    min_seg = max(min_seg, n // 20)
    if n < 2 * min_seg:
        return None
    ps = [0.0]
    ps2 = [0.0]
    for y in ys:
        ps.append(ps[-1] + y)
        ps2.append(ps2[-1] + y * y)
    best: tuple[float, int, float, float, float] | None = None
    for k in range(min_seg, n - min_seg + 1):
        n1, n2 = k, n - k
        m1 = ps[k] / n1
        m2 = (ps[n] - ps[k]) / n2
        v1 = max(ps2[k] / n1 - m1 * m1, 0.0)
        v2 = max((ps2[n] - ps2[k]) / n2 - m2 * m2, 0.0)
        se = math.sqrt(v1 / n1 + v2 / n2) + 1e-12 * (abs(m1) + abs(m2) + 1.0)
        t = abs(m2 - m1) / se
        if best is None or t > best[0]:
            best = (t, k, m1, m2, math.sqrt(v1))
    assert best is not None
    t, k, m1, m2, sd1 = best
    # a large t alone is cheap in long series; also demand a shift that matters against the level
    relative = abs(m2 - m1) / (max(abs(m1), abs(m2)) + 1e-12)
    if t < 8.0 or relative < 0.1 or abs(m2 - m1) < sd1:
        return None
    return ChangePoint(at=ts[k], before=m1, after=m2, t_stat=t)


_DIGITS = re.compile(r"\d+")


def error_bursts(
    events: list[tuple[datetime, str, str, str]],
    *,
    window: timedelta,
    observed: tuple[datetime, datetime] | None = None,
) -> list[Burst]:
    """Windows of `window` length holding clearly more error events than usual (>= 3, and >= 3x the
    average per window over the observed span: `observed`, else the events' own span).
    events: (time, level, message, source), sorted."""
    errs = [e for e in events if e[1].strip().lower() in ERROR_LEVELS]
    if len(errs) < 3:
        return []
    start, end = observed if observed is not None else (events[0][0], events[-1][0])
    span = max((end - start).total_seconds(), (events[-1][0] - events[0][0]).total_seconds())
    w = window.total_seconds()
    n_windows = max(span / w, 1.0)
    baseline = len(errs) / n_windows
    need = max(3, math.ceil(3.0 * baseline)) if n_windows > 2 else 3
    bursts: list[Burst] = []
    i = 0
    while i < len(errs):
        j = i
        while j + 1 < len(errs) and (errs[j + 1][0] - errs[i][0]).total_seconds() <= w:
            j += 1
        count = j - i + 1
        if count >= need:
            # extend while errors keep coming within one window of the last
            while j + 1 < len(errs) and (errs[j + 1][0] - errs[j][0]).total_seconds() <= w:
                j += 1
            group = errs[i : j + 1]
            sources = tuple(sorted({e[3] for e in group if e[3]}))
            shapes: dict[str, str] = {}
            for e in group:
                shapes.setdefault(_DIGITS.sub("#", e[2])[:120], e[2][:200])
            # "usual" is the rate outside this burst, so the burst does not inflate its own baseline
            outside_windows = max(n_windows - (group[-1][0] - group[0][0]).total_seconds() / w - 1.0, 1.0)
            bursts.append(
                Burst(
                    start=group[0][0],
                    end=group[-1][0],
                    count=len(group),
                    baseline_per_window=(len(errs) - len(group)) / outside_windows,
                    sources=sources,
                    examples=tuple(list(shapes.values())[:3]),
                )
            )
            i = j + 1
        else:
            i += 1
    return bursts


_PERCENT = re.compile(r"(cpu|mem|memory|disk|util|utilization|usage|percent|pct|saturation|load_ratio)", re.I)
_FRACTION = re.compile(r"(error_rate|err_rate|failure_rate|fail_rate|error_ratio|ratio|fraction)", re.I)


def infer_limit(name: str, values: list[float]) -> float | None:
    """A bound implied by the metric's name and range: percentages end at 100, fractions at 1."""
    if not values:
        return None
    lo, hi = min(values), max(values)
    if lo < 0:
        return None
    if _FRACTION.search(name) and hi <= 1.0:
        return 1.0
    if (_PERCENT.search(name) or name.lower().endswith("_pct")) and hi <= 100.0:
        return 100.0
    return None


@dataclass(frozen=True)
class Flatline:
    start: datetime
    value: float
    points: int
    longest_before: int


def trailing_flatline(ts: list[datetime], ys: list[float], *, min_points: int = 10) -> Flatline | None:
    """The series has been stuck at one value up to now for clearly longer (3x) than any earlier
    constant stretch: a dead exporter, a stalled queue consumer, throughput at zero."""
    n = len(ys)
    if n < 2 * min_points:
        return None

    def same(a: float, b: float) -> bool:
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))

    run = 1
    i = n - 1
    while i > 0 and same(ys[i - 1], ys[i]):
        run += 1
        i -= 1
    start = i
    if run < min_points or start < min_points:
        return None
    longest, cur = 1, 1
    for k in range(1, start):
        cur = cur + 1 if same(ys[k - 1], ys[k]) else 1
        longest = max(longest, cur)
    if run < 3 * longest:
        return None
    return Flatline(start=ts[start], value=ys[start], points=run, longest_before=longest)
