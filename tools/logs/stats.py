"""Bounded-memory statistics for the log summary: numeric parameters of templates and rate bursts."""

from __future__ import annotations

import math
import random
import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .masking import VAR

RESERVOIR = 1024
_EPOCH = datetime(1970, 1, 1)
_NUMBER = re.compile(r"^[^\w+-]{0,2}([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)([A-Za-zµ%]{0,7})[^\w]*$")
# fmt: off
_DURATION_UNITS = {"ns", "us", "µs", "ms", "microseconds", "milliseconds", "nanoseconds", "s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minutes", "h"}
_SIZE_UNITS = {"b", "bytes", "byte", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "k", "g"}
KNOWN_UNITS = _DURATION_UNITS | _SIZE_UNITS | {"%", "x"}
_DURATION_WORDS = {"time", "duration", "latency", "elapsed", "took", "spent", "delay", "wait", "waited", "ms",
                   "sec", "secs", "seconds", "rtt", "lag", "timeout", "interval", "runtime", "cost"}
# "eventTime", "startTime": points in time, not durations
_INSTANT_WORDS = {"event", "down", "start", "end", "begin", "stop", "create", "created", "update", "updated",
                  "current", "now", "up", "boot", "trigger", "when", "at", "stamp", "last", "next"}
_SIZE_WORDS = {"size", "bytes", "length", "len", "memory", "mem", "heap", "disk", "capacity"}
_COUNT_WORDS = {"count", "num", "total", "retries", "attempts", "records", "rows", "items", "files", "errors",
                "jobs", "tasks", "messages", "calls", "requests"}
_MEASURE_WORDS = {"rate", "load", "percent", "usage", "cpu", "temp", "temperature", "score", "ratio", "util",
                  "utilization", "throughput", "qps", "rps", "speed"}
_ID_WORDS = {"id", "pid", "tid", "uid", "gid", "port", "ip", "seq", "index", "idx", "line", "code", "version",
             "rank", "node", "key", "hash", "serial", "addr", "address", "flags", "mask"}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
# fmt: on


def _words(name: str | None) -> set[str]:
    return {w.lower() for w in _WORD.findall(name or "")}


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of an already sorted list."""
    if not sorted_values:
        return math.nan
    pos = (len(sorted_values) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


_RNG = random.Random(17)


@dataclass
class Reservoir:
    """Exact count/min/max/sum, a uniform sample of values for percentiles, and the 5 largest with lines.

    The sample is a packed array (8 bytes a value), so thousands of parameters stay cheap.
    """

    count: int = 0
    total: float = 0.0
    min: float = math.inf
    max: float = -math.inf
    sample: array[float] = field(default_factory=lambda: array("d"))
    top: list[tuple[float, int]] = field(default_factory=list)

    def add(self, value: float, line: int) -> None:
        self.count += 1
        self.total += value
        if value < self.min:
            self.min = value
        if value > self.max:
            self.max = value
        if len(self.sample) < RESERVOIR:
            self.sample.append(value)
        else:
            j = _RNG.randrange(self.count)
            if j < RESERVOIR:
                self.sample[j] = value
        # the largest values are kept exactly, so outlier examples are real even past the reservoir
        if len(self.top) < 5 or value > self.top[-1][0]:
            self.top.append((value, line))
            self.top.sort(key=lambda vl: -vl[0])
            del self.top[5:]


def classify(name: str | None, unit: str | None) -> str | None:
    """duration / size / count / number, or None when the values are not a measurement worth summarising."""
    u = (unit or "").lower()
    words = _words(name)
    if words & _INSTANT_WORDS:
        return None
    if (u in _DURATION_UNITS and u != "m") or words & _DURATION_WORDS:
        return "duration"
    if u in _SIZE_UNITS or words & _SIZE_WORDS:
        return "size"
    if words & _COUNT_WORDS:
        return "count"
    if u == "%" or words & _MEASURE_WORDS:
        return "number"
    return None


def is_identifier(name: str | None) -> bool:
    return bool(_words(name) & _ID_WORDS)


@dataclass
class Slot:
    """One variable of a template: where it is, how it is named, and the numbers it took."""

    token: int
    part: int
    name: str | None
    values: Reservoir = field(default_factory=Reservoir)
    units: Counter[str] = field(default_factory=Counter)
    non_numeric: int = 0
    template_unit: str | None = None
    """A unit written in the template right after the variable ("<*>ms", "cpu=<*>%")."""
    dead: bool = False
    """Set once the values are clearly not a measurement (ids, text): the slot stops collecting."""

    JUDGE_AFTER = 32

    def judge(self) -> None:
        """After a few values, stop tracking ids, flags and text so busy templates stay cheap."""
        seen = self.values.count + self.non_numeric
        if seen < self.JUDGE_AFTER:
            return
        unit = self.units.most_common(1)[0][0] if self.units else self.template_unit
        if (
            self.non_numeric > 0.1 * seen
            or is_identifier(self.name)
            or (classify(self.name, unit) is None and unit is None and not self.name)
        ):
            self.dead = True
            self.values = Reservoir()


_STOP = {"during", "over", "in", "for", "of", "to", "from", "at", "by", "with", "after", "within", "is", "was",
         "are", "=", ":", "-", "and", "or", "the", "a", "an"}  # fmt: skip
_NAME_STRIP = " =:,;.([{\"'"


def slots_of(tokens: list[str]) -> list[Slot]:
    """The variables of a template (tokens containing VAR), each with a name guessed from its context.

    "uid=<*>" is named by its key; a bare <*> by the word before it ("took <*>"), or after it when the word
    before is a preposition ("during <*> calls", "<*> bytes").
    """
    out = []
    for i, tok in enumerate(tokens):
        if VAR not in tok:
            continue
        pieces = tok.split(VAR)
        for j in range(len(pieces) - 1):
            before = pieces[j].strip(_NAME_STRIP)
            name = before.split("=")[-1] if before else None
            if not name and tok == VAR:
                prev = tokens[i - 1].strip(_NAME_STRIP) if i > 0 and VAR not in tokens[i - 1] else ""
                nxt = (
                    tokens[i + 1].strip(_NAME_STRIP)
                    if i + 1 < len(tokens) and VAR not in tokens[i + 1]
                    else ""
                )
                verb = tokens[i - 2].strip(_NAME_STRIP) if i > 1 and VAR not in tokens[i - 2] else ""
                # "finished in <*>": the word before the preposition names it better
                name = prev if prev and prev.lower() not in _STOP else nxt or verb or prev or None
            if name and not re.search(r"[A-Za-z]", name):
                name = None
            after = re.match(r"[A-Za-z%µ]+", pieces[j + 1])
            unit = after.group(0).lower() if after and after.group(0).lower() in KNOWN_UNITS else None
            out.append(Slot(i, j, name, template_unit=unit))
    return out


def token_values(template_token: str, pattern: re.Pattern[str] | None, token: str) -> list[str] | None:
    """The text of each VAR of one template token in a line's token."""
    if template_token == VAR:
        return [token]
    if pattern is None:
        return None
    m = pattern.fullmatch(token)
    return list(m.groups()) if m else None


def number_of(text: str) -> tuple[float, str] | None:
    m = _NUMBER.match(text)
    if not m or (m.group(2) and m.group(2).lower() not in KNOWN_UNITS):
        return None
    try:
        return float(m.group(1)), m.group(2)
    except ValueError:
        return None


class RateCounter:
    """Lines per time bucket with a bounded number of buckets (buckets widen as the log spans longer)."""

    MAX_BUCKETS = 4096

    def __init__(self) -> None:
        self.width = 1.0  # seconds
        self.buckets: dict[int, list] = {}  # index -> [lines, errors, Counter(template ids)]
        self.tz = None

    def _secs(self, ts: datetime) -> float:
        # naive timestamps are taken as they are written (no local-time conversion)
        if ts.tzinfo is None:
            return (ts - _EPOCH).total_seconds()
        self.tz = self.tz or ts.tzinfo
        return ts.timestamp()

    def _at(self, secs: float) -> datetime:
        if self.tz is None:
            return _EPOCH + timedelta(seconds=secs)
        return datetime.fromtimestamp(secs, self.tz)

    def add(self, ts: datetime, template_id: int, error: bool) -> None:
        secs = self._secs(ts)
        idx = int(secs // self.width)
        b = self.buckets.get(idx)
        if b is None:
            if len(self.buckets) >= self.MAX_BUCKETS:
                self._widen()
                idx = int(secs // self.width)
                b = self.buckets.get(idx)
            if b is None:
                b = self.buckets[idx] = [0, 0, Counter()]
        b[0] += 1
        b[1] += error
        b[2][template_id] += 1

    def _widen(self) -> None:
        self.width *= 2
        merged: dict[int, list] = {}
        for idx, (n, e, c) in self.buckets.items():
            m = merged.setdefault(idx // 2, [0, 0, Counter()])
            m[0] += n
            m[1] += e
            m[2].update(c)
        self.buckets = merged

    def bursts(self, limit: int = 5) -> list[dict]:
        """Runs of buckets far above the median rate (>= 3x and >= median + 5 MADs, at least 10 lines)."""
        if len(self.buckets) < 8:
            return []
        lo, hi = min(self.buckets), max(self.buckets)
        # rebucket to at most ~240 buckets over the span, empty buckets included (silence is a rate)
        group = max(1, math.ceil((hi - lo + 1) / 240))
        series: dict[int, list] = {}
        for idx, (n, e, c) in self.buckets.items():
            s = series.setdefault((idx - lo) // group, [0, 0, Counter()])
            s[0] += n
            s[1] += e
            s[2].update(c)
        n_slots = (hi - lo) // group + 1
        counts = [series.get(i, [0])[0] for i in range(n_slots)]
        med = sorted(counts)[len(counts) // 2]
        mad = sorted(abs(c - med) for c in counts)[len(counts) // 2]
        threshold = max(3 * med, med + 5 * mad, 10, 1)
        width_s = self.width * group
        per_min = 60.0 / width_s
        found = []
        i = 0
        while i < n_slots:
            if counts[i] < threshold:
                i += 1
                continue
            j = i
            lines = errors = peak = 0
            templates: Counter[int] = Counter()
            while j < n_slots and counts[j] >= threshold:
                s = series[j]
                lines += s[0]
                errors += s[1]
                peak = max(peak, s[0])
                templates.update(s[2])
                j += 1
            start = self._at((lo + i * group) * self.width)
            found.append(
                {
                    "start": start,
                    "end": start + timedelta(seconds=(j - i) * width_s),
                    "lines": lines,
                    "peak_per_minute": round(peak * per_min, 2),
                    "baseline_per_minute": round(med * per_min, 2),
                    "factor": round(peak / med, 1) if med else math.inf,
                    "top_templates": [t for t, _ in templates.most_common(3)],
                    "errors": errors,
                }
            )
            i = j
        found.sort(key=lambda b: -b["lines"])
        for b in found:
            if b["factor"] == math.inf:
                b["factor"] = float(b["peak_per_minute"])
        return found[:limit]
