"""`aiops-mcp metrics score`: stream one series through the detector, one score per point.

Input on stdin: a JSON list of {"timestamp", "value"} (a JSON-lines stream is accepted too).
Output on stdout: one JSON object per line, in input order,
{"anomaly_score": x} plus "time_to_incident_s" when the detector has a forecast.
Each score is computed before the next point is read into the detector, so it uses the past only.
Imports are kept to the standard library and the detector: the command starts once per series.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, TextIO

from aiops_mcp.tools.incidents.detector import StreamingDetector


def parse_timestamp(raw: Any) -> datetime:
    """ISO 8601 (space or T, optional Z or offset) or epoch seconds, as naive UTC (so that mixed
    inputs still subtract)."""
    if isinstance(raw, int | float):
        return datetime.fromtimestamp(float(raw), UTC).replace(tzinfo=None)
    s = str(raw).strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    dt = datetime.fromisoformat(s)
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo is not None else dt


class PointsError(ValueError):
    """The input is not a series of points; the message says where and what was expected."""


_EXPECTED = 'expected a JSON list of {"timestamp", "value"} objects, or one such object per line'


def _read_points(inp: TextIO) -> list[dict[str, Any]]:
    text = inp.read().strip()
    if not text:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                data.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise PointsError(
                    f"line {n}: not JSON ({exc.msg} at column {exc.colno}); {_EXPECTED}"
                ) from None
    if isinstance(data, dict):  # a single point, or {"points": [...]}
        data = data.get("points", [data])
    if not isinstance(data, list):
        raise PointsError(f"got a JSON {type(data).__name__}; {_EXPECTED}")
    for n, p in enumerate(data, 1):
        if not isinstance(p, dict):
            raise PointsError(f"point {n} is a JSON {type(p).__name__}, not an object; {_EXPECTED}")
    return data


def run_score(inp: TextIO, out: TextIO) -> None:
    """Read one series from `inp`, write one score line per point to `out`.

    Raises PointsError (before writing anything) when the input is not a series of point objects."""
    detector = StreamingDetector()
    lines = []
    last_ts = datetime(1970, 1, 1)
    for p in _read_points(inp):
        try:
            value = float(p.get("value"))
        except (TypeError, ValueError):
            value = float("nan")  # the detector carries the last good value forward
        try:
            ts = parse_timestamp(p.get("timestamp"))
        except (TypeError, ValueError):
            ts = last_ts  # one bad timestamp must not cost the whole series its scores
        last_ts = ts
        score, eta = detector.update(ts, value)
        if eta is None:
            lines.append(f'{{"anomaly_score": {score!r}}}')
        else:
            lines.append(f'{{"anomaly_score": {score!r}, "time_to_incident_s": {round(eta, 1)!r}}}')
    if lines:
        out.write("\n".join(lines))
        out.write("\n")
    out.flush()
