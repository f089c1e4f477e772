"""Streaming, past-only anomaly detector for one metric series.

Several cheap views of the signal are computed at every point:
- spike: the value against a slow baseline (exponentially weighted, clipped so that outliers do
  not drag it) in units of the typical absolute deviation;
- jump: the step from the previous value against the typical step;
- shift: a short moving mean against the baseline (level shifts, drifts);
- volatility: the recent typical step against the long-run typical step (noise bursts);
- seasonal: the change from the same time one day earlier against the usual day-over-day change
  (a normal value at an abnormal time of day);
- wake: activity resuming after a flat run (one value repeated: zeros, a stalled counter) longer
  than any flat run before it; the values are ordinary again, so only the run's length tells.
Each view is judged against its own past: its raw value divided by the largest value it reached
recently (a max that decays slowly). A ratio above 1 means "more extreme than anything seen
lately"; it is scale-free, so one threshold serves CPU percent and tweet counts, and it gives one
alarm per incident: once a spike has been seen, a repeat of it is no longer surprising. A second,
local comparison (a max that halves in about a day of points) catches what towers over its own
day without beating last week's record; it must exceed that local max several times over.
Novelty gate: how far the value sits from the baseline (log-scaled bands) and the band it came
from form a pattern; each earlier sighting of the same pattern shrinks the excess of the value
views' ratios (spike to volatility; the seasonal and wake views judge time, not the value band).
A burst to 100% CPU that happens every few days stops paging anyone; a first one does. A score that does not beat the scores of the last `rest` points is reported as
0 for the same reason.

Time to incident: when the short mean moves steadily towards a bound (a known `limit`, or else
the level the spike view would call extreme), the seconds until it gets there at the current slope.

O(1) per point, pure Python: the detector runs inside the CLI once per series and must start fast.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime

_EPS = 1e-9
VIEWS = ("spike", "jump", "shift", "volatility", "seasonal", "wake")
_SEASONAL = 4
_WAKE = 5


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


class StreamingDetector:
    """Scores each new point from the points seen so far (never the future); deterministic.

    Defaults were chosen on the NAB development series (bench/incidents.py); spans count points.
    """

    def __init__(
        self,
        *,
        limit: float | None = None,
        long_span: int = 2000,
        short_span: int = 12,
        vol_span: int = 12,
        season_s: float = 86400.0,
        warmup: int = 100,
        memory: int = 10000,
        rest: int = 100,
        clip: float = 5.0,
        gate_k: float = 1.0,
        local_memory: int = 300,
        local_factor: float = 3.0,
        eta_sigmas: float = 4.0,
        wake_min: int = 36,
    ) -> None:
        self.limit = limit
        self._long = _Ew(long_span)
        self._absdev = _Ew(long_span)
        self._absdiff = _Ew(long_span)
        self._shift_a = 2.0 / (short_span + 1)
        self._short = 0.0
        self._shift_dev = _Ew(long_span)
        self._slope = 0.0  # per point, of the short mean
        self._vol_a = 2.0 / (vol_span + 1)
        self._vol = 0.0
        self._season_s = season_s
        self._season: deque[float] | None = None
        self._season_err = _Ew(long_span)
        self._clip = clip
        self._gate_k = gate_k
        self._patterns: dict[tuple[int, int], int] = {}
        self._band = 0
        self._warmup = warmup
        # the first statistics are too unstable to be remembered as peaks
        self._stable_after = min(30, warmup // 2)
        self._decay = 0.5 ** (1.0 / memory)  # a remembered peak halves over `memory` points
        self._peaks = [0.0] * len(VIEWS)
        self._local_decay = 0.5 ** (1.0 / local_memory)
        self._local_factor = local_factor
        self._local_peaks = [0.0] * len(VIEWS)
        self._rest = rest
        self._maxq: deque[tuple[int, float]] = deque()  # sliding max of the last `rest` scores
        self._eta_sigmas = eta_sigmas
        self._wake_min = wake_min
        self._run_n = 0
        self._run_ref = 0.0
        self._n = 0
        self._prev: float | None = None
        self._prev_ts: datetime | None = None
        self._step_s = 0.0
        self._ratios: list[float] = []

    @property
    def last_ratios(self) -> dict[str, float]:
        """Per view, the last point against the view's recent peak (after the novelty gate)."""
        return dict(zip(VIEWS, self._ratios, strict=False))

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
        mean = lg.mean
        floor = _EPS + 1e-6 * abs(mean)
        scale = 1.25 * self._absdev.mean + floor
        step = abs(x - self._prev) if self._prev is not None else 0.0
        typical_step = self._absdiff.mean + floor
        old_short = self._short
        self._short = x if self._n == 1 else old_short + self._shift_a * (x - old_short)
        if self._n > 1:
            self._slope += self._shift_a * ((self._short - old_short) - self._slope)
        dev = self._short - mean
        sdev = self._shift_dev
        self._vol += self._vol_a * (step - self._vol)
        raws = (
            abs(x - mean) / scale,
            step / typical_step,
            abs(dev) / (math.sqrt(sdev.var + sdev.mean**2) + floor),
            self._vol / typical_step,
            self._seasonal(x, floor),
            self._wake(x),
        )
        gate = self._novelty_gate((x - mean) / scale)

        # learn (after scoring: the current point is judged against the past)
        sdev.update(dev)
        if self._clip > 0 and lg.n > 30:
            limit = self._clip * (math.sqrt(lg.var) + floor)
            lg.update(min(max(x, mean - limit), mean + limit))
        else:
            lg.update(x)
        self._absdev.update(abs(x - mean))
        if self._prev is not None:
            self._absdiff.update(step)
        self._prev = x
        if self._n <= self._stable_after:
            return 0.0, None

        best = 0.0
        warm = self._n > self._warmup
        peaks = self._peaks
        decay = self._decay
        local_peaks = self._local_peaks
        local_decay = self._local_decay
        ratios = [0.0] * len(raws) if warm else []
        for k, r in enumerate(raws):
            p = peaks[k] * decay
            if warm and (p > 0.0 or r > 0.0):
                # a view that never moved before (a flat line) and moves now is as new as it gets;
                # not so the end of the first long flat run, which has nothing to be longer than
                # (a series may well idle that long every night)
                ratio = r / p if p > 0.0 else (0.0 if k == _WAKE else 1e6)
                if k < _SEASONAL and ratio > 1.0:
                    ratio = 1.0 + (ratio - 1.0) * gate
                ratios[k] = ratio
                if ratio > best:
                    best = ratio
            peaks[k] = r if r > p else p
            lp = local_peaks[k] * local_decay
            if warm and lp > 0.0 and k < _SEASONAL:
                local = r / lp
                if local > 1.0:
                    local = 1.0 + (local - 1.0) * gate
                local /= self._local_factor
                if local > best:
                    best = local
            local_peaks[k] = r if r > lp else lp
        self._ratios = ratios
        if not warm:
            return 0.0, None
        score = best / (best + 1.0)
        q = self._maxq
        n = self._n
        while q and q[0][0] <= n - self._rest - 1:
            q.popleft()
        beaten = not q or score > q[0][1]
        while q and q[-1][1] <= score:
            q.pop()
        q.append((n, score))
        return (score if beaten else 0.0), self._eta(mean, math.sqrt(lg.var) + floor)

    def _seasonal(self, x: float, floor: float) -> float:
        """Day-over-day change against its usual size (0 until a full day has been seen)."""
        if self._season is None:
            if self._n <= 20 or self._step_s <= 0:
                return 0.0
            self._season = deque(maxlen=max(2, round(self._season_s / self._step_s)))
        season = self._season
        raw = 0.0
        if len(season) == season.maxlen:
            e = x - season[0]
            se = self._season_err
            if se.n > 1:
                raw = abs(e - se.mean) / (math.sqrt(se.var) + floor)
            se.update(e)
        season.append(x)
        return raw

    def _wake(self, x: float) -> float:
        """Length of the flat run (one value repeated) that `x` ends; 0 while it goes on or if short.

        A flat run is a stretch of zeros, a stalled counter, a gauge that stopped reporting changes.
        Activity resuming after a flat run longer than any recent one is a change of regime the
        value views miss: the values themselves are ordinary again. Exact repetition, not "within
        a tolerance": a noisy metric has no flat runs, so this view stays silent on it."""
        if self._run_n > 0 and x == self._run_ref:
            self._run_n += 1
            return 0.0
        ended = self._run_n
        self._run_n = 1
        self._run_ref = x
        return float(ended) if ended >= self._wake_min else 0.0

    def _novelty_gate(self, z: float) -> float:
        """1 for a never-seen (previous band, band) pattern, shrinking with each earlier sighting."""
        band = int(math.copysign(math.floor(2.0 * math.log2(1.0 + abs(z))), z))
        key = (self._band, band)
        seen = self._patterns.get(key, 0)
        self._patterns[key] = seen + 1
        self._band = band
        return 1.0 / (1.0 + seen / self._gate_k) if self._gate_k > 0 else 1.0

    def _eta(self, mean: float, sd: float) -> float | None:
        """Seconds until the short mean reaches the bound it is moving towards, at the current slope."""
        slope = self._slope
        if self._step_s <= 0 or abs(slope) < 1e-12:
            return None
        bound = self.limit if self.limit is not None else mean + math.copysign(self._eta_sigmas * sd, slope)
        remaining = (bound - self._short) / slope
        # behind us, or so far ahead at this slope that it is no forecast
        if remaining <= 0 or remaining > 10_000 or not math.isfinite(remaining):
            return None
        return remaining * self._step_s
