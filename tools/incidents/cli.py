"""`aiops-mcp metrics score`: stream one series through the detector, one score per point.

Input on stdin: a JSON list of {"timestamp", "value"} (a JSON-lines stream is accepted too).
Output on stdout: one JSON object per line, in input order,
{"anomaly_score": x} plus "time_to_incident_s" when the detector has a forecast.
Each score is computed before the next point is read into the detector, so it uses the past only.
Imports are kept to the standard library and the detector: the command starts once per series.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TextIO

from aiops_mcp.tools.incidents.detector import StreamingDetector


def parse_timestamp(raw: Any) -> datetime:
    """ISO 8601 (space or T, optional Z or offset) or epoch seconds; naive results stay naive."""
    if isinstance(raw, int | float):
        return datetime.fromtimestamp(float(raw))
    s = str(raw).strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    return datetime.fromisoformat(s)


def _read_points(inp: TextIO) -> list[dict[str, Any]]:
    text = inp.read().strip()
    if not text:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if isinstance(data, dict):  # a single point, or {"points": [...]}
        data = data.get("points", [data])
    return list(data)


def run_score(inp: TextIO, out: TextIO) -> None:
    """Read one series from `inp`, write one score line per point to `out`."""
    detector = StreamingDetector()
    lines = []
    for p in _read_points(inp):
        try:
            value = float(p["value"])
        except (TypeError, ValueError):
            value = float("nan")  # the detector carries the last good value forward
        score, eta = detector.update(parse_timestamp(p["timestamp"]), value)
        if eta is None:
            lines.append(f'{{"anomaly_score": {score!r}}}')
        else:
            lines.append(f'{{"anomaly_score": {score!r}, "time_to_incident_s": {round(eta, 1)!r}}}')
    if lines:
        out.write("\n".join(lines))
        out.write("\n")
    out.flush()
