"""Streaming, past-only anomaly detector for one metric series.

Several cheap views of the signal are computed at every point:
- spike: the value against a slow exponentially weighted mean and deviation;
- shift: a short moving mean against the slow mean (level shifts, slow drifts);
- jump: the step from the previous value against the typical step;
- volatility: the recent typical step against the long-run typical step (noise bursts).
Each view is judged against its own past: its raw value divided by the largest value it reached
recently (a max that decays slowly). A ratio well above 1 means "more extreme than anything seen
lately"; it is scale-free (one threshold serves CPU percent and tweet counts) and gives one alarm
per incident, since once a spike has been seen a repeat of it is no longer surprising. A score
that does not beat the scores of the last `rest` points is reported as 0 for the same reason.

Time to incident: when the short mean moves steadily towards a bound (a known `limit`, or else the
level the spike view would call extreme), the seconds until it gets there at the current slope.

O(1) per point, pure Python: the detector runs inside the CLI once per series and must start fast.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime

_EPS = 1e-9
VIEWS = ("spike", "shift", "jump", "volatility", "surprise")
# "surprise" (order-2 sequence model, CAD-like) finds broken patterns but costs more false alarms
# than it saves on the development series; it stays available, off by default.
DEFAULT_VIEWS = ("spike", "shift", "jump", "volatility")


class _Ew:
    """Exponentially weighted mean and variance; a plain average until `span` points are seen."""

    __slots__ = ("mean", "n", "span", "var")

    def __init__(self, span: int) -> None:
        self.span = span
        self.n = 0
        self.mean = 0.0
        self.var = 0.0

    def update(self, x: float) -> None:
        self.n += 1
        a = 1.0 / self.n if self.n < self.span else 1.0 / self.span
        d = x - self.mean
        self.mean += a * d
        self.var = (1.0 - a) * (self.var + a * d * d)


class _SequenceModel:
    """How surprising the current quantised value is after the previous two (order-2 Markov
    model with back-off to order 1 and 0). Catches a normal value at an abnormal moment."""

    def __init__(self, levels: int, warmup: int) -> None:
        self._levels = levels
        self._warmup = warmup
        self._seen: list[float] = []
        self._lo = 0.0
        self._width = 0.0
        self._q1: int | None = None
        self._q2: int | None = None
        self._c0: dict[int, int] = {}
        # context -> counts of the next symbol; the total is kept under the key None
        self._c1: dict[object, dict[int | None, int]] = {}
        self._c2: dict[object, dict[int | None, int]] = {}
        self._n = 0

    @staticmethod
    def _backoff(table: dict[object, dict[int | None, int]], ctx: object, q: int, prior: float) -> float:
        """P(q | ctx), smoothed towards the shorter context's estimate; then count q."""
        counts = table.setdefault(ctx, {})
        total = counts.get(None, 0)
        p = (counts.get(q, 0) + prior) / (total + 1.0)
        counts[q] = counts.get(q, 0) + 1
        counts[None] = total + 1
        return p

    def surprise(self, x: float) -> float:
        if self._width == 0.0:
            self._seen.append(x)
            if len(self._seen) < self._warmup:
                return 0.0
            lo, hi = min(self._seen), max(self._seen)
            self._lo = lo
            self._width = (hi - lo) / self._levels if hi > lo else max(abs(hi), 1.0) / self._levels
            self._seen = []
        q = math.floor((x - self._lo) / self._width)
        c0 = self._c0
        p0 = (c0.get(q, 0) + 1.0) / (self._n + len(c0) + 1.0)
        p = p0
        q1, q2 = self._q1, self._q2
        if q1 is not None:
            p = self._backoff(self._c1, q1, q, p0)
            if q2 is not None:
                p = self._backoff(self._c2, (q2, q1), q, p)
        c0[q] = c0.get(q, 0) + 1
        self._n += 1
        self._q2, self._q1 = q1, q
        return -math.log(p)


class StreamingDetector:
    """Scores each new point from the points seen so far (never the future); deterministic."""

    def __init__(
        self,
        *,
        limit: float | None = None,
        long_span: int = 1000,
        short_span: int = 6,
        vol_span: int = 12,
        warmup: int = 100,
        memory: int = 3000,
        rest: int = 100,
        eta_sigmas: float = 4.0,
        levels: int = 8,
        surprise_span: int = 4,
        views: tuple[str, ...] = DEFAULT_VIEWS,
    ) -> None:
        self._mask = tuple(v in views for v in VIEWS)
        self._seq = _SequenceModel(levels, warmup)
        self._surprise = 0.0
        self._surprise_a = 2.0 / (surprise_span + 1)
        self.limit = limit
        self._long = _Ew(long_span)
        self._absdiff = _Ew(long_span)
        self._shift = _Ew(long_span)
        self._short = 0.0
        self._short_a = 2.0 / (short_span + 1)
        self._slope = 0.0  # per point, of the short mean
        self._vol = 0.0
        self._vol_a = 2.0 / (vol_span + 1)
        self._warmup = warmup
        # the first statistics are too unstable to be remembered as peaks
        self._stable_after = min(30, warmup // 2)
        self._decay = 0.5 ** (1.0 / memory)  # a remembered peak halves over `memory` points
        self._peaks = [0.0] * len(VIEWS)
        self._recent: deque[float] = deque(maxlen=rest)
        self._eta_sigmas = eta_sigmas
        self._n = 0
        self._prev: float | None = None
        self._prev_ts: datetime | None = None
        self._step_s = 0.0
        self.last_views: dict[str, float] = {}
        """Raw view values of the last point (diagnostics for the engine's evidence)."""
        self.last_ratios: dict[str, float] = {}

    @property
    def step_seconds(self) -> float:
        """Typical sampling interval seen so far."""
        return self._step_s

    @property
    def short_mean(self) -> float:
        return self._short

    @property
    def slope_per_second(self) -> float:
        return self._slope / self._step_s if self._step_s > 0 else 0.0

    def update(self, timestamp: datetime, value: float) -> tuple[float, float | None]:
        """Feed one point; return (anomaly_score in [0, 1], time to incident in seconds or None)."""
        x = float(value)
        if not math.isfinite(x):
            x = self._prev if self._prev is not None else 0.0
        self._n += 1
        if self._prev_ts is not None:
            gap = (timestamp - self._prev_ts).total_seconds()
            if gap > 0:
                self._step_s = gap if self._step_s == 0.0 else 0.9 * self._step_s + 0.1 * gap
        self._prev_ts = timestamp

        lg = self._long
        floor = _EPS + 1e-6 * abs(lg.mean)
        sd = math.sqrt(lg.var) + floor
        old_short = self._short
        self._short = x if self._n == 1 else old_short + self._short_a * (x - old_short)
        if self._n > 1:
            self._slope += self._short_a * ((self._short - old_short) - self._slope)
        dev = self._short - lg.mean
        step = abs(x - self._prev) if self._prev is not None else 0.0
        self._vol += self._vol_a * (step - self._vol)
        typical_step = self._absdiff.mean + floor
        if self._mask[4]:
            self._surprise += self._surprise_a * (self._seq.surprise(x) - self._surprise)
        raws = (
            abs(x - lg.mean) / sd,
            abs(dev) / (math.sqrt(self._shift.var + self._shift.mean**2) + floor),
            step / typical_step,
            self._vol / typical_step,
            self._surprise,
        )
        mean_before, sd_before = lg.mean, sd
        lg.update(x)
        self._shift.update(dev)
        if self._prev is not None:
            self._absdiff.update(step)
        self._prev = x
        self.last_views = dict(zip(VIEWS, raws, strict=True))
        if self._n <= self._stable_after:
            return 0.0, None

        best = 0.0
        warm = self._n > self._warmup
        peaks = self._peaks
        decay = self._decay
        ratios = {}
        for k, r in enumerate(raws):
            p = peaks[k] * decay
            if warm and self._mask[k] and (p > 0.0 or r > 0.0):
                # a view that never moved before (a flat line) and moves now is as new as it gets
                ratio = r / p if p > 0.0 else 1e6
                ratios[VIEWS[k]] = ratio
                if ratio > best:
                    best = ratio
            peaks[k] = r if r > p else p
        self.last_ratios = ratios
        if not warm:
            return 0.0, None
        score = best / (best + 1.0)
        recent = self._recent
        beaten = not recent or score > max(recent)
        recent.append(score)
        return (score if beaten else 0.0), self._eta(mean_before, sd_before)

    def _eta(self, mean: float, sd: float) -> float | None:
        """Seconds until the short mean reaches the bound it is moving towards, at the current slope."""
        slope = self._slope
        if self._step_s <= 0 or abs(slope) < 1e-12:
            return None
        bound = self.limit if self.limit is not None else mean + math.copysign(self._eta_sigmas * sd, slope)
        remaining = (bound - self._short) / slope
        if remaining <= 0 or not math.isfinite(remaining):
            return None
        # a slope that barely moves gives no useful forecast
        if remaining > 10_000:
            return None
        return remaining * self._step_s
